"""Strict mode, X-Ray: an IAM user may call only what its policies allow, per group and
sampling-rule ARN where X-Ray authorizes resources."""

from __future__ import annotations

import os
import sys

import pytest
from serverproc import ServerProcess

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402
from xray_helpers import dumps, segment  # noqa: E402


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-xray")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def root(strict):
    return client(strict, "xray", ACCOUNT_A)


@pytest.fixture(scope="module")
def user(strict):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName="tracer")
    iam.put_user_policy(UserName="tracer", PolicyName="xray", PolicyDocument=policy(
        allow(["xray:PutTraceSegments", "xray:BatchGetTraces", "xray:GetSamplingRules", "xray:StartTraceRetrieval",
               "xray:ListRetrievedTraces"]),
        allow("xray:GetGroup", f"arn:aws:xray:us-east-1:{ACCOUNT_A}:group/visible/*"),
        allow("xray:DeleteSamplingRule", f"arn:aws:xray:us-east-1:{ACCOUNT_A}:sampling-rule/disposable")))
    key = iam.create_access_key(UserName="tracer")["AccessKey"]
    return client(strict, "xray", key["AccessKeyId"], key["SecretAccessKey"])


RULE = {"ResourceARN": "*", "Priority": 10, "FixedRate": 0.1, "ReservoirSize": 1, "ServiceName": "*",
        "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*", "Version": 1}


def test_user_calls_what_its_policy_allows(user):
    doc = segment()
    assert user.put_trace_segments(TraceSegmentDocuments=[dumps(doc)])["UnprocessedTraceSegments"] == []
    assert user.batch_get_traces(TraceIds=[doc["trace_id"]])["Traces"][0]["Id"] == doc["trace_id"]
    assert user.get_sampling_rules()["SamplingRuleRecords"][-1]["SamplingRule"]["RuleName"] == "Default"
    code, status, message = denied(user.create_group, GroupName="nope")
    assert status in (400, 403) and "AccessDenied" in code
    assert "xray:CreateGroup" in message


def test_resource_level_permissions(root, user):
    visible = root.create_group(GroupName="visible")["Group"]["GroupARN"]
    hidden = root.create_group(GroupName="hidden")["Group"]["GroupARN"]
    assert user.get_group(GroupARN=visible)["Group"]["GroupName"] == "visible"
    assert "AccessDenied" in denied(user.get_group, GroupARN=hidden)[0]
    root.create_sampling_rule(SamplingRule={"RuleName": "disposable", **RULE})
    root.create_sampling_rule(SamplingRule={"RuleName": "kept", **RULE})
    user.delete_sampling_rule(RuleName="disposable")
    assert "AccessDenied" in denied(user.delete_sampling_rule, RuleName="kept")[0]


def test_retrieval_insights_and_transaction_search_are_authorized(root, user):
    doc = segment()
    user.put_trace_segments(TraceSegmentDocuments=[dumps(doc)])
    token = user.start_trace_retrieval(TraceIds=[doc["trace_id"]], StartTime=doc["start_time"] - 60,
                                       EndTime=doc["end_time"] + 60)["RetrievalToken"]
    assert [t["Id"] for t in user.list_retrieved_traces(RetrievalToken=token)["Traces"]] == [doc["trace_id"]]
    for call, kwargs, action in (
            (user.get_retrieved_traces_graph, {"RetrievalToken": token}, "xray:GetRetrievedTracesGraph"),
            (user.cancel_trace_retrieval, {"RetrievalToken": token}, "xray:CancelTraceRetrieval"),
            (user.get_insight, {"InsightId": "11111111-2222-4333-8444-555555555555"}, "xray:GetInsight"),
            (user.get_indexing_rules, {}, "xray:GetIndexingRules"),
            (user.update_trace_segment_destination, {"Destination": "XRay"}, "xray:UpdateTraceSegmentDestination")):
        code, _, message = denied(call, **kwargs)
        assert "AccessDenied" in code and action in message
    assert root.get_retrieved_traces_graph(RetrievalToken=token)["RetrievalStatus"] == "COMPLETE"
    assert root.get_indexing_rules()["IndexingRules"][0]["Name"] == "Default"
