"""Strict mode: the topic policy and identity policies decide who may publish (SNS's own
AuthorizationError wording), and SNS delivers to a queue only when the queue's policy lets
``sns.amazonaws.com`` send for that topic; a refused delivery goes to the subscription's DLQ."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

ACCOUNT = "111122223333"
OTHER = "444455556666"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-sns")), "--strict").start()
    yield proc
    proc.stop()


def client(server, service, key=ACCOUNT, secret="test"):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, read_timeout=30))


def policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def make_user(iam, name: str, *statements) -> tuple[str, str]:
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def denial(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


@pytest.fixture(scope="module")
def root(strict):
    return {name: client(strict, name) for name in ("sns", "sqs", "iam")}


def test_user_allowed_by_the_topic_policy_only(strict, root):
    arn = root["sns"].create_topic(Name="by-topic-policy")["TopicArn"]
    keys = make_user(root["iam"], "publisher-by-topic")
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/publisher-by-topic"
    root["sns"].set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy(
        {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "SNS:Publish", "Resource": arn}))
    assert client(strict, "sns", *keys).publish(TopicArn=arn, Message="m")["MessageId"]


def test_user_allowed_by_an_identity_policy_only(strict, root):
    arn = root["sns"].create_topic(Name="by-identity")["TopicArn"]
    keys = make_user(root["iam"], "publisher-by-identity",
                     {"Effect": "Allow", "Action": "sns:Publish", "Resource": arn})
    user = client(strict, "sns", *keys)
    assert user.publish(TopicArn=arn, Message="m")["MessageId"]
    code, status, message = denial(user.get_topic_attributes, TopicArn=arn)
    assert (code, status) == ("AuthorizationError", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT}:user/publisher-by-identity is not authorized to perform: "
                       f"SNS:GetTopicAttributes on resource: {arn} because no identity-based policy allows the "
                       "SNS:GetTopicAttributes action")


def test_user_without_a_grant_is_denied(strict, root):
    arn = root["sns"].create_topic(Name="denied")["TopicArn"]
    keys = make_user(root["iam"], "nobody")
    code, status, message = denial(client(strict, "sns", *keys).publish, TopicArn=arn, Message="m")
    assert (code, status) == ("AuthorizationError", 403)
    assert message == (f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: SNS:Publish on "
                       f"resource: {arn} because no identity-based policy allows the SNS:Publish action")


def test_malformed_topic_arn_is_invalid_before_authorization(strict, root):
    keys = make_user(root["iam"], "careless")
    code, status, message = denial(client(strict, "sns", *keys).publish, TopicArn="nonsense", Message="m")
    assert (code, status, message) == ("InvalidParameter", 400, "Invalid parameter: TopicArn")


def test_another_account_needs_add_permission(strict, root):
    arn = root["sns"].create_topic(Name="shared")["TopicArn"]
    other = client(strict, "sns", OTHER)
    code, status, message = denial(other.publish, TopicArn=arn, Message="m")
    assert (code, status) == ("AuthorizationError", 403)
    assert message.endswith("because no resource-based policy allows the SNS:Publish action")
    root["sns"].add_permission(TopicArn=arn, Label="other-publishes", AWSAccountId=[OTHER], ActionName=["Publish"])
    assert other.publish(TopicArn=arn, Message="m")["MessageId"]


def _queue(sqs, name: str, allow_topic: str | None = None) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if allow_topic:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy({
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": allow_topic}}})})
    return url, arn


def _bodies(sqs, url: str, count: int) -> list[str]:
    got = []
    for _ in range(15):
        if len(got) >= count:
            break
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []):
            got.append(json.loads(message["Body"])["Message"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return got


def test_delivery_needs_the_queue_policy_and_refusals_go_to_the_dlq(strict, root):
    sns, sqs = root["sns"], root["sqs"]
    arn = sns.create_topic(Name="deliveries")["TopicArn"]
    open_url, open_arn = _queue(sqs, "lets-sns-in", allow_topic=arn)
    closed_url, closed_arn = _queue(sqs, "no-policy")
    dlq_url, dlq_arn = _queue(sqs, "sns-dlq", allow_topic=arn)
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=open_arn)
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=closed_arn,
                  Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    sns.publish(TopicArn=arn, Message="first")
    sns.publish(TopicArn=arn, Message="second")
    assert _bodies(sqs, open_url, 2) == ["first", "second"]
    assert sorted(_bodies(sqs, dlq_url, 2)) == ["first", "second"]
    assert sqs.receive_message(QueueUrl=closed_url).get("Messages", []) == []


def test_a_bad_message_is_invalid_before_authorization(strict, root):
    arn = root["sns"].create_topic(Name="checked-first")["TopicArn"]
    keys = make_user(root["iam"], "hasty")
    code, status, message = denial(client(strict, "sns", *keys).publish, TopicArn=arn, Message="")
    assert (code, status, message) == ("InvalidParameter", 400, "Invalid parameter: Empty message")


def test_only_the_links_go_unsigned(strict, root):
    """The SubscribeURL / UnsubscribeURL operations are answered unsigned (the token or the
    subscription is the proof); any other SNS call without a signature is refused."""
    import requests

    arn = root["sns"].create_topic(Name="unsigned-links")["TopicArn"]
    refused = requests.get(f"{strict.endpoint}/", params={"Action": "Publish", "TopicArn": arn, "Message": "x"},
                           timeout=10)
    assert refused.status_code == 403 and b"<Code>" in refused.content
    bad_token = requests.get(f"{strict.endpoint}/", params={
        "Action": "ConfirmSubscription", "TopicArn": arn, "Token": "not-a-token"}, timeout=10)
    assert bad_token.status_code == 400 and b"InvalidParameter" in bad_token.content


def test_mobile_push_actions_are_authorized(strict, root):
    keys = make_user(root["iam"], "push-admin", {"Effect": "Allow", "Resource": "*", "Action": [
        "sns:CreatePlatformApplication", "sns:CreatePlatformEndpoint"]})
    user = client(strict, "sns", *keys)
    app = user.create_platform_application(Name="strict-app", Platform="GCM",
                                           Attributes={"PlatformCredential": "key"})["PlatformApplicationArn"]
    endpoint = user.create_platform_endpoint(PlatformApplicationArn=app, Token="t-1")["EndpointArn"]
    code, status, message = denial(user.list_platform_applications)
    assert (code, status) == ("AuthorizationError", 403)
    assert "is not authorized to perform: SNS:ListPlatformApplications" in message
    code, status, message = denial(user.publish, TargetArn=endpoint, Message="m")
    assert (code, status) == ("AuthorizationError", 403)
    assert f"SNS:Publish on resource: {endpoint}" in message
    assert root["sns"].publish(TargetArn=endpoint, Message="m")["MessageId"]
