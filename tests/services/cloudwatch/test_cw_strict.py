"""Strict mode, CloudWatch: identity policies decide every operation (no resource policies);
cloudwatch:namespace limits PutMetricData; aws:ResourceTag/* reads an alarm's tags;
parameters are checked before authorization, as CloudWatch orders them."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-cw")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def root(strict):
    return client(strict, "cloudwatch", ACCOUNT_A)


@pytest.fixture(scope="module")
def iam(strict):
    return client(strict, "iam", ACCOUNT_A)


def make_user(iam, strict, name, *statements):
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "cloudwatch", key["AccessKeyId"], key["SecretAccessKey"])


DATUM = [{"MetricName": "M", "Value": 1.0}]


def refused(call, *args, **kwargs) -> bool:
    return denied(call, *args, **kwargs)[0] == "AccessDenied"


def test_root_does_everything(root):
    root.put_metric_data(Namespace="Strict/Root", MetricData=DATUM)
    assert root.list_metrics(Namespace="Strict/Root")["Metrics"][0]["MetricName"] == "M"


def test_no_policy_no_access(iam, strict):
    nobody = make_user(iam, strict, "cw-nobody")
    code, _, message = denied(nobody.put_metric_data, Namespace="Strict/Any", MetricData=DATUM)
    assert code == "AccessDenied"  # the query code, on every wire (awsQueryCompatible)
    assert message == ("User: arn:aws:iam::111122223333:user/cw-nobody is not authorized to perform: "
                       "cloudwatch:PutMetricData because no identity-based policy allows the "
                       "cloudwatch:PutMetricData action")
    assert refused(nobody.list_metrics)


def test_parameters_are_checked_before_authorization(iam, strict):
    nobody = make_user(iam, strict, "cw-nobody-2")
    assert denied(nobody.put_metric_data, Namespace="AWS/EC2", MetricData=DATUM) == (
        "InvalidParameterValue", 400, "The value AWS/EC2 for parameter Namespace is invalid.")


def test_namespace_condition(iam, strict):
    writer = make_user(iam, strict, "cw-writer", allow("cloudwatch:PutMetricData", Condition={
        "StringEquals": {"cloudwatch:namespace": "Team/A"}}))
    writer.put_metric_data(Namespace="Team/A", MetricData=DATUM)
    assert refused(writer.put_metric_data, Namespace="Team/B", MetricData=DATUM)


def test_resource_tags_of_alarms(root, iam, strict):
    root.put_metric_alarm(AlarmName="strict-tagged", Namespace="Strict/Root", MetricName="M", Statistic="Average",
                          Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
                          Tags=[{"Key": "team", "Value": "red"}])
    root.put_metric_alarm(AlarmName="strict-other", Namespace="Strict/Root", MetricName="M", Statistic="Average",
                          Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")
    arn = root.describe_alarms(AlarmNames=["strict-tagged"])["MetricAlarms"][0]["AlarmArn"]
    other = root.describe_alarms(AlarmNames=["strict-other"])["MetricAlarms"][0]["AlarmArn"]
    red = make_user(iam, strict, "cw-red", allow("cloudwatch:ListTagsForResource", Condition={
        "StringEquals": {"aws:ResourceTag/team": "red"}}))
    assert red.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "red"}]
    assert refused(red.list_tags_for_resource, ResourceARN=other)


def test_tag_keys_condition(root, iam, strict):
    root.put_metric_alarm(AlarmName="strict-keys", Namespace="Strict/Root", MetricName="M", Statistic="Average",
                          Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")
    arn = root.describe_alarms(AlarmNames=["strict-keys"])["MetricAlarms"][0]["AlarmArn"]
    tagger = make_user(iam, strict, "cw-tagger", allow("cloudwatch:TagResource", Condition={
        "ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}))
    tagger.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "x"}])
    assert refused(tagger.tag_resource, ResourceARN=arn, Tags=[{"Key": "owner", "Value": "x"}])
