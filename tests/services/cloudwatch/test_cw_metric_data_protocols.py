"""GetMetricData and GetMetricWidgetImage over the three protocols CloudWatch's clients speak
(JSON 1.0 is the rest of the suite): query (older SDKs) and smithy-rpc-v2-cbor."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pytest
from PIL import Image

from cw_helpers import cloud_now, error_of, metric_stat, minute_start, protocol_client, put_series


def _at(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


@pytest.mark.parametrize("protocol", ["query", "smithy-rpc-v2-cbor"])
def test_metric_data_expression_pages_and_errors(endpoint, server, protocol):
    client = protocol_client(endpoint, protocol)
    start = minute_start(cloud_now(server), 5)
    put_series(client, "Hits", [1, 2, 3], start)
    queries = [{"Id": "m1", "MetricStat": metric_stat("Hits"), "Label": "hits"}]
    out = client.get_metric_data(MetricDataQueries=queries, StartTime=_at(start), EndTime=_at(start + 300),
                                 MaxDatapoints=2)
    [result] = out["MetricDataResults"]
    assert (result["Label"], result["Values"], result["StatusCode"]) == ("hits", [3.0, 2.0], "PartialData")
    assert result["Timestamps"] == [_at(start + 120), _at(start + 60)]
    rest = client.get_metric_data(MetricDataQueries=queries, StartTime=_at(start), EndTime=_at(start + 300),
                                  MaxDatapoints=2, NextToken=out["NextToken"])
    assert rest["MetricDataResults"][0]["Values"] == [1.0]
    doubled = client.get_metric_data(MetricDataQueries=[{**queries[0], "ReturnData": False},
                                                        {"Id": "e1", "Expression": "m1 * 2", "Label": "doubled"}],
                                     StartTime=_at(start), EndTime=_at(start + 300))
    assert [(r["Label"], r["Values"]) for r in doubled["MetricDataResults"]] == [("doubled", [6.0, 4.0, 2.0])]
    code, message, status = error_of(client.get_metric_data,
                                     MetricDataQueries=[{"Id": "e1", "Expression": "1 +"}],
                                     StartTime=_at(start), EndTime=_at(start + 300))
    assert (code, message, status) == ("ValidationError", "Error in expression 'e1': Invalid syntax", 400)


@pytest.mark.parametrize("protocol", ["query", "smithy-rpc-v2-cbor"])
def test_widget_image(endpoint, protocol):
    client = protocol_client(endpoint, protocol)
    widget = {"metrics": [["AWS/EC2", "CPUUtilization", "InstanceId", "i-abcde"]], "width": 320, "height": 200}
    png = client.get_metric_widget_image(MetricWidget=json.dumps(widget))["MetricWidgetImage"]
    assert Image.open(io.BytesIO(png)).size == (320, 200)
