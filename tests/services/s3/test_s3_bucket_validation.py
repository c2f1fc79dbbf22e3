"""Bucket-level validation as S3 answers it: the expected-bucket-owner condition, CreateBucket's
configuration, versioning / acceleration / ownership / lifecycle checks, DeleteBucket on a
versioned bucket, and notification destinations (validated through SQS)."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError
from s3_raw import error_of, send
from serverproc import ServerProcess

ACCOUNT = "000000000000"  # the test credentials' account


def _error(exc) -> tuple[str, int, str]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


# -- x-amz-expected-bucket-owner ---------------------------------------------------------------

@pytest.mark.parametrize("value", ["12345", "abcdefghijkl", "0000000000001", ""])
def test_malformed_expected_owner_is_refused_before_anything_else(endpoint, bucket, value):
    for method, path in (("GET", f"/{bucket}?list-type=2"), ("GET", f"/{bucket}/no-such-key"),
                         ("GET", f"/{bucket}?tagging"), ("GET", "/no-such-bucket-anywhere?versioning")):
        response = send(endpoint, method, path, headers={"x-amz-expected-bucket-owner": value})
        assert response.status_code == 400, (path, response.text)
        error = error_of(response)
        assert error["Code"] == "InvalidBucketOwnerAWSAccountID"
        assert error["Message"] == f"The value of the expected bucket owner parameter must be an AWS Account ID... [{value}]"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-expected-owner")), "--strict").start()
    yield proc
    proc.stop()


def test_malformed_expected_owner_comes_before_authorization_in_strict_mode(strict_server):
    """A caller the bucket would refuse (anonymous, unsigned) still gets the parameter error
    first: S3 validates the request's parameters before it authorizes."""
    send(strict_server.endpoint, "PUT", "/private-bucket")  # the root creates it
    url = f"{strict_server.endpoint}/private-bucket?list-type=2"
    response = requests.get(url, headers={"x-amz-expected-bucket-owner": "12345"}, timeout=10)
    assert response.status_code == 400, response.text
    assert error_of(response)["Code"] == "InvalidBucketOwnerAWSAccountID"
    # a well-formed value: authorization decides (the anonymous caller may not list)
    response = requests.get(url, headers={"x-amz-expected-bucket-owner": ACCOUNT}, timeout=10)
    assert response.status_code == 403 and error_of(response)["Code"] == "AccessDenied"


def test_expected_owner_of_another_account_is_denied_on_object_and_bucket_operations(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    calls = [lambda o: s3.get_object(Bucket=bucket, Key="k", ExpectedBucketOwner=o),
             lambda o: s3.put_object(Bucket=bucket, Key="k2", Body=b"y", ExpectedBucketOwner=o),
             lambda o: s3.list_objects_v2(Bucket=bucket, ExpectedBucketOwner=o),
             lambda o: s3.get_bucket_versioning(Bucket=bucket, ExpectedBucketOwner=o),
             lambda o: s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=o)]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call("111111111111")
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        call(ACCOUNT)  # the right owner: the call goes through
    assert "k2" in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]


def test_expected_owner_on_a_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket="never-made-bucket", ExpectedBucketOwner=ACCOUNT)
    assert _error(exc)[:2] == ("NoSuchBucket", 404)


@pytest.mark.parametrize("value", ["12345", ""])
def test_malformed_expected_source_owner_is_refused(endpoint, s3, bucket, value):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    response = send(endpoint, "PUT", f"/{bucket}/dst",
                    headers={"x-amz-copy-source": f"/{bucket}/src", "x-amz-source-expected-bucket-owner": value})
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["Code"] == "InvalidBucketOwnerAWSAccountID"
    assert error["Message"] == f"The value of the expected bucket owner parameter must be an AWS Account ID... [{value}]"


def test_expected_source_owner_of_another_account_is_denied(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"source")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    calls = [lambda o: s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                                      ExpectedSourceBucketOwner=o),
             lambda o: s3.upload_part_copy(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1,
                                           CopySource={"Bucket": bucket, "Key": "src"}, ExpectedSourceBucketOwner=o)]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call("111111111111")
        assert _error(exc) == ("AccessDenied", 403, "Access Denied")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="dst")
    assert "Parts" not in s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)
    for call in calls:
        call(ACCOUNT)  # the source bucket's owner: the copy goes through
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"source"
    assert len(s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)["Parts"]) == 1


# -- CreateBucket ------------------------------------------------------------------------------

@pytest.mark.parametrize("constraint", ["us-east-1", "aws-global", "moon-base-1"])
def test_invalid_location_constraints_in_us_east_1(s3, constraint):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="placed", CreateBucketConfiguration={"LocationConstraint": constraint})
    assert _error(exc) == ("InvalidLocationConstraint", 400, "The specified location-constraint is not valid")
    assert exc.value.response["Error"]["LocationConstraint"] == constraint
    assert "placed" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_eu_alias_is_kept(s3):
    s3.create_bucket(Bucket="old-europe", CreateBucketConfiguration={"LocationConstraint": "EU"})
    assert s3.get_bucket_location(Bucket="old-europe")["LocationConstraint"] == "EU"
    assert s3.head_bucket(Bucket="old-europe")["BucketRegion"] == "eu-west-1"


def test_location_is_the_path_in_us_east_1_and_the_virtual_hosted_url_elsewhere(s3, aws_client):
    assert s3.create_bucket(Bucket="here")["Location"] == "/here"
    west = aws_client("s3", region="eu-west-1")
    made = west.create_bucket(Bucket="there", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert made["Location"] == "http://there.s3.amazonaws.com/"


def test_creation_tags_tag_the_bucket(s3):
    s3.create_bucket(Bucket="tagged", CreateBucketConfiguration={
        "Tags": [{"Key": "team", "Value": "storage"}, {"Key": "cost", "Value": ""}]})
    assert s3.get_bucket_tagging(Bucket="tagged")["TagSet"] == [{"Key": "team", "Value": "storage"},
                                                                {"Key": "cost", "Value": ""}]


@pytest.mark.parametrize("tags, code, message", [
    ([{"Key": "aws:owner", "Value": "me"}], "InvalidTag",
     "User-defined tag keys can't start with \"aws:\". This prefix is reserved for system tags. Remove \"aws:\" "
     "from your tag keys and try again."),
    ([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}], "InvalidTag",
     "Cannot provide multiple Tags with the same key"),
    ([{"Key": "bad*key", "Value": "1"}], "InvalidTag", "The TagKey you have provided is invalid"),
])
def test_creation_tags_are_checked(s3, tags, code, message):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="tag-checked", CreateBucketConfiguration={"Tags": tags})
    assert _error(exc) == (code, 400, message)
    assert "tag-checked" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_creation_tag_without_a_value_is_malformed(endpoint):
    body = (b'<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Tags><Tag>'
            b"<Key>k</Key></Tag></Tags></CreateBucketConfiguration>")
    response = send(endpoint, "PUT", "/tag-malformed", body)
    assert response.status_code == 400 and error_of(response)["Code"] == "MalformedXML"


def test_empty_object_ownership_header_is_refused(endpoint):
    response = send(endpoint, "PUT", "/owned-bucket", headers={"x-amz-object-ownership": ""})
    assert response.status_code == 400
    error = error_of(response)
    assert error["Code"] == "InvalidArgument" and error["ArgumentName"] == "x-amz-object-ownership"


def test_creation_date_is_whole_seconds(endpoint, bucket):
    body = send(endpoint, "GET", "/").text
    assert f"<Name>{bucket}</Name><CreationDate>" in body
    date = body.split(f"<Name>{bucket}</Name><CreationDate>")[1].split("<")[0]
    assert date.endswith(".000Z")


# -- versioning, acceleration, lifecycle -------------------------------------------------------

def test_versioning_without_status(endpoint, bucket):
    for body in (b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>',
                 b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status></Status>'
                 b"</VersioningConfiguration>"):
        response = send(endpoint, "PUT", f"/{bucket}?versioning", body)
        assert response.status_code == 400
        error = error_of(response)
        assert (error["Code"], error["Message"]) == ("IllegalVersioningConfigurationException",
                                                     "The Versioning element must be specified")


def test_accelerate_on_a_dotted_bucket_is_refused_whatever_the_body(s3, endpoint):
    s3.create_bucket(Bucket="dotted.bucket")
    message = "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names"
    for body in (b'<AccelerateConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled'
                 b"</Status></AccelerateConfiguration>",
                 b'<AccelerateConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'):
        response = send(endpoint, "PUT", "/dotted.bucket?accelerate", body)
        assert response.status_code == 400
        assert (error_of(response)["Code"], error_of(response)["Message"]) == ("InvalidRequest", message)


def test_lifecycle_rule_needs_filter_or_prefix(endpoint, bucket):
    body = (b'<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>r</ID>'
            b"<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>")
    response = send(endpoint, "PUT", f"/{bucket}?lifecycle", body)
    assert response.status_code == 400 and error_of(response)["Code"] == "MalformedXML"


@pytest.mark.parametrize("value", ["", "tiny_objects_too"])
def test_lifecycle_minimum_object_size_header(s3, bucket, value):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, TransitionDefaultMinimumObjectSize=value,
            LifecycleConfiguration={"Rules": [{"ID": "r", "Filter": {}, "Status": "Enabled",
                                               "Expiration": {"Days": 1}}]})
    assert _error(exc) == ("InvalidRequest", 400, f"Invalid TransitionDefaultMinimumObjectSize found: {value}")


# -- DeleteBucket -----------------------------------------------------------------------------

def test_delete_versioned_bucket_with_versions(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="k")  # only a noncurrent version and a delete marker remain
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert _error(exc) == ("BucketNotEmpty", 409, "The bucket you tried to delete is not empty. You must delete "
                                                  "all versions in the bucket.")


def test_delete_unversioned_bucket_with_objects(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert _error(exc) == ("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")


# -- notification destinations -----------------------------------------------------------------

def _queue(aws_client, name: str, policy: dict | None = None) -> str:
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    if policy is not None:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _s3_may_send(arn: str, bucket: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arn, "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}}}]}


def _queue_config(*arns: str) -> dict:
    return {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                                     "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": f"{n}/"}]}}}
                                    for n, arn in enumerate(arns)]}


def test_queue_whose_policy_lets_s3_send_is_accepted(s3, aws_client, bucket):
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:accepting"
    _queue(aws_client, "accepting", _s3_may_send(arn, bucket))
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=_queue_config(arn))
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"][0]["QueueArn"] == arn


def test_failing_destinations_are_named_in_numbered_pairs(endpoint, aws_client, bucket):
    missing = f"arn:aws:sqs:us-east-1:{ACCOUNT}:no-such-queue"
    closed = _queue(aws_client, "closed-queue")  # no policy: S3 may not send
    other_bucket = _queue(aws_client, "other-bucket-queue", _s3_may_send(
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:other-bucket-queue", "some-other-bucket"))
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:a-topic"
    body = ('<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            + "".join(f"<QueueConfiguration><Queue>{arn}</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key>"
                      f"<FilterRule><Name>prefix</Name><Value>{n}/</Value></FilterRule></S3Key></Filter>"
                      "</QueueConfiguration>" for n, arn in enumerate((missing, closed, other_bucket)))
            + f"<TopicConfiguration><Topic>{topic}</Topic><Event>s3:ObjectRemoved:*</Event></TopicConfiguration>"
            "</NotificationConfiguration>").encode()
    response = send(endpoint, "PUT", f"/{bucket}?notification", body)
    assert response.status_code == 400
    error = error_of(response)
    refuses = "Permissions on the destination queue do not allow S3 to publish notifications from this bucket"
    assert (error["Code"], error["Message"]) == ("InvalidArgument",
                                                 "Unable to validate the following destination configurations")
    assert [(error[f"ArgumentName{n}"], error[f"ArgumentValue{n}"]) for n in (1, 2, 3, 4)] == [
        (missing, "The destination queue does not exist"), (closed, refuses), (other_bucket, refuses),
        (topic, "The destination topic does not exist")]
    assert "ArgumentName5" not in error
    assert "<ArgumentName1>" in response.text and response.text.index("<ArgumentName1>") < response.text.index(
        "<ArgumentValue1>") < response.text.index("<ArgumentName2>")
    # nothing was stored
    assert b"QueueConfiguration" not in send(endpoint, "GET", f"/{bucket}?notification").content


def test_lambda_destination_fails_validation_unless_skipped(s3, bucket):
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:resize"
    config = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": function, "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    error = exc.value.response["Error"]
    assert error["ArgumentName1"] == function and error["ArgumentValue1"] == f"Not authorized to invoke function [{function}]"
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config,
                                             SkipDestinationValidation=True)
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["LambdaFunctionConfigurations"]
    assert stored[0]["LambdaFunctionArn"] == function


@pytest.mark.parametrize("rules, message, value", [
    ([{"Name": "middle", "Value": "x"}], "filter rule name must be either prefix or suffix", "middle"),
    ([{"Name": "prefix", "Value": "a"}, {"Name": "Prefix", "Value": "b"}],
     "Cannot specify more than one prefix rule in a filter.", "Prefix"),
    ([{"Name": "suffix", "Value": "a"}, {"Name": "suffix", "Value": "b"}],
     "Cannot specify more than one suffix rule in a filter.", "suffix"),
])
def test_filter_rules_are_checked_before_destinations(s3, bucket, rules, message, value):
    config = {"QueueConfigurations": [{"QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:nowhere",
                                       "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": rules}}}]}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    assert _error(exc) == ("InvalidArgument", 400, message)
    assert exc.value.response["Error"]["ArgumentName"] == "FilterRule.Name"
    assert exc.value.response["Error"]["ArgumentValue"] == value


def test_overlapping_suffixes_across_destination_kinds(s3, bucket):
    config = {"QueueConfigurations": [{"QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q", "Events": ["s3:ObjectCreated:*"],
                                       "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}}}],
              "TopicConfigurations": [{"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:t", "Events": ["s3:ObjectCreated:Put"],
                                       "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": "cat.jpg"}]}}}]}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config,
                                                 SkipDestinationValidation=True)
    assert _error(exc) == ("InvalidArgument", 400, "Configuration is ambiguously defined. Cannot have overlapping "
                           "suffixes in two rules if the prefixes are overlapping for the same event type.")
