"""The evaluation table: policy_cases.json holds cases from AWS's documented examples (each
cites its page in "source"); every case runs through parse_policy + evaluate."""

import json
from pathlib import Path

import pytest

from overcast.auth.policy import AuthzRequest, PolicySet, Principal, evaluate, parse_policy

CASES = json.loads((Path(__file__).parent / "policy_cases.json").read_text())["cases"]
# Fixed "now" for the table (2026-01-01T00:00:00Z) so time conditions stay stable.
NOW = 1767225600.0


def principal_from(spec) -> Principal:
    """An ARN (or "anonymous", "service:<name>", "web-identity:<provider ARN>"), optionally as
    {"arn": ..., extras}."""
    extras = {}
    if isinstance(spec, dict):
        extras = {k: v for k, v in spec.items() if k != "arn"}
        spec = spec["arn"]
    if spec == "anonymous":
        return Principal(arn="*", account="", kind="anonymous", **extras)
    if spec.startswith("web-identity:"):  # a caller of AssumeRoleWithWebIdentity, by provider
        provider = spec[len("web-identity:"):]
        return Principal(arn=provider, account=provider.split(":")[4], kind="web-identity", service=provider,
                         **extras)
    if spec.startswith("service:"):
        return Principal(arn=spec[8:], account="", kind="service", service=spec[8:], **extras)
    account, resource = spec.split(":")[4], spec.split(":", 5)[5]
    if resource == "root":
        return Principal(arn=spec, account=account, kind="root", user_id=account, **extras)
    if resource.startswith("user/"):
        name = resource.rsplit("/", 1)[1]
        fields = {"user_id": "AIDAEXAMPLEUSERID1234", "username": name, **extras}
        return Principal(arn=spec, account=account, kind="user", **fields)
    if resource.startswith("assumed-role/"):
        _, role, session = resource.split("/", 2)
        fields = {"role_arn": f"arn:aws:iam::{account}:role/{role}",
                  "user_id": f"AROAEXAMPLEROLEID1234:{session}", **extras}
        return Principal(arn=spec, account=account, kind="assumed-role", **fields)
    raise ValueError(spec)


def run(case):
    policies = case["policies"]
    label = case["name"]
    policy_set = PolicySet(
        identity=[parse_policy(json.dumps(doc), "identity", f"identity{i}")
                  for i, doc in enumerate(policies.get("identity", []))],
        resource=(parse_policy(json.dumps(policies["resource"]), policies.get("resource_kind", "resource"),
                               "resource")
                  if "resource" in policies else None),
        boundary=(parse_policy(json.dumps(policies["boundary"]), "boundary", "boundary")
                  if "boundary" in policies else None),
        session=[parse_policy(json.dumps(doc), "session", f"session{i}")
                 for i, doc in enumerate(policies.get("session", []))],
    )
    request = case["request"]
    authz = AuthzRequest(
        principal=principal_from(request["principal"]),
        action=request["action"],
        resource=request["resource"],
        context=request.get("context", {}),
        resource_account=request.get("resource_account"),
    )
    assert label
    return evaluate(authz, policy_set, now=NOW)


def test_table_is_large_and_cited():
    assert len(CASES) >= 150
    for case in CASES:
        assert case["source"].startswith("https://docs.aws.amazon.com/"), case["name"]
        assert case["expected"] in ("allowed", "explicit_deny", "implicit_deny")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_policy_case(case):
    decision = run(case)
    assert decision.reason == case["expected"]
    assert decision.allowed == (case["expected"] == "allowed")
    if "denied_by" in case:
        assert decision.denied_by == case["denied_by"]
    if case["expected"] == "explicit_deny":
        assert any(m.effect == "Deny" for m in decision.matched)
