"""Alarm state and the evaluation schedule survive ``kill -9``: a real server killed with
SIGKILL and restarted on its data dir keeps every acknowledged alarm, state and history item,
and its alarms go on being evaluated on the cloud clock without a request touching CloudWatch."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess


def client(server: ServerProcess, service: str):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=20))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def advance(server: ServerProcess, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def test_alarms_and_their_schedule_survive_kill_9(own_server):
    cw = client(own_server, "cloudwatch")
    cw.put_metric_alarm(AlarmName="silent", Namespace="Crash/Test", MetricName="Beat", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="LessThanThreshold",
                        TreatMissingData="breaching")
    cw.put_metric_alarm(AlarmName="manual", Namespace="Crash/Test", MetricName="Other", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                        TreatMissingData="ignore")
    cw.set_alarm_state(AlarmName="manual", StateValue="ALARM", StateReason="set before the crash")
    own_server.kill()
    own_server.start()
    # no CloudWatch request before the clock moves: the stored timer alone resumes the evaluation
    advance(own_server, 120)
    cw = client(own_server, "cloudwatch")
    alarms = {a["AlarmName"]: a for a in cw.describe_alarms()["MetricAlarms"]}
    assert alarms["silent"]["StateValue"] == "ALARM"
    assert alarms["silent"]["StateReason"].startswith("Threshold Crossed: no datapoints were received for 1 period")
    assert (alarms["manual"]["StateValue"], alarms["manual"]["StateReason"]) == ("ALARM", "set before the crash")
    history = cw.describe_alarm_history(AlarmName="manual", HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in history] == ["Alarm updated from INSUFFICIENT_DATA to ALARM"]
