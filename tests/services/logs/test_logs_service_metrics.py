"""The AWS/Logs metrics of ingestion, read back from CloudWatch after the minute's flush on the
cloud clock: IncomingBytes and IncomingLogEvents per LogGroupName and account-wide."""

from __future__ import annotations

import time

from logs_helpers import advance_clock, cloud_now_ms, logs  # noqa: F401


def _sum(cw, name: str, dimensions: list, start: float, end: float) -> tuple[float, set]:
    points = cw.get_metric_statistics(Namespace="AWS/Logs", MetricName=name, Dimensions=dimensions,
                                      StartTime=start, EndTime=end, Period=60, Statistics=["Sum"])["Datapoints"]
    return sum(p["Sum"] for p in points), {p.get("Unit") for p in points}


def test_incoming_bytes_and_events_per_group_and_for_the_account(logs, aws_client, server):
    cw = aws_client("cloudwatch")
    start = cloud_now_ms(server) / 1000 - 120
    for group in ("orders", "billing"):
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName="orders", logStreamName="s",
                        logEvents=[{"timestamp": now, "message": "héllo"}, {"timestamp": now, "message": "abc"}])
    logs.put_log_events(logGroupName="orders", logStreamName="s", logEvents=[{"timestamp": now, "message": "x" * 10}])
    logs.put_log_events(logGroupName="billing", logStreamName="s", logEvents=[{"timestamp": now, "message": "1234"}])
    advance_clock(server, 120)
    end = cloud_now_ms(server) / 1000 + 60

    orders = [{"Name": "LogGroupName", "Value": "orders"}]
    assert _sum(cw, "IncomingLogEvents", orders, start, end) == (3.0, {"None"})
    assert _sum(cw, "IncomingBytes", orders, start, end) == (6.0 + 3 + 10, {"Bytes"})  # UTF-8: é is 2 bytes
    billing = [{"Name": "LogGroupName", "Value": "billing"}]
    assert _sum(cw, "IncomingLogEvents", billing, start, end)[0] == 1.0
    assert _sum(cw, "IncomingLogEvents", [], start, end)[0] == 4.0
    assert _sum(cw, "IncomingBytes", [], start, end)[0] == 23.0
    listed = {(m["MetricName"], tuple((d["Name"], d["Value"]) for d in m["Dimensions"]))
              for m in cw.list_metrics(Namespace="AWS/Logs")["Metrics"]}
    assert ("IncomingBytes", (("LogGroupName", "orders"),)) in listed
    assert ("IncomingLogEvents", ()) in listed


def test_rejected_events_are_not_counted(logs, aws_client, server):
    cw = aws_client("cloudwatch")
    start = cloud_now_ms(server) / 1000 - 120
    logs.create_log_group(logGroupName="old")
    logs.create_log_stream(logGroupName="old", logStreamName="s")
    now = int(time.time() * 1000)
    result = logs.put_log_events(logGroupName="old", logStreamName="s", logEvents=[
        {"timestamp": now - 15 * 86400 * 1000, "message": "too old"}, {"timestamp": now, "message": "kept"}])
    assert "tooOldLogEventEndIndex" in result["rejectedLogEventsInfo"]
    advance_clock(server, 120)
    end = cloud_now_ms(server) / 1000 + 60
    group = [{"Name": "LogGroupName", "Value": "old"}]
    assert _sum(cw, "IncomingLogEvents", group, start, end)[0] == 1.0
    assert _sum(cw, "IncomingBytes", group, start, end)[0] == 4.0
