"""Subscription deliveries, in process: the events a Lambda subscription matches are written as
pending deliveries with the PutLogEvents that stored them, kept across a restart while Lambda
does not run (a cloud without it), and delivered in AWS's envelope (gzipped, base64,
``awslogs.data``) as ``logs.amazonaws.com`` once a Lambda service runs (a stand-in provider
here, recording the calls). The account-level subscription filter policy forwards the same
way, and what PutLogEvents acknowledged right before a ``kill -9`` reaches a real function all
the same."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import os
import sys
import time

from aws_clients import make_client
from serverproc import ServerProcess

from overcast.cloud import Cloud
from overcast.config import Settings
from overcast.context import RequestContext
from overcast.services import IMPLEMENTED
from overcast.services.base import Provider

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "awslambda"))
from lambda_helpers import create_python_function  # noqa: E402

ACCOUNT = "000000000000"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:forwarder"
POLICY_FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:account-wide"


class RecordingLambda(Provider):
    """Takes Invoke calls and keeps them."""

    service_name = "lambda"

    def __init__(self, cloud):
        super().__init__(cloud)
        self.invocations: list[tuple[str, dict]] = []

    def invoke(self, ctx, params: dict) -> dict:
        self.invocations.append((ctx.principal_arn, params))
        return {"StatusCode": 202}


def _calls(cloud):
    return RequestContext(account=ACCOUNT, region="us-east-1", service="logs", registry=cloud.services).services


async def _first_life(data_dir: str, now_ms: list) -> tuple:
    cloud = Cloud(Settings(data_dir=data_dir))
    await cloud.start()
    try:
        logs = _calls(cloud)
        for group in ("/app/web", "/app/quiet"):
            await logs.call("logs", "CreateLogGroup", {"logGroupName": group})
            await logs.call("logs", "CreateLogStream", {"logGroupName": group, "logStreamName": "i-1"})
        await logs.call("logs", "PutSubscriptionFilter", {
            "logGroupName": "/app/web", "filterName": "errors", "filterPattern": "ERROR", "destinationArn": FUNCTION})
        await logs.call("logs", "PutSubscriptionFilter", {  # its criteria select no event of this account
            "logGroupName": "/app/quiet", "filterName": "elsewhere", "filterPattern": "", "destinationArn": FUNCTION,
            "fieldSelectionCriteria": '@aws.region IN ["eu-west-1", "eu-central-1"]'})
        await logs.call("logs", "PutAccountPolicy", {
            "policyName": "everything", "policyType": "SUBSCRIPTION_FILTER_POLICY",
            "policyDocument": json.dumps({"DestinationArn": POLICY_FUNCTION, "FilterPattern": "",
                                          "Distribution": "Random"}),
            "selectionCriteria": 'LogGroupName NOT IN ["/app/quiet"]'})
        now = int(cloud.clock.now() * 1000)
        now_ms.append(now)
        await logs.call("logs", "PutLogEvents", {"logGroupName": "/app/web", "logStreamName": "i-1", "logEvents": [
            {"timestamp": now, "message": "ERROR disk full"}, {"timestamp": now + 1, "message": "INFO fine"},
            {"timestamp": now + 2, "message": "ERROR again"}]})
        await logs.call("logs", "PutLogEvents", {"logGroupName": "/app/quiet", "logStreamName": "i-1", "logEvents": [
            {"timestamp": now, "message": "ERROR excluded from the account policy"}]})
        provider = await cloud.services.started("logs")
        return provider.subscription_forwarder.pending()
    finally:
        await cloud.stop()


async def _second_life(data_dir: str) -> tuple:
    cloud = Cloud(Settings(data_dir=data_dir))
    recording = cloud.services._providers["lambda"] = RecordingLambda(cloud)
    await cloud.start()
    try:
        provider = await cloud.services.started("logs")
        for _ in range(200):  # the worker runs on the loop: let it deliver
            if not sum(provider.subscription_forwarder.pending()):
                break
            await asyncio.sleep(0.02)
        await cloud.service_metrics.flush()  # what was forwarded, into AWS/Logs
        now = cloud.clock.now()
        forwarded = await _calls(cloud).call("cloudwatch", "GetMetricStatistics", {
            "Namespace": "AWS/Logs", "MetricName": "ForwardedLogEvents", "StartTime": now - 600, "EndTime": now + 60,
            "Period": 3600, "Statistics": ["Sum"], "Dimensions": [
                {"Name": "DestinationType", "Value": "Lambda"}, {"Name": "FilterName", "Value": "errors"},
                {"Name": "LogGroupName", "Value": "/app/web"}]})
        return recording.invocations, provider.subscription_forwarder.pending(), forwarded["Datapoints"]
    finally:
        await cloud.stop()


def _decoded(params: dict) -> dict:
    payload = json.loads(params["Payload"])
    return json.loads(gzip.decompress(base64.b64decode(payload["awslogs"]["data"])))


def test_lambda_deliveries_wait_for_lambda_then_go_out_in_awss_envelope(tmp_path, monkeypatch):
    now_ms: list = []
    # a cloud without Lambda: both deliveries are parked, durable
    monkeypatch.delitem(IMPLEMENTED, "lambda")
    assert asyncio.run(_first_life(str(tmp_path), now_ms)) == (0, 2)
    monkeypatch.setitem(IMPLEMENTED, "lambda", "lambda")  # a Lambda service now runs
    invocations, pending, forwarded = asyncio.run(_second_life(str(tmp_path)))
    assert pending == (0, 0)
    assert [point["Sum"] for point in forwarded] == [2.0]  # AWS/Logs ForwardedLogEvents of the filter
    by_function = {params["FunctionName"]: (principal, params) for principal, params in invocations}
    assert set(by_function) == {FUNCTION, POLICY_FUNCTION} and len(invocations) == 2
    principal, params = by_function[FUNCTION]
    assert principal == "logs.amazonaws.com" and params["InvocationType"] == "Event"
    message = _decoded(params)
    ids = [event.pop("id") for event in message["logEvents"]]
    assert all(isinstance(i, str) and i.isdigit() for i in ids) and len(set(ids)) == 2
    assert message == {
        "messageType": "DATA_MESSAGE", "owner": ACCOUNT, "logGroup": "/app/web", "logStream": "i-1",
        "subscriptionFilters": ["errors"], "policyLevel": "LOG_GROUP_LEVEL",
        "logEvents": [{"timestamp": now_ms[0], "message": "ERROR disk full"},
                      {"timestamp": now_ms[0] + 2, "message": "ERROR again"}]}
    account_wide = _decoded(by_function[POLICY_FUNCTION][1])
    assert account_wide["policyLevel"] == "ACCOUNT_LEVEL" and account_wide["subscriptionFilters"] == ["everything"]
    assert account_wide["logGroup"] == "/app/web" and len(account_wide["logEvents"]) == 3


def test_deliveries_acknowledged_before_a_kill_are_not_lost(tmp_path):
    data_dir = str(tmp_path / "data")
    server = ServerProcess(data_dir).start()
    try:
        lam, sqs = make_client(server.endpoint, "lambda"), make_client(server.endpoint, "sqs")
        create_python_function(lam, "forwarder", "def handler(event, context):\n    return event\n")
        url = sqs.create_queue(QueueName="forwarded")["QueueUrl"]
        queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        lam.put_function_event_invoke_config(FunctionName="forwarder",
                                             DestinationConfig={"OnSuccess": {"Destination": queue}})
        logs = make_client(server.endpoint, "logs")
        logs.create_log_group(logGroupName="/app/web")
        logs.create_log_stream(logGroupName="/app/web", logStreamName="i-1")
        logs.put_subscription_filter(logGroupName="/app/web", filterName="errors", filterPattern="ERROR",
                                     destinationArn=FUNCTION)
        now = int(json.loads(server.get("/_overcast/clock"))["now"] * 1000)
        logs.put_log_events(logGroupName="/app/web", logStreamName="i-1", logEvents=[
            {"timestamp": now, "message": "ERROR acknowledged"}, {"timestamp": now + 1, "message": "INFO not"}])
        server.kill()  # right after PutLogEvents was acknowledged
        server.start()
        sqs = make_client(server.endpoint, "sqs")
        got: list = []
        deadline = time.monotonic() + 20
        while not got and time.monotonic() < deadline:
            got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        [message] = got
        event = json.loads(message["Body"])["requestPayload"]
        assert [e["message"] for e in _decoded({"Payload": json.dumps(event)})["logEvents"]] == ["ERROR acknowledged"]
    finally:
        server.stop()
