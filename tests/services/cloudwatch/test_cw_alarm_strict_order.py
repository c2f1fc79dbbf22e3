"""Strict mode, the alarm operations: a request's own parameters are checked before it is
authorized, as CloudWatch orders them (a malformed request is refused for anyone, the
existence of what it names only after authorization); a denial is CloudWatch's query code
``AccessDenied`` (403) on every wire it speaks."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, client, denied, policy  # noqa: E402

from cw_helpers import protocol_client  # noqa: E402

ALARM = dict(AlarmName="order", Namespace="Strict/Order", MetricName="Load", Statistic="Sum", Period=60,
             EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-cw-order")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def nobody_keys(strict):
    """A user without any policy: every CloudWatch call it makes is denied once it is authorized."""
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName="cw-order-nobody")
    iam.put_user_policy(UserName="cw-order-nobody", PolicyName="inline",
                        PolicyDocument=policy({"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*"}))
    key = iam.create_access_key(UserName="cw-order-nobody")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


@pytest.fixture(scope="module")
def nobody(strict, nobody_keys):
    return client(strict, "cloudwatch", *nobody_keys)


def test_put_metric_alarm_parameters_before_authorization(nobody):
    assert denied(nobody.put_metric_alarm, **{**ALARM, "ComparisonOperator": "Above"})[:2] == \
        ("InvalidParameterValue", 400)
    assert denied(nobody.put_metric_alarm, **{**ALARM, "EvaluationPeriods": 2, "DatapointsToAlarm": 3}) == (
        "ValidationError", 400, "DatapointsToAlarm must be less than or equal to EvaluationPeriods")
    # an EC2 action's region must be the request's (us-east-1): a parameter error
    assert denied(nobody.put_metric_alarm, **ALARM, AlarmActions=["arn:aws:automate:eu-west-1:ec2:stop"]) == (
        "ValidationError", 400, "Invalid region eu-west-1 specified. Only us-east-1 is supported.")
    assert denied(nobody.put_metric_alarm, **ALARM, AlarmActions=["arn:aws:sns:us-east-1:111122223333:topic"])[:2] \
        == ("AccessDenied", 403)


def test_put_composite_alarm_parameters_before_authorization(nobody):
    assert denied(nobody.put_composite_alarm, AlarmName="c", AlarmRule='ALARM("a"')[:2] == ("ValidationError", 400)
    assert denied(nobody.put_composite_alarm, AlarmName="c", AlarmRule='ALARM("a")',
                  ActionsSuppressor="a")[:2] == ("ValidationError", 400)
    # a child that does not exist is an existence question: asked only after authorization
    assert denied(nobody.put_composite_alarm, AlarmName="c", AlarmRule='ALARM("no-such-alarm")')[:2] == \
        ("AccessDenied", 403)


def test_reading_and_driving_alarms_parameters_before_authorization(nobody):
    state_error = "The parameter StateValue must be a value in the set [ OK, ALARM, INSUFFICIENT_DATA ]."
    assert denied(nobody.describe_alarms, StateValue="RED") == ("InvalidParameterValue", 400, state_error)
    assert denied(nobody.describe_alarms, AlarmNames=["a"], AlarmNamePrefix="a")[:2] == \
        ("InvalidParameterCombination", 400)
    assert denied(nobody.set_alarm_state, AlarmName="a", StateValue="RED", StateReason="r") == \
        ("InvalidParameterValue", 400, state_error)
    assert denied(nobody.set_alarm_state, AlarmName="a", StateValue="OK", StateReason="r",
                  StateReasonData="{") == ("InvalidFormat", 400, "Data was not syntactically valid JSON")
    assert denied(nobody.describe_alarm_history, HistoryItemType="Everything")[:2] == ("InvalidParameterValue", 400)
    assert denied(nobody.delete_alarms, AlarmNames=[f"a{i}" for i in range(101)])[:2] == \
        ("InvalidParameterValue", 400)
    # well-formed: denied (the alarm's existence is not looked at before authorization)
    for call, params in ((nobody.describe_alarms, {}), (nobody.set_alarm_state,
                                                        {"AlarmName": "none", "StateValue": "OK", "StateReason": "r"}),
                         (nobody.describe_alarm_history, {}), (nobody.delete_alarms, {"AlarmNames": ["none"]}),
                         (nobody.describe_alarms_for_metric, {"MetricName": "M", "Namespace": "N"})):
        assert denied(call, **params)[:2] == ("AccessDenied", 403)


@pytest.mark.parametrize("protocol", ["json", "smithy-rpc-v2-cbor", "query"])
def test_denial_on_every_wire(strict, nobody_keys, protocol):
    cw = protocol_client(strict.endpoint, protocol, aws_access_key_id=nobody_keys[0],
                         aws_secret_access_key=nobody_keys[1])
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        cw.describe_alarms()
    response = caught.value.response
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["Error"]["Message"] == (
        "User: arn:aws:iam::111122223333:user/cw-order-nobody is not authorized to perform: "
        "cloudwatch:DescribeAlarms because no identity-based policy allows the cloudwatch:DescribeAlarms action")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    if protocol != "query":  # the query code the SDKs read for a query-compatible service
        assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == "AccessDenied;Sender"
