"""The AWS CLI's metric commands, shaped as awscli/examples/cloudwatch/*.rst shows them."""

from __future__ import annotations

from datetime import datetime, timezone

from cw_helpers import cloud_now


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_put_get_list_with_the_cli(aws_cli, server, tmp_path):
    # the CLI prints timestamps as the protocol carried them (CBOR: epoch numbers) unless told
    (tmp_path / "aws-config").write_text("[default]\ncli_timestamp_format = iso8601\n")
    now = cloud_now(server)
    hour = now - now % 3600 - 3600
    # put-metric-data.rst: a single value, then a statistic set
    aws_cli("cloudwatch", "put-metric-data", "--metric-name", "PageViewCount", "--namespace", "MyService",
            "--value", "2", "--timestamp", _iso(hour + 18 * 60))
    aws_cli("cloudwatch", "put-metric-data", "--metric-name", "PageViewCount", "--namespace", "MyService",
            "--statistic-values", "Sum=11,Minimum=2,Maximum=5,SampleCount=3", "--timestamp", _iso(hour + 20 * 60))
    # get-metric-statistics.rst: an hour period starting at :18 keeps that alignment
    out = aws_cli("cloudwatch", "get-metric-statistics", "--metric-name", "PageViewCount", "--start-time",
                  _iso(hour + 18 * 60), "--end-time", _iso(hour + 78 * 60), "--period", "3600", "--namespace",
                  "MyService", "--statistics", "Maximum", "Sum", "SampleCount")
    assert out == {"Label": "PageViewCount", "Datapoints": [
        {"Timestamp": _iso(hour + 18 * 60).replace("Z", "+00:00"), "SampleCount": 4.0, "Sum": 13.0, "Maximum": 5.0, "Unit": "None"}]}
    # list-metrics.rst
    listed = aws_cli("cloudwatch", "list-metrics", "--namespace", "MyService")
    assert listed == {"Metrics": [{"Namespace": "MyService", "MetricName": "PageViewCount", "Dimensions": []}]}


def test_cli_errors(aws_cli):
    proc = aws_cli("cloudwatch", "put-metric-data", "--metric-name", "M", "--namespace", "AWS/EC2", "--value", "1",
                   check=False)
    assert proc.returncode != 0
    assert "InvalidParameterValue" in proc.stderr and "The value AWS/EC2 for parameter Namespace is invalid." in \
        proc.stderr
