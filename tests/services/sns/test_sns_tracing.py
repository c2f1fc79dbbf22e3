"""X-Ray trace headers through SNS: a Publish or PublishBatch carrying ``X-Amzn-Trace-Id``
hands it on with every delivery (SQS: the AWSTraceHeader system attribute; HTTP/S: the
header), through the durable delivery queue, even across a ``kill -9``; a topic with
TracingConfig Active records its own AWS::SNS segment for sampled traces and hands on a
header whose Parent is that segment; PassThrough (the default) only passes the header."""

from __future__ import annotations

import json
import os
import time

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from http_endpoint import Endpoint, body_of
from serverproc import ServerProcess

STRICT = os.environ.get("OVERCAST_TEST_MODE") == "strict"
PARENT = "53995c3f42cd8ad8"


def new_trace_id() -> str:
    return f"1-{int(time.time()):08x}-{os.urandom(12).hex()}"


def header_of(trace_id: str, sampled: str = "1") -> str:
    return f"Root={trace_id};Parent={PARENT};Sampled={sampled}"


def traced(client, header: str):
    """``client`` sending ``header`` as X-Amzn-Trace-Id, as an X-Ray-instrumented SDK does."""
    def add_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = header

    client.meta.events.register("before-sign.sns.*", add_header)
    return client


def fresh_sns(endpoint: str):
    return boto3.session.Session().client("sns", endpoint_url=endpoint, region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture
def sns_traced(endpoint, server):
    """``sns_traced(header)`` -> an SNS client of its own sending ``header`` with every call."""
    return lambda header: traced(fresh_sns(endpoint), header)


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


@pytest.fixture
def sns_may_trace(xray):
    """The X-Ray resource policy AWS asks for before SNS may send a topic's segments (strict
    mode checks it as AWS does)."""
    xray.put_resource_policy(PolicyName="sns-tracing", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "SNSAccess", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": ["xray:PutTraceSegments", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
            "Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": "000000000000"},
                                           "StringLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:000000000000:*"}}}]}))


@pytest.fixture(scope="module")
def web():
    endpoint = Endpoint()
    yield endpoint
    endpoint.close()


def trace_headers(messages: list[dict]) -> list:
    return [m.get("Attributes", {}).get("AWSTraceHeader") for m in messages]


def subscribed_queue(sns, queue, topic_arn: str, raw: bool = False) -> str:
    url, arn = queue()
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn,
                  Attributes={"RawMessageDelivery": "true" if raw else "false"})
    return url


def confirmed_http(sns, web, topic_arn: str, path: str) -> None:
    sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=web.url(path))
    [confirmation] = web.wait_for(path)
    if STRICT:  # strict mode signs ConfirmSubscription (see test_sns_http_delivery.py)
        sns.confirm_subscription(TopicArn=topic_arn, Token=body_of(confirmation)["Token"])
    else:
        assert requests.get(body_of(confirmation)["SubscribeURL"], timeout=10).status_code == 200


def sns_segments(xray, trace_id: str, expected: int, timeout: float = 5.0) -> list[dict]:
    """The AWS::SNS segment documents of ``trace_id`` (waits until ``expected`` are there)."""
    deadline = time.monotonic() + timeout
    found: list[dict] = []
    while time.monotonic() < deadline:
        traces = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
        docs = [json.loads(s["Document"]) for t in traces for s in t["Segments"]]
        found = [d for d in docs if d.get("origin") == "AWS::SNS"]
        if len(found) >= expected:
            break
        time.sleep(0.05)
    return found


# -- PassThrough: the header goes on as it came -------------------------------------------------

@pytest.mark.parametrize("raw", [False, True])
def test_publish_hands_the_header_to_sqs_as_aws_trace_header(sns, sns_traced, topic, queue, receive, raw):
    topic_arn = topic()
    url = subscribed_queue(sns, queue, topic_arn, raw)
    header = header_of(new_trace_id())
    sns_traced(header).publish(TopicArn=topic_arn, Message="traced")
    [message] = receive(url, 1, attributes=True)
    assert trace_headers([message]) == [header]


def test_publish_batch_hands_the_header_on_with_every_message(sns, sns_traced, topic, queue, receive):
    topic_arn = topic()
    url = subscribed_queue(sns, queue, topic_arn, raw=True)
    header = header_of(new_trace_id(), sampled="0")
    sns_traced(header).publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=[
        {"Id": f"e{i}", "Message": f"m{i}"} for i in range(4)])
    got = receive(url, 4, attributes=True)
    assert sorted(m["Body"] for m in got) == ["m0", "m1", "m2", "m3"]
    assert trace_headers(got) == [header] * 4


def test_fifo_topic_hands_the_header_to_a_fifo_queue(sns, sns_traced, topic, queue, receive):
    topic_arn = topic("traced.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    url, arn = queue("traced-queue.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    header = header_of(new_trace_id())
    sns_traced(header).publish(TopicArn=topic_arn, Message="in order", MessageGroupId="g")
    [message] = receive(url, 1, attributes=True)
    assert trace_headers([message]) == [header]


def test_without_a_header_deliveries_carry_no_trace(sns, topic, queue, receive):
    topic_arn = topic()
    url = subscribed_queue(sns, queue, topic_arn)
    sns.publish(TopicArn=topic_arn, Message="untraced")
    [message] = receive(url, 1, attributes=True)
    assert trace_headers([message]) == [None]


def test_http_endpoint_receives_the_trace_header(sns, sns_traced, topic, web):
    topic_arn = topic()
    confirmed_http(sns, web, topic_arn, "/traced")
    header = header_of(new_trace_id())
    sns_traced(header).publish(TopicArn=topic_arn, Message="to the web")
    _, notification = web.wait_for("/traced", 2)
    assert body_of(notification)["Message"] == "to the web"
    assert notification["headers"]["X-Amzn-Trace-Id"] == header
    [confirmation] = web.requests_to("/traced")[:1]
    assert "X-Amzn-Trace-Id" not in confirmation["headers"]  # the subscription's confirmation is not traced


def test_pass_through_records_no_sns_segment(sns, sns_traced, topic, queue, receive, xray):
    topic_arn = topic()  # TracingConfig PassThrough by default
    url = subscribed_queue(sns, queue, topic_arn)
    trace_id = new_trace_id()
    sns_traced(header_of(trace_id)).publish(TopicArn=topic_arn, Message="passed")
    [message] = receive(url, 1, attributes=True)
    assert trace_headers([message]) == [header_of(trace_id)]
    assert sns_segments(xray, trace_id, 1, timeout=0.5) == []


# -- Active: SNS's own segment, and the header names it as the parent ---------------------------

def test_active_topic_records_its_segment_and_parents_the_deliveries(sns, sns_traced, topic, queue, receive,
                                                                    xray, web, sns_may_trace):
    topic_arn = topic("active-topic", TracingConfig="Active")
    url = subscribed_queue(sns, queue, topic_arn)
    confirmed_http(sns, web, topic_arn, "/active")
    trace_id = new_trace_id()
    answer = sns_traced(header_of(trace_id)).publish(TopicArn=topic_arn, Message="active")
    [segment] = sns_segments(xray, trace_id, 1)
    assert (segment["name"], segment["origin"], segment["parent_id"]) == ("active-topic", "AWS::SNS", PARENT)
    assert segment["aws"]["topic_arn"] == topic_arn and segment["aws"]["operation"] == "Publish"
    assert segment["aws"]["message_id"] == answer["MessageId"]
    handed_on = f"Root={trace_id};Parent={segment['id']};Sampled=1"
    [message] = receive(url, 1, attributes=True)
    assert trace_headers([message]) == [handed_on]
    _, notification = web.wait_for("/active", 2)
    assert notification["headers"]["X-Amzn-Trace-Id"] == handed_on


def test_active_topic_shows_in_the_service_graph(sns, sns_traced, topic, queue, receive, xray, sns_may_trace,
                                                 web):
    topic_arn = topic("mapped-topic", TracingConfig="Active")
    url = subscribed_queue(sns, queue, topic_arn)
    confirmed_http(sns, web, topic_arn, "/mapped")
    trace_id = new_trace_id()
    now = time.time()
    # the publisher's own segment, whose subsegment called SNS (as an X-Ray SDK sends it)
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps({
        "trace_id": trace_id, "id": os.urandom(8).hex(), "name": "publisher", "start_time": now - 1,
        "end_time": now + 1, "subsegments": [{"id": PARENT, "name": "SNS", "namespace": "aws",
                                              "start_time": now - 0.5, "end_time": now + 0.5}]})])
    sns_traced(header_of(trace_id)).publish(TopicArn=topic_arn, Message="mapped")
    receive(url, 1)
    web.wait_for("/mapped", 2)
    sns_segments(xray, trace_id, 1)
    services = {}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        graph = xray.get_service_graph(StartTime=now - 60, EndTime=time.time() + 60)
        services = {s["Name"]: s for s in graph["Services"]}
        if "mapped-topic" in services and len(services["mapped-topic"].get("Edges") or ()) >= 2 \
                and services.get("publisher", {}).get("Edges"):
            break
        time.sleep(0.1)
    node = services["mapped-topic"]
    assert node["Type"] == "AWS::SNS"
    assert node["SummaryStatistics"]["TotalCount"] == 1
    edges = services["publisher"]["Edges"]
    assert node["ReferenceId"] in {edge["ReferenceId"] for edge in edges}
    # each delivery is a call from the topic to its subscriber
    queue_node = services[url.rsplit("/", 1)[-1]]
    assert queue_node["Type"] == "AWS::SQS::Queue"
    assert queue_node["ReferenceId"] in {edge["ReferenceId"] for edge in node["Edges"]}
    web_node = services["127.0.0.1"]
    assert web_node["Type"] == "remote"
    assert web_node["ReferenceId"] in {edge["ReferenceId"] for edge in node["Edges"]}


def test_a_delivery_that_fails_is_a_faulted_call_of_the_topic(sns, sns_traced, topic, xray, sns_may_trace):
    topic_arn = topic(TracingConfig="Active")
    # a queue that does not exist: SQS refuses, SNS does not retry (a client-side error)
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:missing-queue")
    trace_id = new_trace_id()
    sns_traced(header_of(trace_id)).publish(TopicArn=topic_arn, Message="lost")
    deadline = time.monotonic() + 5
    calls: list[dict] = []
    while time.monotonic() < deadline and not calls:
        [segment] = sns_segments(xray, trace_id, 1)
        calls = segment.get("subsegments") or []
        time.sleep(0.05)
    [call] = calls
    assert (call["name"], call["namespace"], call.get("fault")) == ("SQS", "aws", True)
    assert call["aws"]["queue_url"].endswith("/000000000000/missing-queue")
    assert call["start_time"] == segment["start_time"] and call["end_time"] >= call["start_time"]


def test_active_topic_records_one_segment_per_message_of_a_batch(sns, sns_traced, topic, queue, receive, xray,
                                                                 sns_may_trace):
    topic_arn = topic(TracingConfig="Active")
    url = subscribed_queue(sns, queue, topic_arn, raw=True)
    trace_id = new_trace_id()
    answer = sns_traced(header_of(trace_id)).publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=[
        {"Id": f"e{i}", "Message": f"m{i}"} for i in range(3)])
    segments = sns_segments(xray, trace_id, 3)
    assert sorted(s["aws"]["message_id"] for s in segments) == sorted(e["MessageId"] for e in answer["Successful"])
    got = receive(url, 3, attributes=True)
    parents = {h.split(";")[1] for h in trace_headers(got)}
    assert parents == {f"Parent={s['id']}" for s in segments}


def test_active_topic_only_passes_an_unsampled_header(sns, sns_traced, topic, queue, receive, xray):
    topic_arn = topic(TracingConfig="Active")
    url = subscribed_queue(sns, queue, topic_arn)
    trace_id = new_trace_id()
    sns_traced(header_of(trace_id, sampled="0")).publish(TopicArn=topic_arn, Message="not sampled")
    [message] = receive(url, 1, attributes=True)
    assert trace_headers([message]) == [header_of(trace_id, sampled="0")]
    assert sns_segments(xray, trace_id, 1, timeout=0.5) == []


@pytest.mark.skipif(not STRICT, reason="strict mode checks X-Ray's resource policies")
def test_strict_mode_records_no_segment_without_a_resource_policy_letting_sns(sns, sns_traced, topic, queue,
                                                                              receive, xray):
    topic_arn = topic(TracingConfig="Active")
    url = subscribed_queue(sns, queue, topic_arn)
    trace_id = new_trace_id()
    sns_traced(header_of(trace_id)).publish(TopicArn=topic_arn, Message="unrecorded")
    [message] = receive(url, 1, attributes=True)
    assert trace_headers([message])[0].startswith(f"Root={trace_id};Parent=")  # the trace still goes on
    assert sns_segments(xray, trace_id, 1, timeout=0.5) == []


# -- TracingConfig values -------------------------------------------------------------------

def test_tracing_config_takes_pass_through_or_active(sns, topic):
    topic_arn = topic()
    for value in ("Active", "PassThrough"):
        sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="TracingConfig", AttributeValue=value)
        assert sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["TracingConfig"] == value
    for value in ("active", "", "Passthrough"):
        with pytest.raises(ClientError) as caught:
            sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="TracingConfig", AttributeValue=value)
        assert caught.value.response["Error"]["Code"] == "InvalidParameter"
        assert caught.value.response["Error"]["Message"] == \
            "Invalid parameter: TracingConfig Reason: Invalid value for TracingConfig"
    with pytest.raises(ClientError) as caught:
        sns.create_topic(Name="badly-traced", Attributes={"TracingConfig": "On"})
    assert caught.value.response["Error"]["Code"] == "InvalidParameter"


# -- the header survives the durable delivery queue ---------------------------------------------

def test_header_survives_a_kill_between_publish_and_delivery(tmp_path, web):
    extra = ("--strict",) if STRICT else ()
    proc = ServerProcess(str(tmp_path / "data"), *extra).start()
    try:
        sns = fresh_sns(proc.endpoint)
        topic_arn = sns.create_topic(Name="restarted")["TopicArn"]
        path = "/restarted"
        sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=web.url(path), Attributes={
            "DeliveryPolicy": json.dumps({"healthyRetryPolicy": {"minDelayTarget": 30, "maxDelayTarget": 30,
                                                                 "numRetries": 1}})})
        [confirmation] = web.wait_for(path)
        sns.confirm_subscription(TopicArn=topic_arn, Token=body_of(confirmation)["Token"])
        web.answer(path, 500)
        header = header_of(new_trace_id())
        traced(fresh_sns(proc.endpoint), header).publish(TopicArn=topic_arn, Message="after the crash")
        web.wait_for(path, 2)  # failed: the retry waits 30 seconds of cloud time, on disk
        for _ in range(200):  # until SNS recorded the retry (see test_sns_http_delivery.py)
            if json.loads(proc.get("/_overcast/health"))["timers"]["pending"] >= 1:
                break
            time.sleep(0.025)
        proc.kill()
        proc.start()
        proc.post("/_overcast/clock", json.dumps({"advance": 30}).encode())
        _, first, retried = web.wait_for(path, 3)
        assert first["headers"]["X-Amzn-Trace-Id"] == header
        assert body_of(retried)["Message"] == "after the crash"
        assert retried["headers"]["X-Amzn-Trace-Id"] == header
    finally:
        proc.stop()
