"""Subscriptions: Subscribe (attributes, idempotence, endpoints' checks), confirmation with a
token and through the SubscribeURL link, Unsubscribe (also through UnsubscribeURL), lists and
attributes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError
from sns_helpers import envelope_of

ACCOUNT = "000000000000"
OTHER = "111122223333"


def error_of(excinfo) -> tuple[str, str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_subscribe_a_queue_of_the_same_account_is_confirmed_at_once(sns, topic, queue):
    arn = topic()
    _, queue_arn = queue()
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn,
                        Attributes={"RawMessageDelivery": "True"})["SubscriptionArn"]
    assert sub.startswith(arn + ":")
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["RawMessageDelivery"] == "true"
    assert (attributes["Protocol"], attributes["Endpoint"], attributes["TopicArn"], attributes["Owner"]) == \
        ("sqs", queue_arn, arn, ACCOUNT)
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["SubscriptionsConfirmed"] == "1"
    # Subscribe again: the same subscription
    assert sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"] == sub
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "false"})
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Attributes Reason: Subscription already "
                                 "exists with different attributes", 400)


def test_list_subscriptions_and_by_topic(sns, topic, queue):
    first, second = topic(), topic()
    subs = {sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=queue()[1])["SubscriptionArn"] for t in
            (first, first, second)}
    listed = sns.list_subscriptions()["Subscriptions"]
    assert {s["SubscriptionArn"] for s in listed} == subs
    assert all(s["Owner"] == ACCOUNT and s["Protocol"] == "sqs" for s in listed)
    assert len(sns.list_subscriptions_by_topic(TopicArn=first)["Subscriptions"]) == 2


def test_list_subscriptions_pages_by_100(sns, topic, queue):
    arn = topic()
    _, queue_arn = queue()
    made = [sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=f"{queue_arn[:-1]}{i}")["SubscriptionArn"]
            for i in range(105)]
    first = sns.list_subscriptions_by_topic(TopicArn=arn)
    assert len(first["Subscriptions"]) == 100 and first["NextToken"]
    rest = sns.list_subscriptions_by_topic(TopicArn=arn, NextToken=first["NextToken"])
    assert [s["SubscriptionArn"] for s in first["Subscriptions"] + rest["Subscriptions"]] == made
    with pytest.raises(ClientError) as excinfo:
        sns.list_subscriptions(NextToken="!!!")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: NextToken", 400)


@pytest.mark.parametrize("protocol,address,message", [
    ("carrier-pigeon", "x", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"),
    ("sqs", "not-an-arn", "Invalid parameter: SQS endpoint ARN"),
    ("http", "https://example.com", "Invalid parameter: Endpoint must match the specified protocol"),
    ("email", "nobody", "Invalid parameter: Email address"),
])
def test_invalid_endpoints(sns, topic, protocol, address, message):
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic(), Protocol=protocol, Endpoint=address)
    assert error_of(excinfo) == ("InvalidParameter", message, 400)


def test_fifo_queue_cannot_subscribe_to_a_standard_topic(sns, topic, queue):
    _, queue_arn = queue("q.fifo", FifoQueue="true")
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic(), Protocol="sqs", Endpoint=queue_arn)
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO "
                                 "SQS Queues can not be subscribed to standard SNS topics", 400)


def test_subscribe_to_a_missing_topic(sns, queue):
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:absent", Protocol="sqs", Endpoint=queue()[1])
    assert error_of(excinfo) == ("NotFound", "Topic does not exist", 404)


def test_raw_delivery_is_refused_where_the_protocol_has_no_raw_form(sns, topic):
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic(), Protocol="email", Endpoint="a@example.com",
                      Attributes={"RawMessageDelivery": "true"})
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Attributes Reason: Delivery protocol "
                                 "[email] does not support raw message delivery.", 400)


def test_fifo_topics_take_sqs_subscriptions_only(sns, topic):
    with pytest.raises(ClientError) as excinfo:
        sns.subscribe(TopicArn=topic("only-queues.fifo", FifoTopic="true"), Protocol="sms", Endpoint="+15555550100")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Invalid protocol type: sms", 400)


def test_set_subscription_attributes(sns, topic, queue):
    sub = sns.subscribe(TopicArn=topic(), Protocol="sqs", Endpoint=queue()[1])["SubscriptionArn"]
    policy = json.dumps({"store": ["example_corp"]})
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=policy)
    dlq = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dead"
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RedrivePolicy",
                                    AttributeValue=json.dumps({"deadLetterTargetArn": dlq}))
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attributes["FilterPolicy"] == policy and attributes["FilterPolicyScope"] == "MessageAttributes"
    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dlq}
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                        AttributeValue="maybe")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: RawMessageDelivery: Invalid value [maybe]. "
                                 "Must be true or false.", 400)
    with pytest.raises(ClientError) as excinfo:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RedrivePolicy", AttributeValue="{")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: RedrivePolicy: failed to parse JSON.", 400)


def test_missing_subscription(sns, topic):
    missing = f"{topic()}:0f3f4a1e-7e7c-4a5b-9c1d-2e3f4a5b6c7d"
    with pytest.raises(ClientError) as excinfo:
        sns.get_subscription_attributes(SubscriptionArn=missing)
    assert error_of(excinfo) == ("NotFound", "Subscription does not exist", 404)
    sns.unsubscribe(SubscriptionArn=missing)  # idempotent
    with pytest.raises(ClientError) as excinfo:
        sns.unsubscribe(SubscriptionArn="arn:aws:sns:us-east-1")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: SubscriptionArn Reason: An ARN must have at "
                                 "least 6 elements, not 4", 400)


def test_unsubscribe_counts_a_deleted_subscription(sns, topic, queue):
    arn = topic()
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue()[1])["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=sub)
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsDeleted"]) == ("0", "1")
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []


@pytest.mark.open_mode_only  # another account's key, and an unsigned GET (strict mode's authenticator refuses it)
def test_cross_account_queue_waits_for_confirmation_sent_to_the_queue(sns, topic, queue, aws_client):
    """A queue of another account gets a SubscriptionConfirmation; its SubscribeURL confirms
    (an unsigned GET, as a browser or curl follows it)."""
    arn = topic()
    url, queue_arn = queue()
    other_queue_arn = queue_arn.replace(ACCOUNT, OTHER)
    # the queue of the other account: created by that account (open mode: a 12-digit key is its account)
    other_sqs = aws_client("sqs", aws_access_key_id=OTHER)
    other_url = other_sqs.create_queue(QueueName=queue_arn.rsplit(":", 1)[1])["QueueUrl"]
    answer = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=other_queue_arn)
    assert answer["SubscriptionArn"] == "pending confirmation"
    listed = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert listed[0]["SubscriptionArn"] == "PendingConfirmation"
    got = _receive_with(other_sqs, other_url)
    confirmation = envelope_of(got)
    assert confirmation["Type"] == "SubscriptionConfirmation"
    assert list(confirmation) == ["Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp",
                                  "SignatureVersion", "Signature", "SigningCertURL"]
    assert confirmation["Message"] == (f"You have chosen to subscribe to the topic {arn}.\nTo confirm the "
                                       "subscription, visit the SubscribeURL included in this message.")
    with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10) as response:
        body = response.read().decode()
    assert "<ConfirmSubscriptionResponse" in body
    sub = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"][0]["SubscriptionArn"]
    assert sub.startswith(arn + ":") and sub in body
    # confirming again with the token answers the same subscription
    assert sns.confirm_subscription(TopicArn=arn, Token=confirmation["Token"])["SubscriptionArn"] == sub
    with pytest.raises(ClientError) as excinfo:
        sns.confirm_subscription(TopicArn=arn, Token="00" * 10)
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Token", 400)


def _receive_with(sqs, url):
    for _ in range(20):
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        if messages:
            return messages[0]
    raise AssertionError("nothing delivered")


def test_unsubscribe_url_unsubscribes(sns, topic, queue, receive):
    arn = topic()
    url, queue_arn = queue()
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    sns.publish(TopicArn=arn, Message="m")
    notification = envelope_of(receive(url, 1)[0])
    with urllib.request.urlopen(notification["UnsubscribeURL"], timeout=10) as response:
        assert response.status == 200
        assert "<UnsubscribeResponse" in response.read().decode()
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []
    with pytest.raises(ClientError):
        sns.get_subscription_attributes(SubscriptionArn=sub)


@pytest.mark.open_mode_only  # another account's key, and an unsigned GET
def test_authenticate_on_unsubscribe_refuses_the_unsigned_link(sns, topic, queue, aws_client):
    arn = topic()
    _, queue_arn = queue()
    other_sqs = aws_client("sqs", aws_access_key_id=OTHER)
    other_url = other_sqs.create_queue(QueueName=queue_arn.rsplit(":", 1)[1])["QueueUrl"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn.replace(ACCOUNT, OTHER))
    token = envelope_of(_receive_with(other_sqs, other_url))["Token"]
    sub = sns.confirm_subscription(TopicArn=arn, Token=token, AuthenticateOnUnsubscribe="true")["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["ConfirmationWasAuthenticated"] == "true"
    link = f"{sns.meta.endpoint_url}/?Action=Unsubscribe&SubscriptionArn={sub}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(link, timeout=10)
    assert refused.value.code == 403 and "AuthorizationError" in refused.value.read().decode()
    sns.unsubscribe(SubscriptionArn=sub)  # signed: allowed
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []
