"""Sampling rules, targets and statistics through boto3 and the AWS CLI."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


def rule(name="api", **overrides) -> dict:
    body = {"RuleName": name, "ResourceARN": "*", "Priority": 100, "FixedRate": 0.5, "ReservoirSize": 4,
            "ServiceName": "orders", "ServiceType": "*", "Host": "*", "HTTPMethod": "GET", "URLPath": "/api/*",
            "Version": 1}
    body.update(overrides)
    return body


def test_default_rule_is_always_there(xray):
    records = xray.get_sampling_rules()["SamplingRuleRecords"]
    assert len(records) == 1
    default = records[0]["SamplingRule"]
    assert default == {"RuleName": "Default", "RuleARN": "arn:aws:xray:us-east-1:000000000000:sampling-rule/Default",
                       "ResourceARN": "*", "Priority": 10000, "FixedRate": 0.05, "ReservoirSize": 1,
                       "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*",
                       "Version": 1, "Attributes": {}}
    assert records[0]["CreatedAt"].timestamp() == 0


def test_create_update_delete_rule(xray):
    created = xray.create_sampling_rule(SamplingRule=rule(Attributes={"tier": "gold"}),
                                        Tags=[{"Key": "team", "Value": "a"}])["SamplingRuleRecord"]
    arn = created["SamplingRule"]["RuleARN"]
    assert arn.endswith(":sampling-rule/api")
    names = [r["SamplingRule"]["RuleName"] for r in xray.get_sampling_rules()["SamplingRuleRecords"]]
    assert names == ["api", "Default"]  # by priority
    assert xray.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "a"}]

    updated = xray.update_sampling_rule(SamplingRuleUpdate={"RuleARN": arn, "FixedRate": 0.1, "URLPath": "/v2/*"})
    assert updated["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.1
    assert updated["SamplingRuleRecord"]["SamplingRule"]["URLPath"] == "/v2/*"
    assert updated["SamplingRuleRecord"]["SamplingRule"]["Attributes"] == {"tier": "gold"}

    deleted = xray.delete_sampling_rule(RuleName="api")["SamplingRuleRecord"]
    assert deleted["SamplingRule"]["FixedRate"] == 0.1
    assert len(xray.get_sampling_rules()["SamplingRuleRecords"]) == 1
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.delete_sampling_rule(RuleName="api")


def test_rule_errors(xray):
    xray.create_sampling_rule(SamplingRule=rule())
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.create_sampling_rule(SamplingRule=rule())
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "nope", "FixedRate": 0.1})
    with pytest.raises(xray.exceptions.InvalidRequestException) as info:
        xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "Default", "Priority": 5})
    assert info.value.response["Error"]["Message"] == "Invalid update request for default sampling rule"
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.delete_sampling_rule(RuleName="Default")
    default = xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "Default", "FixedRate": 0.2})
    assert default["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.2


def test_rule_limit(xray):
    for i in range(25):
        xray.create_sampling_rule(SamplingRule=rule(f"r{i}"))
    with pytest.raises(xray.exceptions.RuleLimitExceededException):
        xray.create_sampling_rule(SamplingRule=rule("one-more"))


def test_model_constraints_are_checked(xray, endpoint):
    """boto3 refuses the value itself, so this goes over the wire signed by hand."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))
    from signed_http import send, sign

    bad = rule(Priority=0)
    status, _, body = send(sign(endpoint, "POST", "/CreateSamplingRule", service="xray",
                                body=json.dumps({"SamplingRule": bad}).encode(),
                                headers={"Content-Type": "application/json"}))
    assert status == 400
    assert "Member must have value greater than or equal to 1" in body.decode()


def test_targets_share_the_reservoir_among_clients(xray):
    xray.create_sampling_rule(SamplingRule=rule(ReservoirSize=5, FixedRate=0.25))
    now = time.time()

    def report(client, requests=10, sampled=3):
        return xray.get_sampling_targets(SamplingStatisticsDocuments=[
            {"RuleName": "api", "ClientID": client, "Timestamp": now, "RequestCount": requests,
             "SampledCount": sampled, "BorrowCount": 1}])

    first = report("a" * 24)
    target = first["SamplingTargetDocuments"][0]
    assert target["RuleName"] == "api" and target["FixedRate"] == 0.25
    assert target["ReservoirQuota"] == 5 and target["Interval"] == 10
    assert target["ReservoirQuotaTTL"].timestamp() > now
    assert first["LastRuleModification"].timestamp() > 0
    second = report("b" * 24)
    again = report("a" * 24)
    assert second["SamplingTargetDocuments"][0]["ReservoirQuota"] + \
        again["SamplingTargetDocuments"][0]["ReservoirQuota"] == 5

    summaries = xray.get_sampling_statistic_summaries()["SamplingStatisticSummaries"]
    api = [s for s in summaries if s["RuleName"] == "api"]
    assert len(api) == 1
    assert api[0]["RequestCount"] == 30 and api[0]["SampledCount"] == 9 and api[0]["BorrowCount"] == 3

    unknown = xray.get_sampling_targets(SamplingStatisticsDocuments=[
        {"RuleName": "ghost", "ClientID": "c" * 24, "Timestamp": now, "RequestCount": 1, "SampledCount": 0,
         "BorrowCount": 0}])
    assert unknown["SamplingTargetDocuments"] == []
    assert [u["RuleName"] for u in unknown["UnprocessedStatistics"]] == ["ghost"]


def test_aws_cli_creates_and_lists_rules(aws_cli, server):
    aws_cli("xray", "create-sampling-rule", "--sampling-rule", json.dumps(rule("cli-rule")))
    out = aws_cli("xray", "get-sampling-rules")
    assert [r["SamplingRule"]["RuleName"] for r in out["SamplingRuleRecords"]] == ["cli-rule", "Default"]
