"""Account-level policies through a real server: every policy type recorded and described, the
checks of the document and the selection criteria, one subscription filter policy per account
and region, its destination tested as PutSubscriptionFilter tests one (its deliveries:
test_logs_subscription_delivery.py)."""

from __future__ import annotations

import json

import pytest

from logs_helpers import error_of, lambda_forwarder, logs  # noqa: F401

ACCOUNT = "000000000000"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:forwarder"
STREAM = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/logs"
DOCUMENTS = {
    "DATA_PROTECTION_POLICY": {"Name": "data-protection", "Version": "2021-06-01", "Statement": []},
    "FIELD_INDEX_POLICY": {"Fields": ["requestId", "userId"]},
    "TRANSFORMER_POLICY": {"transformerConfig": [{"parseJSON": {}}]},
    "METRIC_EXTRACTION_POLICY": {"enabled": False},
    "SUBSCRIPTION_FILTER_POLICY": {"DestinationArn": FUNCTION, "FilterPattern": "ERROR", "Distribution": "Random"},
}


@pytest.mark.parametrize("policy_type", sorted(DOCUMENTS))
def test_every_policy_type_is_recorded(logs, policy_type, aws_client):
    if policy_type == "SUBSCRIPTION_FILTER_POLICY":
        lambda_forwarder(aws_client("lambda"))
    document = json.dumps(DOCUMENTS[policy_type])
    made = logs.put_account_policy(policyName="p1", policyType=policy_type, policyDocument=document,
                                   scope="ALL")["accountPolicy"]
    assert {k: made[k] for k in ("policyName", "policyType", "policyDocument", "scope", "accountId")} == {
        "policyName": "p1", "policyType": policy_type, "policyDocument": document, "scope": "ALL",
        "accountId": ACCOUNT}
    assert isinstance(made["lastUpdatedTime"], int)
    [found] = logs.describe_account_policies(policyType=policy_type)["accountPolicies"]
    assert found == made
    other = "FIELD_INDEX_POLICY" if policy_type != "FIELD_INDEX_POLICY" else "TRANSFORMER_POLICY"
    assert logs.describe_account_policies(policyType=other)["accountPolicies"] == []
    assert logs.describe_account_policies(policyType=policy_type, policyName="p2")["accountPolicies"] == []
    logs.delete_account_policy(policyName="p1", policyType=policy_type)
    assert logs.describe_account_policies(policyType=policy_type)["accountPolicies"] == []
    code, _, _ = error_of(logs.delete_account_policy, policyName="p1", policyType=policy_type)
    assert code == "ResourceNotFoundException"


def test_document_and_criteria_checks(logs):
    code, _, _ = error_of(logs.put_account_policy, policyName="p", policyType="FIELD_INDEX_POLICY",
                          policyDocument="{not json")
    assert code == "InvalidParameterException"
    code, _, _ = error_of(logs.put_account_policy, policyName="p", policyType="FIELD_INDEX_POLICY",
                          policyDocument="[1, 2]")
    assert code == "InvalidParameterException"
    code, message, _ = error_of(logs.put_account_policy, policyName="p", policyType="NOT_A_TYPE",
                                policyDocument="{}")
    assert code == "InvalidParameterException" and "policyType" in message
    code, _, _ = error_of(logs.put_account_policy, policyName="p", policyType="DATA_PROTECTION_POLICY",
                          policyDocument=json.dumps(DOCUMENTS["DATA_PROTECTION_POLICY"]),
                          selectionCriteria='LogGroupName NOT IN ["a"]')
    assert code == "InvalidParameterException"
    code, _, _ = error_of(logs.put_account_policy, policyName="p", policyType="SUBSCRIPTION_FILTER_POLICY",
                          policyDocument=json.dumps(DOCUMENTS["SUBSCRIPTION_FILTER_POLICY"]),
                          selectionCriteria='LogGroupNamePrefix IN ["a"]')
    assert code == "InvalidParameterException"
    for policy_type in DOCUMENTS:
        assert logs.describe_account_policies(policyType=policy_type)["accountPolicies"] == []


def test_one_subscription_filter_policy_tested_like_a_filter(logs, aws_client):
    lambda_forwarder(aws_client("lambda"))
    code, message, _ = error_of(
        logs.put_account_policy, policyName="to-kinesis", policyType="SUBSCRIPTION_FILTER_POLICY",
        policyDocument=json.dumps({"DestinationArn": STREAM, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r"}))
    assert (code, message) == ("InvalidParameterException", "Could not deliver test message to specified "
                                                            "destination. Check if the destination is valid.")
    code, _, _ = error_of(logs.put_account_policy, policyName="no-destination",
                          policyType="SUBSCRIPTION_FILTER_POLICY", policyDocument=json.dumps({"FilterPattern": ""}))
    assert code == "InvalidParameterException"
    code, _, _ = error_of(logs.put_account_policy, policyName="bad-pattern", policyType="SUBSCRIPTION_FILTER_POLICY",
                          policyDocument=json.dumps({"DestinationArn": FUNCTION, "FilterPattern": "{ $.x = "}))
    assert code == "InvalidParameterException"
    logs.put_account_policy(policyName="all", policyType="SUBSCRIPTION_FILTER_POLICY",
                            policyDocument=json.dumps(DOCUMENTS["SUBSCRIPTION_FILTER_POLICY"]),
                            selectionCriteria='LogGroupName NOT IN ["/aws/lambda/forwarder"]')
    code, message, _ = error_of(logs.put_account_policy, policyName="second", policyType="SUBSCRIPTION_FILTER_POLICY",
                                policyDocument=json.dumps(DOCUMENTS["SUBSCRIPTION_FILTER_POLICY"]))
    assert (code, message) == ("LimitExceededException", "Resource limit exceeded.")
    # the same name is an update
    logs.put_account_policy(policyName="all", policyType="SUBSCRIPTION_FILTER_POLICY",
                            policyDocument=json.dumps({"DestinationArn": FUNCTION}))
    [found] = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY")["accountPolicies"]
    assert json.loads(found["policyDocument"]) == {"DestinationArn": FUNCTION} and "selectionCriteria" not in found
