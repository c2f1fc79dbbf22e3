"""One metric put and read back through boto3 (the store's path end to end)."""

from __future__ import annotations

from datetime import datetime, timezone

from cw_helpers import NAMESPACE, cloud_now, cw  # noqa: F401


def test_put_then_get_statistics_and_list(cw, server):
    now = cloud_now(server)
    stamp = datetime.fromtimestamp(now - now % 60, tz=timezone.utc)
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Latency", "Dimensions": [{"Name": "Api", "Value": "get"}], "Timestamp": stamp,
         "Values": [10.0, 20.0, 30.0], "Counts": [1, 2, 1], "Unit": "Milliseconds"}])
    out = cw.get_metric_statistics(Namespace=NAMESPACE, MetricName="Latency",
                                   Dimensions=[{"Name": "Api", "Value": "get"}], StartTime=now - 600,
                                   EndTime=now + 600, Period=60, Statistics=["Sum", "SampleCount", "Average"])
    assert out["Label"] == "Latency"
    [point] = out["Datapoints"]
    assert point["Timestamp"] == stamp
    assert (point["Sum"], point["SampleCount"], point["Average"], point["Unit"]) == (80.0, 4.0, 20.0, "Milliseconds")
    listed = cw.list_metrics(Namespace=NAMESPACE)["Metrics"]
    assert listed == [{"Namespace": NAMESPACE, "MetricName": "Latency", "Dimensions": [{"Name": "Api", "Value": "get"}]}]
