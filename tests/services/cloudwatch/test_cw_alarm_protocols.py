"""The main alarm operations over the query protocol (older SDKs) and smithy-rpc-v2-cbor (other
current SDKs), as boto3 speaks them when its model lists only that protocol."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from cw_helpers import NAMESPACE, protocol_client


@pytest.mark.parametrize("protocol", ["query", "smithy-rpc-v2-cbor"])
def test_alarm_lifecycle(endpoint, protocol):
    cw = protocol_client(endpoint, protocol)
    cw.put_metric_alarm(AlarmName="wire", Namespace=NAMESPACE, MetricName="Load", Statistic="Average", Period=60,
                        EvaluationPeriods=2, DatapointsToAlarm=1, Threshold=2.5,
                        ComparisonOperator="GreaterThanThreshold", Dimensions=[{"Name": "Host", "Value": "a"}],
                        Tags=[{"Key": "team", "Value": "ops"}])
    cw.put_composite_alarm(AlarmName="wire-composite", AlarmRule='ALARM("wire")')
    cw.set_alarm_state(AlarmName="wire", StateValue="ALARM", StateReason="drill", StateReasonData='{"a": 1}')
    out = cw.describe_alarms(AlarmNamePrefix="wire", AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    [metric] = out["MetricAlarms"]
    assert (metric["StateValue"], metric["Threshold"], metric["DatapointsToAlarm"]) == ("ALARM", 2.5, 1)
    assert metric["Dimensions"] == [{"Name": "Host", "Value": "a"}]
    assert metric["StateUpdatedTimestamp"].year >= 2024
    [composite] = out["CompositeAlarms"]
    assert composite["StateValue"] == "ALARM"
    assert json.loads(composite["StateReasonData"])["triggeringAlarms"][0]["state"]["value"] == "ALARM"
    history = cw.describe_alarm_history(AlarmName="wire", HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert history[0]["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"
    with pytest.raises(ClientError) as error:
        cw.put_metric_alarm(AlarmName="wire", Namespace=NAMESPACE, MetricName="Load", Statistic="Average",
                            Period=60, EvaluationPeriods=1, DatapointsToAlarm=2, Threshold=1.0,
                            ComparisonOperator="GreaterThanThreshold")
    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert error.value.response["Error"]["Message"] == "DatapointsToAlarm must be less than or equal to EvaluationPeriods"
    cw.delete_alarms(AlarmNames=["wire-composite"])
    cw.delete_alarms(AlarmNames=["wire"])
    assert cw.describe_alarms(AlarmNamePrefix="wire")["MetricAlarms"] == []
