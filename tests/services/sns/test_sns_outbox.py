"""The outbox: email, email-json, sms and firehose deliveries stay on the machine and are
listed by ``GET /_overcast/sns/outbox`` and ``overcast sns outbox``; an email subscription is
confirmed through the link of the confirmation in the outbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse

import pytest
import requests
from http_endpoint import verify_signature

STRICT = os.environ.get("OVERCAST_TEST_MODE") == "strict"


@pytest.fixture
def outbox(endpoint):
    def listing(**query) -> list[dict]:
        answer = requests.get(f"{endpoint}/_overcast/sns/outbox", params=query, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()["messages"]

    return listing


def _wait(outbox, count: int, **query) -> list[dict]:
    """The outbox entries matching ``query``, once there are ``count`` of them."""
    for _ in range(100):
        found = outbox(**query)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{len(outbox(**query))} of {count} outbox entries for {query}")


def _confirm(sns, topic_arn: str, entry: dict) -> None:
    """Follow the confirmation link, as the recipient does (strict mode signs the token instead:
    it refuses the unsigned GET for now)."""
    if STRICT:
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(entry["subscribeUrl"]).query)["Token"][0]
        sns.confirm_subscription(TopicArn=topic_arn, Token=token)
        return
    answer = requests.get(entry["subscribeUrl"], timeout=10)
    assert answer.status_code == 200, answer.text


def test_email_subscription_is_confirmed_from_the_outbox_and_gets_the_email(sns, topic, outbox):
    topic_arn = topic(DisplayName="Alerts")
    assert sns.subscribe(TopicArn=topic_arn, Protocol="email",
                         Endpoint="dev@example.com")["SubscriptionArn"] == "pending confirmation"
    [confirmation] = _wait(outbox, 1, endpoint="dev@example.com")
    assert confirmation["type"] == "SubscriptionConfirmation" and confirmation["protocol"] == "email"
    assert confirmation["subject"] == "AWS Notification - Subscription Confirmation"
    assert confirmation["from"] == "Alerts <no-reply@sns.amazonaws.com>"
    assert confirmation["subscribeUrl"] in confirmation["body"]
    sns.publish(TopicArn=topic_arn, Message="not yet")  # a pending subscription gets nothing
    _confirm(sns, topic_arn, confirmation)
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert sub["SubscriptionArn"].startswith(topic_arn + ":")

    sns.publish(TopicArn=topic_arn, Message="disk almost full", Subject="Disk")
    _, email = _wait(outbox, 2, endpoint="dev@example.com")
    assert (email["type"], email["subject"], email["topicArn"]) == ("Notification", "Disk", topic_arn)
    assert email["body"].startswith("disk almost full\n\n--\nIf you wish to stop receiving notifications")
    assert email["unsubscribeUrl"] in email["body"] and sub["SubscriptionArn"] in email["unsubscribeUrl"]


def test_email_json_gets_the_signed_document(sns, topic, outbox):
    topic_arn = topic()
    sns.subscribe(TopicArn=topic_arn, Protocol="email-json", Endpoint="robot@example.com")
    [confirmation] = _wait(outbox, 1, endpoint="robot@example.com")
    document = json.loads(confirmation["body"])
    assert document["Type"] == "SubscriptionConfirmation" and document["SubscribeURL"] == confirmation["subscribeUrl"]
    verify_signature(document)
    _confirm(sns, topic_arn, confirmation)
    sns.publish(TopicArn=topic_arn, Message="as JSON")
    _, notification = _wait(outbox, 2, endpoint="robot@example.com")
    document = json.loads(notification["body"])
    assert (document["Type"], document["Message"]) == ("Notification", "as JSON")
    verify_signature(document)


def test_sms_and_per_protocol_bodies(sns, topic, outbox):
    topic_arn = topic()
    sns.subscribe(TopicArn=topic_arn, Protocol="sms", Endpoint="+15555550100")
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="ops@example.com")
    sns.publish(TopicArn=topic_arn, MessageStructure="json",
                Message=json.dumps({"default": "for everyone", "sms": "short text", "email": "long text"}))
    [sms] = _wait(outbox, 1, protocol="sms")
    assert (sms["endpoint"], sms["body"], sms["type"]) == ("+15555550100", "short text", "Notification")
    # the email subscription is still pending: only its confirmation is there
    assert [e["type"] for e in outbox(endpoint="ops@example.com")] == ["SubscriptionConfirmation"]


def test_listing_narrows_by_topic_endpoint_and_protocol(sns, topic, outbox, endpoint):
    first, second = topic("outbox-first"), topic("outbox-second")
    for arn in (first, second):
        sns.subscribe(TopicArn=arn, Protocol="sms", Endpoint="+15555550111")
        sns.subscribe(TopicArn=arn, Protocol="sms", Endpoint="+15555550122")
        sns.publish(TopicArn=arn, Message=f"from {arn.rsplit(':', 1)[1]}")
    _wait(outbox, 4)
    assert {e["body"] for e in outbox(topic=first)} == {"from outbox-first"}
    assert len(outbox(topic="outbox-second")) == 2  # a topic's name works too
    assert [e["topicArn"] for e in outbox(topic=second, endpoint="+15555550111")] == [second]
    assert outbox(protocol="email") == []
    assert len(outbox(limit="1")) == 1
    bad = requests.get(f"{endpoint}/_overcast/sns/outbox", params={"limit": "none"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"] == "BadRequest"


def _cli(server, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "overcast", "sns", "outbox", "--host", "127.0.0.1",
                           "--port", str(server.port), *args], capture_output=True, text=True, timeout=60)


def test_cli_lists_the_outbox(server, sns, topic, outbox):
    topic_arn = topic("cli-topic")
    sns.subscribe(TopicArn=topic_arn, Protocol="sms", Endpoint="+15555550133")
    sns.publish(TopicArn=topic_arn, Message="via the CLI")
    _wait(outbox, 1)
    listed = _cli(server, "--json", "--topic", topic_arn)
    assert listed.returncode == 0, listed.stderr
    [entry] = json.loads(listed.stdout)
    assert (entry["endpoint"], entry["body"]) == ("+15555550133", "via the CLI")
    readable = _cli(server, "--endpoint", "+15555550133")
    assert readable.returncode == 0 and "via the CLI" in readable.stdout and "sms +15555550133" in readable.stdout
    empty = _cli(server, "--endpoint", "nobody@example.com")
    assert empty.returncode == 0 and "The outbox is empty." in empty.stdout


def test_firehose_gets_the_document_or_the_raw_message(sns, topic, outbox):
    topic_arn = topic()
    role = "arn:aws:iam::000000000000:role/sns-to-firehose"
    enveloped = "arn:aws:firehose:us-east-1:000000000000:deliverystream/enveloped"
    raw = "arn:aws:firehose:us-east-1:000000000000:deliverystream/raw"
    sns.subscribe(TopicArn=topic_arn, Protocol="firehose", Endpoint=enveloped,
                  Attributes={"SubscriptionRoleArn": role})
    sns.subscribe(TopicArn=topic_arn, Protocol="firehose", Endpoint=raw,
                  Attributes={"SubscriptionRoleArn": role, "RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic_arn, Message="to the stream")
    [document] = _wait(outbox, 1, endpoint=enveloped)
    assert json.loads(document["body"])["Message"] == "to the stream"
    [bare] = _wait(outbox, 1, endpoint=raw)
    assert bare["body"] == "to the stream"


def test_email_json_unsubscribing_sends_the_unsubscribe_confirmation(sns, topic, outbox):
    topic_arn = topic()
    sns.subscribe(TopicArn=topic_arn, Protocol="email-json", Endpoint="leaving@example.com")
    [confirmation] = _wait(outbox, 1, endpoint="leaving@example.com")
    _confirm(sns, topic_arn, confirmation)
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
    _, goodbye = _wait(outbox, 2, endpoint="leaving@example.com")
    document = json.loads(goodbye["body"])
    assert (goodbye["type"], document["Type"]) == ("UnsubscribeConfirmation", "UnsubscribeConfirmation")
    verify_signature(document)
