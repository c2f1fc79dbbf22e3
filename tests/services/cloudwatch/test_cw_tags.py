"""TagResource, UntagResource, ListTagsForResource on alarms and dashboards; errors for ARNs
that name nothing."""

from __future__ import annotations

import json

from aws_clients import STRICT
from cw_helpers import cw, error_of  # noqa: F401


def _alarm(cw, name="tagged-alarm", **extra):
    cw.put_metric_alarm(AlarmName=name, Namespace="Overcast/Test", MetricName="M", Statistic="Average", Period=60,
                        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold", **extra)
    return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]


def test_alarm_tags_round_trip(cw):
    arn = _alarm(cw, Tags=[{"Key": "team", "Value": "a"}])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "b"}, {"Key": "env", "Value": "prod"}])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "b"}]
    cw.untag_resource(ResourceARN=arn, TagKeys=["team", "absent"])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_deleted_alarm_loses_its_tags(cw):
    arn = _alarm(cw, Tags=[{"Key": "k", "Value": "v"}])
    cw.delete_alarms(AlarmNames=["tagged-alarm"])
    assert error_of(cw.list_tags_for_resource, ResourceARN=arn)[0] == "ResourceNotFoundException"
    arn = _alarm(cw)
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == []


def test_dashboard_tags(cw):
    cw.put_dashboard(DashboardName="tagged", DashboardBody=json.dumps({"widgets": []}))
    arn = cw.get_dashboard(DashboardName="tagged")["DashboardArn"]
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "k", "Value": "v"}]


def test_unknown_and_malformed_arns(cw):
    arn = _alarm(cw)
    missing = arn.replace("tagged-alarm", "no-such-alarm")
    for call, kwargs in ((cw.tag_resource, {"Tags": [{"Key": "k", "Value": "v"}]}),
                         (cw.untag_resource, {"TagKeys": ["k"]}), (cw.list_tags_for_resource, {})):
        assert error_of(call, ResourceARN=missing, **kwargs) == (
            "ResourceNotFoundException", "The specified resource does not exist.", 404)
    assert error_of(cw.list_tags_for_resource, ResourceARN="not-an-arn") == (
        "InvalidParameterValue", "The value not-an-arn for parameter ResourceARN is invalid.", 400)
    other_account = arn.split(":")
    other_account[4] = "999999999999"
    # another account's alarm: strict mode refuses it before looking (no resource policy lets
    # anyone in), open mode finds no such alarm of the caller's
    expected = "AccessDenied" if STRICT else "ResourceNotFoundException"
    assert error_of(cw.list_tags_for_resource, ResourceARN=":".join(other_account))[0] == expected


def test_tag_limits(cw):
    arn = _alarm(cw)
    assert error_of(cw.tag_resource, ResourceARN=arn, Tags=[{"Key": "aws:x", "Value": "v"}])[0] == \
        "InvalidParameterValue"
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error_of(cw.tag_resource, ResourceARN=arn, Tags=[{"Key": "one-more", "Value": "v"}])[0] == "LimitExceeded"
