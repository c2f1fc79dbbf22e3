"""HTTP/S subscriptions against a real local endpoint: the SubscriptionConfirmation and its
working SubscribeURL, notifications with AWS's headers and a signature that verifies with the
certificate Overcast serves, raw delivery, retries per the delivery policy driven by the cloud
clock, the dead-letter queue once the policy is spent, and the DeliveryPolicy checks."""

from __future__ import annotations

import itertools
import json
import os
import time

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from http_endpoint import Endpoint, body_of, self_signed_certificate, verify_signature
from serverproc import ServerProcess

_paths = itertools.count(1)
STRICT = os.environ.get("OVERCAST_TEST_MODE") == "strict"


@pytest.fixture(scope="module")
def web():
    endpoint = Endpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture
def path():
    return f"/hook-{next(_paths)}"


@pytest.fixture
def advance(server):
    def move(seconds: float) -> None:
        server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())

    return move


def _wait_retry_recorded(proc) -> None:
    """Waits until SNS has recorded a failed delivery's retry (a timer is pending): the endpoint
    sees the attempt before SNS has read its answer, and a clock moved in between would leave
    the retry behind."""
    for _ in range(200):
        if json.loads(proc.get("/_overcast/health"))["timers"]["pending"] >= 1:
            return
        time.sleep(0.025)
    raise AssertionError("no retry was scheduled")


@pytest.fixture
def retry_recorded(server):
    return lambda: _wait_retry_recorded(server)


def _confirmed(sns, web, topic_arn: str, path: str, **attributes) -> str:
    """Subscribes ``path`` and confirms it with the token it was sent; returns its ARN.

    Open mode follows the SubscribeURL as an endpoint does; strict mode signs a
    ConfirmSubscription with the token instead (it refuses the unsigned GET for now)."""
    sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=web.url(path),
                  Attributes={k: str(v) for k, v in attributes.items()})
    [confirmation] = web.wait_for(path)
    if STRICT:
        sns.confirm_subscription(TopicArn=topic_arn, Token=body_of(confirmation)["Token"])
    else:
        answer = requests.get(body_of(confirmation)["SubscribeURL"], timeout=10)
        assert answer.status_code == 200, answer.text
    [sub] = [s for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
             if s["Endpoint"] == web.url(path)]
    assert sub["SubscriptionArn"].startswith(topic_arn + ":")
    return sub["SubscriptionArn"]


def test_confirmation_is_posted_with_a_working_subscribe_url(sns, topic, web, path):
    topic_arn = topic()
    answer = sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=web.url(path))
    assert answer["SubscriptionArn"] == "pending confirmation"
    [request] = web.wait_for(path)
    headers = {k.lower(): v for k, v in request["headers"].items()}
    document = body_of(request)
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert headers["x-amz-sns-message-id"] == document["MessageId"]
    assert headers["x-amz-sns-topic-arn"] == topic_arn
    assert "x-amz-sns-subscription-arn" not in headers  # not confirmed yet: no subscription to name
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    assert headers["user-agent"] == "Amazon Simple Notification Service Agent"
    assert document["Type"] == "SubscriptionConfirmation" and document["TopicArn"] == topic_arn
    assert document["Token"] and document["SubscribeURL"].endswith(document["Token"])
    verify_signature(document)
    [pending] = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert pending["SubscriptionArn"] == "PendingConfirmation"

    confirmed = requests.get(document["SubscribeURL"], timeout=10)
    assert confirmed.status_code == 200
    assert "<ConfirmSubscriptionResult>" in confirmed.text
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert sub["SubscriptionArn"].startswith(topic_arn + ":") and sub["SubscriptionArn"] in confirmed.text


@pytest.mark.parametrize("version", ["1", "2"])
def test_notification_has_aws_headers_and_a_signature_that_verifies(sns, topic, web, path, version):
    topic_arn = topic(SignatureVersion=version)
    sub_arn = _confirmed(sns, web, topic_arn, path)
    published = sns.publish(TopicArn=topic_arn, Message="hello, endpoint", Subject="Greeting",
                            MessageAttributes={"color": {"DataType": "String", "StringValue": "blue"}})
    _, request = web.wait_for(path, 2)
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert headers["x-amz-sns-message-id"] == published["MessageId"]
    assert headers["x-amz-sns-topic-arn"] == topic_arn
    assert headers["x-amz-sns-subscription-arn"] == sub_arn
    assert headers["x-amz-sns-rawdelivery"] == "false"
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    assert headers["user-agent"] == "Amazon Simple Notification Service Agent"
    document = body_of(request)
    assert (document["Type"], document["Message"], document["Subject"]) == ("Notification", "hello, endpoint",
                                                                            "Greeting")
    assert document["SignatureVersion"] == version
    assert document["MessageAttributes"] == {"color": {"Type": "String", "Value": "blue"}}
    verify_signature(document)
    document["Message"] = "tampered"
    with pytest.raises(Exception):
        verify_signature(document)


def test_raw_delivery_posts_the_message_itself(sns, topic, web, path):
    topic_arn = topic()
    _confirmed(sns, web, topic_arn, path, RawMessageDelivery="true")
    sns.publish(TopicArn=topic_arn, Message='{"just": "the message"}')
    _, request = web.wait_for(path, 2)
    assert request["body"] == '{"just": "the message"}'
    assert {k.lower(): v for k, v in request["headers"].items()}["x-amz-sns-rawdelivery"] == "true"


def test_delivery_policy_sets_the_content_type(sns, topic, web, path):
    topic_arn = topic()
    sub_arn = _confirmed(sns, web, topic_arn, path)
    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(
        {"requestPolicy": {"headerContentType": "application/json"}}))
    sns.publish(TopicArn=topic_arn, Message="typed")
    _, request = web.wait_for(path, 2)
    assert {k.lower(): v for k, v in request["headers"].items()}["content-type"] == "application/json"


def _retry_policy(**fields) -> str:
    return json.dumps({"healthyRetryPolicy": {"minDelayTarget": 10, "maxDelayTarget": 10, "numRetries": 2,
                                              **fields}})


def test_failed_deliveries_are_retried_as_the_cloud_clock_moves(sns, topic, web, path, advance, retry_recorded):
    topic_arn = topic()
    sub_arn = _confirmed(sns, web, topic_arn, path)
    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="DeliveryPolicy",
                                    AttributeValue=_retry_policy(numRetries=3, numNoDelayRetries=1))
    web.answer(path, 500, 503, 502)
    sns.publish(TopicArn=topic_arn, Message="try again")
    web.wait_for(path, 3)  # the attempt, then the immediate retry: both fail
    retry_recorded()
    advance(9)
    assert len(web.requests_to(path)) == 3  # the next retry waits minDelayTarget seconds
    advance(1)
    web.wait_for(path, 4)
    retry_recorded()
    assert len(web.requests_to(path)) == 4  # it failed (502): the last retry is 10 seconds later
    advance(10)
    attempts = web.wait_for(path, 5)
    assert {body_of(a)["Message"] for a in attempts[1:]} == {"try again"}
    assert len({body_of(a)["MessageId"] for a in attempts[1:]}) == 1  # the same message each time
    advance(60)
    assert len(web.requests_to(path)) == 5  # delivered: nothing more


def test_topic_delivery_policy_applies_unless_the_subscription_overrides(sns, topic, web, path, advance,
                                                                         retry_recorded):
    topic_arn = topic(DeliveryPolicy=json.dumps({"http": {"defaultHealthyRetryPolicy": {
        "minDelayTarget": 5, "maxDelayTarget": 5, "numRetries": 1}}}))
    _confirmed(sns, web, topic_arn, path)
    web.answer(path, 500)
    sns.publish(TopicArn=topic_arn, Message="topic policy")
    web.wait_for(path, 2)
    retry_recorded()
    advance(5)
    web.wait_for(path, 3)


def test_what_is_never_delivered_goes_to_the_dead_letter_queue(sns, sqs, topic, queue, web, path, advance,
                                                               retry_recorded):
    topic_arn = topic()
    dlq_url, dlq_arn = queue()
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"Policy": json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": dlq_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})
    sub_arn = _confirmed(sns, web, topic_arn, path, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}))
    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="DeliveryPolicy",
                                    AttributeValue=_retry_policy(numRetries=1))
    web.answer(path, 500, 500, 500)
    sns.publish(TopicArn=topic_arn, Message="nobody home")
    web.wait_for(path, 2)
    retry_recorded()
    assert "Messages" not in sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0)
    advance(10)  # the one retry fails too: the policy is spent
    web.wait_for(path, 3)
    answer = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=5)
    [dead] = answer["Messages"]
    document = json.loads(dead["Body"])
    assert (document["Type"], document["Message"], document["TopicArn"]) == ("Notification", "nobody home", topic_arn)


def test_a_refused_connection_is_a_failed_delivery(sns, topic, web, path, advance, retry_recorded):
    topic_arn = topic()
    sub_arn = _confirmed(sns, web, topic_arn, path)
    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="DeliveryPolicy",
                                    AttributeValue=_retry_policy(numRetries=1))
    web.answer(path, 404)
    sns.publish(TopicArn=topic_arn, Message="not found")
    web.wait_for(path, 2)
    retry_recorded()
    advance(10)
    web.wait_for(path, 3)


BAD_POLICIES = [
    ({"healthyRetryPolicy": {"minDelayTarget": 0, "maxDelayTarget": 5, "numRetries": 3}},
     "DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1"),
    ({"healthyRetryPolicy": {"numRetries": 43, "numMaxDelayRetries": 23}},
     "DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be specified"),
    ({"healthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 3, "numRetries": 4}},
     "DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget"),
    ({"healthyRetryPolicy": {"minDelayTarget": 2, "maxDelayTarget": 3, "numRetries": 20, "numMaxDelayRetries": 7,
                             "numMinDelayRetries": 7, "numNoDelayRetries": 7}},
     "DeliveryPolicy: healthyRetryPolicy.numRetries must be greater than or equal to total of numMinDelayRetries, "
     "numNoDelayRetries and numMaxDelayRetries"),
    ({"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 3601, "numRetries": 1}},
     "DeliveryPolicy: healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600"),
    ({"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 3, "numRetries": 101}},
     "DeliveryPolicy: healthyRetryPolicy.numRetries must be less than or equal to 100"),
    ({"throttlePolicy": {"maxReceivesPerSecond": 0}},
     "DeliveryPolicy: throttlePolicy.maxReceivesPerSecond must be >= 1"),
]


@pytest.mark.parametrize("policy,reason", BAD_POLICIES)
def test_bad_delivery_policies_are_refused_with_aws_texts(sns, topic, web, path, policy, reason):
    topic_arn = topic()
    sub_arn = _confirmed(sns, web, topic_arn, path)
    with pytest.raises(ClientError) as exc:
        sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="DeliveryPolicy",
                                        AttributeValue=json.dumps(policy))
    error = exc.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidParameter", f"Invalid parameter: {reason}")
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=web.url(path + "-other"),
                      Attributes={"DeliveryPolicy": json.dumps(policy)})
    assert exc.value.response["Error"]["Message"] == f"Invalid parameter: Attributes Reason: {reason}"


def test_a_topic_delivery_policy_is_checked_too(sns, topic):
    topic_arn = topic()
    with pytest.raises(ClientError) as exc:
        sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(
            {"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 20, "maxDelayTarget": 10, "numRetries": 3}}}))
    assert exc.value.response["Error"]["Message"] == (
        "Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.maxDelayTarget must be greater than or "
        "equal to minDelayTarget")


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("endpoint-tls"))


@pytest.fixture(scope="module")
def tls_web(tls_files):
    endpoint = Endpoint(tls=tls_files)
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="module")
def trusting_server(tmp_path_factory, tls_files):
    """A server whose machine trusts the endpoint's certificate (as a CA bundle would)."""
    extra = ("--strict",) if STRICT else ()
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-https")), *extra,
                         env={"SSL_CERT_FILE": tls_files[0]}).start()
    yield proc
    proc.stop()


def test_https_endpoint_with_a_trusted_certificate_gets_its_messages(trusting_server, tls_web, path):
    sns = boto3.session.Session().client("sns", endpoint_url=trusting_server.endpoint, region_name="us-east-1",
                                         aws_access_key_id="test", aws_secret_access_key="test")
    topic_arn = sns.create_topic(Name="secure")["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="https", Endpoint=tls_web.url(path))
    [confirmation] = tls_web.wait_for(path)
    document = body_of(confirmation)
    sns.confirm_subscription(TopicArn=topic_arn, Token=document["Token"])
    sns.publish(TopicArn=topic_arn, Message="over TLS")
    _, notification = tls_web.wait_for(path, 2)
    assert body_of(notification)["Message"] == "over TLS"
    verify_signature(body_of(notification))


def test_https_endpoint_with_an_untrusted_certificate_gets_nothing(sns, topic, tls_web, path, advance):
    topic_arn = topic()
    sns.subscribe(TopicArn=topic_arn, Protocol="https", Endpoint=tls_web.url(path))
    advance(3600)  # every retry of the confirmation fails the certificate check
    assert tls_web.requests_to(path) == []


def test_a_waiting_retry_survives_a_kill_and_fires_on_the_clock(tmp_path, web, path):
    extra = ("--strict",) if STRICT else ()
    proc = ServerProcess(str(tmp_path / "data"), *extra).start()
    try:
        sns = boto3.session.Session().client("sns", endpoint_url=proc.endpoint, region_name="us-east-1",
                                             aws_access_key_id="test", aws_secret_access_key="test")
        topic_arn = sns.create_topic(Name="restarted")["TopicArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=web.url(path),
                      Attributes={"DeliveryPolicy": _retry_policy(minDelayTarget=30, maxDelayTarget=30,
                                                                  numRetries=1)})
        [confirmation] = web.wait_for(path)
        sns.confirm_subscription(TopicArn=topic_arn, Token=body_of(confirmation)["Token"])
        web.answer(path, 500)
        sns.publish(TopicArn=topic_arn, Message="after the crash")
        web.wait_for(path, 2)  # failed; the retry waits 30 seconds of cloud time
        _wait_retry_recorded(proc)
        proc.kill()
        proc.start()
        assert len(web.requests_to(path)) == 2
        proc.post("/_overcast/clock", json.dumps({"advance": 30}).encode())
        _, _, retried = web.wait_for(path, 3)
        assert body_of(retried)["Message"] == "after the crash"
    finally:
        proc.stop()


@pytest.mark.parametrize("function,delays", [
    ("exponential", (2 + 6 / 7, 2 + 18 / 7, 8)),  # growth doubling at each step, from 2 to 8 seconds
    ("arithmetic", (3, 5, 8)),  # growth one step more each time
])
def test_backoff_function_spaces_the_retries(sns, topic, web, path, advance, function, delays, retry_recorded):
    topic_arn = topic()
    sub_arn = _confirmed(sns, web, topic_arn, path)
    sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(
        {"healthyRetryPolicy": {"minDelayTarget": 2, "maxDelayTarget": 8, "numRetries": 3,
                                "backoffFunction": function}}))
    web.answer(path, 500, 500, 500, 500)
    sns.publish(TopicArn=topic_arn, Message="backing off")
    web.wait_for(path, 2)
    retry_recorded()
    advance(delays[0])
    web.wait_for(path, 3)
    retry_recorded()
    advance(delays[1] - 0.3)
    assert len(web.requests_to(path)) == 3
    advance(0.3)
    web.wait_for(path, 4)
    retry_recorded()
    advance(delays[2])
    web.wait_for(path, 5)
