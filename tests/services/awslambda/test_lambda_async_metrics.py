"""The AWS/Lambda metrics of asynchronous invocation in CloudWatch, on the cloud clock:
AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped and DestinationDeliveryFailures."""

from __future__ import annotations

import json

from async_helpers import advance, make_function, make_queue, queued, records, wait_for


def _now(server) -> float:
    return float(json.loads(server.get("/_overcast/clock"))["now"])


def _statistic(cw, name: str, statistic: str, start: float, end: float, dimensions=None) -> list[dict]:
    return cw.get_metric_statistics(Namespace="AWS/Lambda", MetricName=name, StartTime=start, EndTime=end,
                                    Period=60, Statistics=[statistic],
                                    Dimensions=dimensions if dimensions is not None else [
                                        {"Name": "FunctionName", "Value": "async-fn"}])["Datapoints"]


def test_async_metrics(aws_client, server):
    lam, sqs, cw = aws_client("lambda"), aws_client("sqs"), aws_client("cloudwatch")
    make_function(lam)
    ok_url, ok_arn = make_queue(sqs, "ok")
    lam.put_function_event_invoke_config(FunctionName="async-fn", MaximumRetryAttempts=0, DestinationConfig={
        "OnSuccess": {"Destination": ok_arn},
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:no-such-queue"}})
    start = _now(server) - 120
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"n": 1}')
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"fail": "dropped"}')
    assert len(records(sqs, ok_url, 1)) == 1
    assert wait_for(lambda: queued(server.data_dir) == [])
    advance(server, 120)
    end = _now(server) + 60
    assert sum(p["Sum"] for p in _statistic(cw, "AsyncEventsReceived", "Sum", start, end)) == 2
    assert sum(p["Sum"] for p in _statistic(cw, "AsyncEventsReceived", "Sum", start, end, [])) == 2
    assert sum(p["Sum"] for p in _statistic(cw, "AsyncEventsDropped", "Sum", start, end)) == 1
    assert sum(p["Sum"] for p in _statistic(cw, "DestinationDeliveryFailures", "Sum", start, end)) == 1
    ages = _statistic(cw, "AsyncEventAge", "SampleCount", start, end)
    assert sum(p["SampleCount"] for p in ages) == 2 and all(p["Unit"] == "Milliseconds" for p in ages)
