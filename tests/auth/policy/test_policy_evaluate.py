"""evaluate(): the Decision's details and the context the engine completes."""

import json

from overcast.auth.policy import (
    AuthzRequest, MatchedStatement, PolicySet, Principal, evaluate, parse_policy, request_context,
)

ACCOUNT = "123456789012"
ALICE = Principal(f"arn:aws:iam::{ACCOUNT}:user/alice", ACCOUNT, "user", user_id="AIDAEXAMPLE",
                  username="alice", tags={"team": "blue"})
SESSION = Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s", ACCOUNT, "assumed-role",
                    user_id="AROAEXAMPLE:s", role_arn=f"arn:aws:iam::{ACCOUNT}:role/R")


def policy(*statements, kind="identity", source="p"):
    return parse_policy(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), kind, source)


def request(action="s3:GetObject", resource="arn:aws:s3:::b/k", principal=ALICE, **kw):
    return AuthzRequest(principal, action, resource, kw.pop("context", {}), **kw)


def test_matched_statements_name_their_policy_and_sid():
    allow = policy({"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}, source="ReadOnly")
    deny = policy({"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
                  source="Guard")
    decision = evaluate(request(), PolicySet(identity=[allow, deny]))
    assert not decision.allowed and decision.reason == "explicit_deny" and decision.denied_by == "identity"
    assert decision.matched == [MatchedStatement("ReadOnly", "Read", "Allow", "identity"),
                                MatchedStatement("Guard", "NoSecrets", "Deny", "identity")]


def test_allowed_decision():
    decision = evaluate(request(), PolicySet(identity=[policy({"Effect": "Allow", "Action": "*", "Resource": "*"})]))
    assert decision.allowed and decision.reason == "allowed" and decision.denied_by is None
    assert [m.effect for m in decision.matched] == ["Allow"]


def test_implicit_deny_has_no_matches():
    decision = evaluate(request(), PolicySet())
    assert (decision.allowed, decision.reason, decision.matched, decision.denied_by) == (
        False, "implicit_deny", [], "identity")


def test_context_is_completed_not_overridden():
    context = request_context(request(context={"aws:CurrentTime": "2001-01-01T00:00:00Z"}), now=1_700_000_000)
    assert context["aws:currenttime"] == "2001-01-01T00:00:00Z"
    assert context["aws:epochtime"] == "1700000000"
    assert context["aws:username"] == "alice"
    assert context["aws:userid"] == "AIDAEXAMPLE"
    assert context["aws:principalarn"] == ALICE.arn
    assert context["aws:principalaccount"] == ACCOUNT
    assert context["aws:principaltype"] == "User"
    assert context["aws:principaltag/team"] == "blue"
    session = request_context(request(principal=SESSION), now=0)
    assert session["aws:principalarn"] == SESSION.role_arn and "aws:username" not in session
    assert session["aws:currenttime"] == "1970-01-01T00:00:00Z"


def test_current_time_condition_uses_now():
    window = policy({"Effect": "Allow", "Action": "*", "Resource": "*",
                     "Condition": {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}})
    assert evaluate(request(), PolicySet(identity=[window]), now=1_500_000_000).allowed
    assert not evaluate(request(), PolicySet(identity=[window]), now=1_600_000_000).allowed


def test_root_in_its_account_needs_no_policy_but_obeys_resource_deny():
    root = Principal(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, "root", user_id=ACCOUNT)
    assert evaluate(request(principal=root, resource_account=ACCOUNT), PolicySet()).allowed
    bucket = policy({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
                    kind="resource", source="bucket policy")
    decision = evaluate(request(principal=root, resource_account=ACCOUNT), PolicySet(resource=bucket))
    assert decision.reason == "explicit_deny" and decision.denied_by == "resource"
    assert decision.matched == [MatchedStatement("bucket policy", None, "Deny", "resource")]


def test_resource_statement_for_another_principal_is_not_matched():
    bucket = policy({"Sid": "Other", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"},
                     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, kind="resource")
    decision = evaluate(request(resource_account=ACCOUNT), PolicySet(resource=bucket))
    assert decision.reason == "implicit_deny" and decision.matched == []


def test_resource_account_none_means_same_account():
    bucket = policy({"Effect": "Allow", "Principal": {"AWS": ALICE.arn}, "Action": "s3:GetObject",
                     "Resource": "arn:aws:s3:::b/*"}, kind="resource")
    assert evaluate(request(), PolicySet(resource=bucket)).allowed


def test_service_principal_only_through_resource_policy():
    ec2 = Principal("ec2.amazonaws.com", "", "service", service="ec2.amazonaws.com")
    trust = policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
                   kind="trust")
    role = f"arn:aws:iam::{ACCOUNT}:role/R"
    assert evaluate(request("sts:AssumeRole", role, ec2, resource_account=ACCOUNT), PolicySet(resource=trust)).allowed
    everything = policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
    decision = evaluate(request("sts:AssumeRole", role, ec2), PolicySet(identity=[everything]))
    assert decision.reason == "implicit_deny" and decision.denied_by == "resource"


def test_trust_policy_statement_without_resource_applies_to_the_role():
    trust = policy({"Effect": "Allow", "Principal": {"AWS": ALICE.arn}, "Action": "sts:AssumeRole"}, kind="trust")
    role = f"arn:aws:iam::{ACCOUNT}:role/R"
    assert evaluate(request("sts:AssumeRole", role, resource_account=ACCOUNT), PolicySet(resource=trust)).allowed
    assert not evaluate(request("sts:TagSession", role, resource_account=ACCOUNT), PolicySet(resource=trust)).allowed
