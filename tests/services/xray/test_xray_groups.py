"""Groups, encryption config, tags and resource policies through boto3."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def xray(aws_client, server):
    return aws_client("xray")


def test_group_lifecycle(xray):
    group = xray.create_group(GroupName="errors", FilterExpression='service("web") { fault OR error }',
                              Tags=[{"Key": "env", "Value": "dev"}])["Group"]
    arn = group["GroupARN"]
    assert arn.startswith("arn:aws:xray:us-east-1:000000000000:group/errors/")
    assert group["InsightsConfiguration"] == {"InsightsEnabled": False, "NotificationsEnabled": False}
    assert xray.get_group(GroupName="errors")["Group"] == group
    assert xray.get_group(GroupARN=arn)["Group"] == group
    assert xray.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]

    updated = xray.update_group(GroupARN=arn, FilterExpression="responsetime > 5",
                                InsightsConfiguration={"InsightsEnabled": True})["Group"]
    assert updated["FilterExpression"] == "responsetime > 5"
    assert updated["InsightsConfiguration"]["InsightsEnabled"] is True
    assert [g["GroupName"] for g in xray.get_groups()["Groups"]] == ["errors"]

    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.create_group(GroupName="errors")
    xray.delete_group(GroupName="errors")
    assert xray.get_groups()["Groups"] == []
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.get_group(GroupName="errors")
    with pytest.raises(xray.exceptions.ResourceNotFoundException):
        xray.list_tags_for_resource(ResourceARN=arn)


def test_default_is_reserved_and_missing_groups_are_not_found(xray):
    for name in ("Default", "default"):
        with pytest.raises(xray.exceptions.InvalidRequestException) as info:
            xray.create_group(GroupName=name)
        assert info.value.response["Error"]["Message"] == "The default group name is reserved"
    for call in (xray.get_group, xray.delete_group):
        with pytest.raises(xray.exceptions.InvalidRequestException) as info:
            call(GroupName="missing")
        assert info.value.response["Error"]["Message"] == "Group not found"


def test_notifications_need_insights(xray):
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.create_group(GroupName="g", InsightsConfiguration={"NotificationsEnabled": True})


def test_tags(xray):
    arn = xray.create_group(GroupName="g")["Group"]["GroupARN"]
    xray.tag_resource(ResourceARN=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    xray.untag_resource(ResourceARN=arn, TagKeys=["a"])
    assert xray.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(xray.exceptions.TooManyTagsException):
        xray.tag_resource(ResourceARN=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.tag_resource(ResourceARN=arn, Tags=[{"Key": "aws:x", "Value": "v"}])
    with pytest.raises(xray.exceptions.ResourceNotFoundException):
        xray.tag_resource(ResourceARN=arn + "x", Tags=[{"Key": "a", "Value": "1"}])


def test_encryption_config(xray):
    assert xray.get_encryption_config()["EncryptionConfig"] == {"Status": "ACTIVE", "Type": "NONE"}
    put = xray.put_encryption_config(Type="KMS", KeyId="alias/aws/xray")["EncryptionConfig"]
    assert put == {"Status": "UPDATING", "Type": "KMS", "KeyId": "arn:aws:kms:us-east-1:000000000000:alias/aws/xray"}
    assert xray.get_encryption_config()["EncryptionConfig"]["Status"] == "ACTIVE"
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.put_encryption_config(Type="NONE", KeyId="k")
    xray.put_encryption_config(Type="NONE")
    assert xray.get_encryption_config()["EncryptionConfig"] == {"Status": "ACTIVE", "Type": "NONE"}


POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "SNS", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
    "Action": ["xray:PutTraceSegments", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
    "Resource": "*"}]})


def test_resource_policies(xray):
    first = xray.put_resource_policy(PolicyName="sns", PolicyDocument=POLICY)["ResourcePolicy"]
    assert first["PolicyRevisionId"] == "1"
    second = xray.put_resource_policy(PolicyName="sns", PolicyDocument=POLICY, PolicyRevisionId="1")["ResourcePolicy"]
    assert second["PolicyRevisionId"] == "2"
    with pytest.raises(xray.exceptions.InvalidPolicyRevisionIdException):
        xray.put_resource_policy(PolicyName="sns", PolicyDocument=POLICY, PolicyRevisionId="1")
    with pytest.raises(xray.exceptions.InvalidPolicyRevisionIdException):
        xray.put_resource_policy(PolicyName="sns", PolicyDocument=POLICY, PolicyRevisionId="0")
    with pytest.raises(xray.exceptions.MalformedPolicyDocumentException):
        xray.put_resource_policy(PolicyName="bad", PolicyDocument="{nope")
    with pytest.raises(xray.exceptions.PolicySizeLimitExceededException):
        xray.put_resource_policy(PolicyName="big", PolicyDocument=POLICY + " " * 5200)
    for i in range(4):
        xray.put_resource_policy(PolicyName=f"p{i}", PolicyDocument=POLICY)
    with pytest.raises(xray.exceptions.PolicyCountLimitExceededException):
        xray.put_resource_policy(PolicyName="p5", PolicyDocument=POLICY)
    listed = xray.list_resource_policies()["ResourcePolicies"]
    assert [p["PolicyName"] for p in listed] == ["p0", "p1", "p2", "p3", "sns"]
    with pytest.raises(xray.exceptions.InvalidPolicyRevisionIdException):
        xray.delete_resource_policy(PolicyName="sns", PolicyRevisionId="1")
    xray.delete_resource_policy(PolicyName="sns", PolicyRevisionId="2")
    assert len(xray.list_resource_policies()["ResourcePolicies"]) == 4


def test_filter_expressions_are_checked(xray):
    for bad in ('service("web"', "responsetime >", "AND fault"):
        with pytest.raises(xray.exceptions.InvalidRequestException) as info:
            xray.create_group(GroupName="g", FilterExpression=bad)
        assert info.value.response["Error"]["Message"].startswith("Invalid filter expression")
    xray.create_group(GroupName="g", FilterExpression="fault")
    with pytest.raises(xray.exceptions.InvalidRequestException):
        xray.update_group(GroupName="g", FilterExpression="(error")
    assert xray.get_group(GroupName="g")["Group"]["FilterExpression"] == "fault"
    assert xray.get_groups()["Groups"][0]["GroupName"] == "g"


def test_a_policy_that_locks_the_caller_out_needs_the_bypass(xray):
    lockout = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "xray:Put*", "Resource": "*"}]})
    with pytest.raises(xray.exceptions.LockoutPreventionException):
        xray.put_resource_policy(PolicyName="lock", PolicyDocument=lockout)
    assert xray.list_resource_policies()["ResourcePolicies"] == []
    put = xray.put_resource_policy(PolicyName="lock", PolicyDocument=lockout, BypassPolicyLockoutCheck=True)
    assert put["ResourcePolicy"]["PolicyName"] == "lock"
