"""S3 bucket configurations through boto3: policy, tagging, default encryption, Transfer
Acceleration, ownership controls, public access block, logging, request payment,
notification configuration (stored and checked)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def _error(exc) -> tuple[str, int, str]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def _policy(bucket: str, principal="arn:aws:iam::000000000000:root", **extra) -> dict:
    statement = {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:GetObject",
                 "Resource": f"arn:aws:s3:::{bucket}/*", **extra}
    return {"Version": "2012-10-17", "Statement": [statement]}


# -- policy ---------------------------------------------------------------------------------

def test_policy_round_trip_and_delete(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert _error(exc) == ("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
    document = _policy(bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document, indent=2))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == document
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy_status(Bucket=bucket)
    assert _error(exc)[:2] == ("NoSuchBucketPolicy", 404)


@pytest.mark.parametrize("text, message", [
    ("not json", "Policies must be valid JSON and the first byte must be '{'"),
    ("[1, 2]", "Policies must be valid JSON and the first byte must be '{'"),
    ('{"Version": "2012-10-17"}', "Missing required field Statement"),
    ('{"Version": "2013-01-01", "Statement": []}', "The policy must contain a valid version string"),
])
def test_malformed_policies(s3, bucket, text, message):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy=text)
    assert _error(exc) == ("MalformedPolicy", 400, message)


def test_policy_statement_checks(s3, bucket):
    cases = [
        ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}, "Missing required field Resource"),
        ({"Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
         "Missing required field Effect"),
        ({"Effect": "Allow", "Principal": "*", "Action": "ec2:RunInstances", "Resource": f"arn:aws:s3:::{bucket}/*"},
         "Policy has invalid action"),
        ({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"},
         "Policy has invalid resource"),
        ({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}"},
         "Action does not apply to any resource(s) in statement"),
    ]
    for statement, message in cases:
        with pytest.raises(ClientError) as exc:
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
        assert _error(exc) == ("MalformedPolicy", 400, message), statement


def test_public_policy_is_blocked_until_the_block_is_lifted(s3, bucket):
    public = json.dumps(_policy(bucket, principal="*"))
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy=public)
    code, status, message = _error(exc)
    assert (code, status) == ("AccessDenied", 403) and "BlockPublicPolicy" in message
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicPolicy": False})
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    pinned = _policy(bucket, principal="*", Condition={"StringEquals": {"aws:SourceAccount": "000000000000"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(pinned))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False


# -- tagging --------------------------------------------------------------------------------

def test_tagging_round_trip_and_errors(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert _error(exc) == ("NoSuchTagSet", 404, "The TagSet does not exist")
    tags = [{"Key": f"k{i}", "Value": f"v {i}"} for i in range(50)]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    too_many = tags + [{"Key": "k50", "Value": ""}]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": too_many})
    assert _error(exc) == ("BadRequest", 400, "Bucket tag count cannot be greater than 50")
    for tag_set, message in [
        ([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}], "Cannot provide multiple Tags with the same key"),
        ([{"Key": "x" * 129, "Value": "1"}], "The TagKey you have provided is invalid"),
        ([{"Key": "k", "Value": "v" * 257}], "The TagValue you have provided is invalid"),
        ([{"Key": "aws:owner", "Value": "me"}], "Your TagKey cannot be prefixed with aws:"),
    ]:
        with pytest.raises(ClientError) as exc:
            s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_set})
        assert _error(exc) == ("InvalidTag", 400, message)
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50  # the failed puts changed nothing
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert _error(exc)[0] == "NoSuchTagSet"


# -- encryption, acceleration, ownership, public access block --------------------------------

def test_default_encryption_is_sse_s3_and_kms_can_be_set(s3, bucket):
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules == [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]
    kms = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:000000000000:key/abc"}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": kms, "BucketKeyEnabled": True}]})
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules == [{"ApplyServerSideEncryptionByDefault": kms, "BucketKeyEnabled": True}]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}]})
    assert _error(exc)[:2] == ("InvalidArgument", 400)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "DES"}}]})
    assert _error(exc)[:2] == ("MalformedXML", 400)
    s3.delete_bucket_encryption(Bucket=bucket)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_accelerate_configuration(s3, bucket):
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"
    s3.create_bucket(Bucket="dotted.bucket")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_accelerate_configuration(Bucket="dotted.bucket", AccelerateConfiguration={"Status": "Enabled"})
    code, status, message = _error(exc)
    assert (code, status) == ("InvalidRequest", 400) and "periods" in message


def test_ownership_controls_default_to_bucket_owner_enforced(s3, bucket):
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_ownership_controls(Bucket=bucket)
    assert _error(exc) == ("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found")


def test_public_access_block_defaults_on_and_can_be_deleted(s3, bucket):
    config = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert config == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                      "RestrictPublicBuckets": True}
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    config = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert config == {"BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
                      "RestrictPublicBuckets": False}
    s3.delete_public_access_block(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_public_access_block(Bucket=bucket)
    assert _error(exc) == ("NoSuchPublicAccessBlockConfiguration", 404,
                           "The public access block configuration was not found")


def test_logging_and_request_payment(s3, bucket):
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "no-such-logs", "TargetPrefix": "logs/"}})
    assert _error(exc)[:2] == ("InvalidTargetBucketForLogging", 400)
    s3.create_bucket(Bucket="the-logs")
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "the-logs", "TargetPrefix": "logs/"}})
    enabled = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert enabled["TargetBucket"] == "the-logs" and enabled["TargetPrefix"] == "logs/"
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"


def test_configurations_go_with_the_bucket(s3, bucket):
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.delete_public_access_block(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert _error(exc)[:2] == ("NoSuchBucket", 404)
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert _error(exc)[0] == "NoSuchTagSet"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True


def test_expected_bucket_owner(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket, ExpectedBucketOwner="111122223333")
    assert _error(exc)[:2] == ("AccessDenied", 403)


# -- notification configuration ---------------------------------------------------------------

QUEUE = "arn:aws:sqs:us-east-1:000000000000:events"
TOPIC = "arn:aws:sns:us-east-1:000000000000:news"


def test_notification_configuration_round_trip(s3, bucket):
    assert {k: v for k, v in s3.get_bucket_notification_configuration(Bucket=bucket).items()
            if k != "ResponseMetadata"} == {}
    # the queue and topic do not exist: S3 takes them only with destination validation skipped
    s3.put_bucket_notification_configuration(Bucket=bucket, SkipDestinationValidation=True, NotificationConfiguration={
        "QueueConfigurations": [{"Id": "images", "QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"],
                                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "images/"},
                                                                    {"Name": "suffix", "Value": ".jpg"}]}}}],
        "TopicConfigurations": [{"TopicArn": TOPIC, "Events": ["s3:ObjectRemoved:Delete"]}],
    })
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    queue = config["QueueConfigurations"][0]
    assert queue["Id"] == "images" and queue["QueueArn"] == QUEUE and queue["Events"] == ["s3:ObjectCreated:*"]
    assert queue["Filter"]["Key"]["FilterRules"] == [{"Name": "Prefix", "Value": "images/"},
                                                     {"Name": "Suffix", "Value": ".jpg"}]
    topic = config["TopicConfigurations"][0]
    assert topic["TopicArn"] == TOPIC and topic["Id"]  # S3 names a configuration given no Id
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


@pytest.mark.parametrize("entry, message", [
    ({"QueueArn": "arn:aws:sqs:us-east-1:events", "Events": ["s3:ObjectCreated:*"]}, "The ARN is not well formed"),
    ({"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:Teleport"]}, "The event is not supported for notifications"),
    ({"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"],
      "Filter": {"Key": {"FilterRules": [{"Name": "middle", "Value": "x"}]}}},
     "filter rule name must be either prefix or suffix"),
])
def test_notification_configuration_errors(s3, bucket, entry, message):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket,
                                                 NotificationConfiguration={"QueueConfigurations": [entry]})
    assert _error(exc) == ("InvalidArgument", 400, message)


def test_overlapping_notification_filters_are_refused(s3, bucket):
    entries = [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}},
               {"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:Put"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/b/"}]}}}]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": entries})
    code, _, message = _error(exc)
    assert code == "InvalidArgument" and message.startswith("Configuration is ambiguously defined")
    entries[1]["Filter"]["Key"]["FilterRules"][0]["Value"] = "b/"
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": entries},
                                             SkipDestinationValidation=True)


def _via_accelerate_endpoint(endpoint: str):
    """A client of ``<bucket>.s3-accelerate.localhost``: connects to 127.0.0.1, keeps the Host."""
    import boto3
    from botocore.config import Config

    port = endpoint.rsplit(":", 1)[1]
    client = boto3.session.Session().client(
        "s3", endpoint_url=f"http://s3-accelerate.localhost:{port}", region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1}))

    def resolve(request, **kwargs):
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(request.url)
        request.headers["Host"] = parts.netloc
        request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))

    client.meta.events.register("before-send.s3", resolve)
    return client


def test_accelerate_endpoint_needs_acceleration_enabled(s3, bucket, endpoint):
    fast = _via_accelerate_endpoint(endpoint)
    with pytest.raises(ClientError) as exc:
        fast.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert _error(exc) == ("InvalidRequest", 400, "S3 Transfer Acceleration is not configured on this bucket")
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    fast.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert fast.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Suspended"})
    with pytest.raises(ClientError) as exc:
        fast.get_object(Bucket=bucket, Key="k")
    assert _error(exc) == ("InvalidRequest", 400, "S3 Transfer Acceleration is disabled on this bucket")
