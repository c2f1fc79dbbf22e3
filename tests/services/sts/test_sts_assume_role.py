"""AssumeRole (open mode): trust policies decide, sessions act as the role, in the role's account."""

from __future__ import annotations

import json
import secrets

import pytest
from botocore.config import Config
from sts_helpers import advance_clock, error_of, session_client

ACCOUNT = "000000000000"
NO_VALIDATION = Config(parameter_validation=False, retries={"max_attempts": 1})


def trust(principal: dict, action="sts:AssumeRole", condition: dict | None = None, extra_actions=()) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": [action, *extra_actions]}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def make_role(aws_client, name: str, document: str, account_key: str = "test", **kwargs) -> dict:
    iam = aws_client("iam", aws_access_key_id=account_key)
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=document, **kwargs)["Role"]


@pytest.fixture
def role(aws_client):
    return make_role(aws_client, "deployer", trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}), Path="/ci/")


def test_assume_role_session_acts_as_the_role(aws_client, role):
    out = aws_client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="build-42")
    assumed = out["AssumedRoleUser"]
    assert assumed["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/build-42"
    assert assumed["AssumedRoleId"] == f"{role['RoleId']}:build-42"
    assert assumed["AssumedRoleId"].startswith("AROA")
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert "PackedPolicySize" not in out
    identity = session_client(aws_client, "sts", out["Credentials"]).get_caller_identity()
    assert identity == {**identity, "Account": ACCOUNT, "Arn": assumed["Arn"], "UserId": assumed["AssumedRoleId"]}


def test_missing_role_is_access_denied_without_leaking(aws_client):
    arn = f"arn:aws:iam::{ACCOUNT}:role/nobody"
    code, message, status = error_of(aws_client("sts").assume_role, RoleArn=arn, RoleSessionName="s1")
    assert (code, status) == ("AccessDenied", 403)
    assert message == f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: {arn}"


def test_role_trusting_only_a_service_refuses_users(aws_client):
    role = make_role(aws_client, "ec2-only", trust({"Service": "ec2.amazonaws.com"}))
    code, message, _ = error_of(aws_client("sts").assume_role, RoleArn=role["Arn"], RoleSessionName="s1")
    assert code == "AccessDenied"
    assert message.endswith(f"sts:AssumeRole on resource: {role['Arn']}")


def test_external_id_condition(aws_client):
    document = trust({"AWS": ACCOUNT}, condition={"StringEquals": {"sts:ExternalId": "secret-handshake"}})
    role = make_role(aws_client, "partner", document)
    sts = aws_client("sts")
    assert error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1")[0] == "AccessDenied"
    assert error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", ExternalId="wrong-id")[0] == "AccessDenied"
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", ExternalId="secret-handshake")
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/partner/s1")


def test_duration_bounded_by_max_session_duration(aws_client):
    role = make_role(aws_client, "short", trust({"AWS": ACCOUNT}))
    sts = aws_client("sts")
    code, message, status = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=7200)
    assert (code, status) == ("ValidationError", 400)
    assert message == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    long_role = make_role(aws_client, "long", trust({"AWS": ACCOUNT}), MaxSessionDuration=43200)
    out = sts.assume_role(RoleArn=long_role["Arn"], RoleSessionName="s1", DurationSeconds=43200)
    assert out["Credentials"]["Expiration"]


def test_duration_and_session_name_limits_from_the_model(aws_client, role):
    sts = aws_client("sts", config=NO_VALIDATION)
    code, message, _ = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=899)
    assert code == "ValidationError"
    assert "at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900" in message
    code, message, _ = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="bad name!")
    assert code == "ValidationError"
    assert message == (
        "1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*"
    )
    code, message, _ = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="x" * 65)
    assert "Member must have length less than or equal to 64" in message


def test_role_chaining_is_limited_to_an_hour(aws_client, role):
    second = make_role(aws_client, "second", trust({"AWS": ACCOUNT}), MaxSessionDuration=43200)
    first = aws_client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="first")["Credentials"]
    chained = session_client(aws_client, "sts", first)
    code, message, _ = error_of(chained.assume_role, RoleArn=second["Arn"], RoleSessionName="s2", DurationSeconds=7200)
    assert (code, message) == (
        "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    )
    out = chained.assume_role(RoleArn=second["Arn"], RoleSessionName="s2")
    identity = session_client(aws_client, "sts", out["Credentials"]).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/second/s2"


def test_session_policy_validated_and_sized(aws_client, role):
    sts = aws_client("sts")
    code, _, status = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", Policy="{not json")
    assert (code, status) == ("MalformedPolicyDocument", 400)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]})
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Policy=policy)
    assert 0 < out["PackedPolicySize"] <= 100


def test_too_many_session_tags_is_packed_policy_too_large(aws_client):
    role = make_role(aws_client, "tagged", trust({"AWS": ACCOUNT}, extra_actions=("sts:TagSession",)))
    tags = [{"Key": f"k{i}-{secrets.token_hex(20)}", "Value": secrets.token_hex(100)} for i in range(50)]
    code, message, status = error_of(aws_client("sts").assume_role, RoleArn=role["Arn"], RoleSessionName="s1", Tags=tags)
    assert (code, status) == ("PackedPolicyTooLarge", 400)
    assert "% of allotted space" in message


def test_session_tags_need_tag_session_permission(aws_client, role):
    sts = aws_client("sts")
    tags = [{"Key": "team", "Value": "blue"}]
    code, message, _ = error_of(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", Tags=tags)
    assert code == "AccessDenied" and "sts:TagSession" in message
    tagged = make_role(aws_client, "tagger", trust({"AWS": ACCOUNT}, extra_actions=("sts:TagSession",)))
    out = sts.assume_role(RoleArn=tagged["Arn"], RoleSessionName="s1", Tags=tags)
    assert 0 < out["PackedPolicySize"] <= 100


def test_source_identity_is_returned_and_kept_on_chaining(aws_client):
    document = trust({"AWS": ACCOUNT}, extra_actions=("sts:SetSourceIdentity",))
    role = make_role(aws_client, "audited", document)
    out = aws_client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SourceIdentity="alice@example.com")
    assert out["SourceIdentity"] == "alice@example.com"
    chained = session_client(aws_client, "sts", out["Credentials"])
    again = chained.assume_role(RoleArn=role["Arn"], RoleSessionName="s2")
    assert again["SourceIdentity"] == "alice@example.com"


def test_cross_account_role_acts_in_its_own_account(aws_client):
    role = make_role(aws_client, "shared", trust({"AWS": "arn:aws:iam::222222222222:root"}), account_key="111111111111")
    assert role["Arn"] == "arn:aws:iam::111111111111:role/shared"
    out = aws_client("sts", aws_access_key_id="222222222222").assume_role(RoleArn=role["Arn"], RoleSessionName="xa")
    identity = session_client(aws_client, "sts", out["Credentials"]).get_caller_identity()
    assert identity["Account"] == "111111111111"
    assert identity["Arn"] == "arn:aws:sts::111111111111:assumed-role/shared/xa"
    code, message, _ = error_of(
        aws_client("sts", aws_access_key_id="333333333333").assume_role, RoleArn=role["Arn"], RoleSessionName="xa"
    )
    assert code == "AccessDenied" and message.startswith("User: arn:aws:iam::333333333333:root is not authorized")


def test_role_session_expires(aws_client, server, role):
    creds = aws_client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=900)["Credentials"]
    advance_clock(server, 901)
    code, message, _ = error_of(session_client(aws_client, "sts", creds).get_caller_identity)
    assert (code, message) == ("ExpiredToken", "The security token included in the request is expired")


def test_cli_assume_role(aws_cli, aws_client, role):
    out = aws_cli("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "cli-session")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/cli-session"


def test_transitive_session_tags_pass_down_a_role_chain(aws_client):
    tagging = trust({"AWS": ACCOUNT}, extra_actions=("sts:TagSession",))
    first = make_role(aws_client, "first", tagging)
    second = make_role(aws_client, "second-hop", tagging)
    # the transitive tag passes on again: each role down the chain must allow sts:TagSession
    needs_team = make_role(aws_client, "needs-team", trust(
        {"AWS": ACCOUNT}, condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}},
        extra_actions=("sts:TagSession",)))
    needs_temp = make_role(aws_client, "needs-temp", trust(
        {"AWS": ACCOUNT}, condition={"Null": {"aws:PrincipalTag/temp": "false"}}, extra_actions=("sts:TagSession",)))
    creds = aws_client("sts").assume_role(
        RoleArn=first["Arn"], RoleSessionName="s1",
        Tags=[{"Key": "team", "Value": "blue"}, {"Key": "temp", "Value": "x"}], TransitiveTagKeys=["team"],
    )["Credentials"]
    hop = session_client(aws_client, "sts", creds).assume_role(RoleArn=second["Arn"], RoleSessionName="s2")
    assert 0 < hop["PackedPolicySize"] <= 100  # the inherited tag rides along
    chained = session_client(aws_client, "sts", hop["Credentials"])
    assert chained.assume_role(RoleArn=needs_team["Arn"], RoleSessionName="s3")["AssumedRoleUser"]
    assert error_of(chained.assume_role, RoleArn=needs_temp["Arn"], RoleSessionName="s3")[0] == "AccessDenied"
