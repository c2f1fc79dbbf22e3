"""Strict mode, targets: PutTargets' parameters are checked before it is authorized; it is then
authorized on the rule's ARN with events:TargetArn, and a target's RoleArn needs iam:PassRole
(to events.amazonaws.com) as AWS requires; RemoveTargets and ListTargetsByRule on the rule,
ListRuleNamesByTarget on "*"."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

RULES = f"arn:aws:events:us-east-1:{ACCOUNT_A}:rule"
QUEUE_A = f"arn:aws:sqs:us-east-1:{ACCOUNT_A}:queue-a"
QUEUE_B = f"arn:aws:sqs:us-east-1:{ACCOUNT_A}:queue-b"
STREAM = f"arn:aws:kinesis:us-east-1:{ACCOUNT_A}:stream/s"
ROLE = f"arn:aws:iam::{ACCOUNT_A}:role/events-to-kinesis"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-targets")), "--strict").start()
    root = client(proc, "events", ACCOUNT_A)
    for name in ("allowed", "other"):
        root.put_rule(Name=name, EventPattern='{"source": ["shop"]}')
    yield proc
    proc.stop()


def make_user(strict, name, *statements):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "events", key["AccessKeyId"], key["SecretAccessKey"])


def test_parameters_before_authorization(strict):
    nobody = make_user(strict, "targets-nobody", allow("sqs:ListQueues"))
    for targets in ([{"Id": "a b", "Arn": QUEUE_A}],
                    [{"Id": "1", "Arn": QUEUE_A}, {"Id": "1", "Arn": QUEUE_B}],
                    [{"Id": "1", "Arn": "not-an-arn"}],
                    [{"Id": "1", "Arn": QUEUE_A, "Input": "env:dev"}],
                    [{"Id": "1", "Arn": STREAM}]):
        assert denied(nobody.put_targets, Rule="allowed", Targets=targets)[:2] == ("ValidationException", 400)
    # well-formed: the rule is looked at only once authorized
    assert denied(nobody.put_targets, Rule="no-such-rule", Targets=[{"Id": "1", "Arn": QUEUE_A}])[:2] == (
        "AccessDeniedException", 400)
    assert denied(nobody.remove_targets, Rule="no-such-rule", Ids=["1"])[:2] == ("AccessDeniedException", 400)


def test_put_targets_on_the_rule_arn_and_target_arn(strict):
    user = make_user(strict, "targets-queue-a", allow("events:PutTargets", f"{RULES}/allowed",
                                                      Condition={"ArnEquals": {"events:TargetArn": QUEUE_A}}),
                     allow(["events:ListTargetsByRule", "events:RemoveTargets"], f"{RULES}/allowed"))
    user.put_targets(Rule="allowed", Targets=[{"Id": "a", "Arn": QUEUE_A}])
    assert denied(user.put_targets, Rule="allowed", Targets=[{"Id": "b", "Arn": QUEUE_B}])[:2] == (
        "AccessDeniedException", 400)
    assert denied(user.put_targets, Rule="other", Targets=[{"Id": "a", "Arn": QUEUE_A}])[:2] == (
        "AccessDeniedException", 400)
    assert [t["Id"] for t in user.list_targets_by_rule(Rule="allowed")["Targets"]] == ["a"]
    assert denied(user.list_targets_by_rule, Rule="other")[:2] == ("AccessDeniedException", 400)
    user.remove_targets(Rule="allowed", Ids=["a"])


def test_a_target_role_needs_pass_role(strict):
    without = make_user(strict, "targets-no-pass", allow("events:PutTargets", f"{RULES}/allowed"))
    assert denied(without.put_targets, Rule="allowed", Targets=[{"Id": "k", "Arn": STREAM, "RoleArn": ROLE}])[:2] == (
        "AccessDeniedException", 400)
    passing = make_user(strict, "targets-pass", allow("events:PutTargets", f"{RULES}/allowed"),
                        allow("iam:PassRole", ROLE,
                              Condition={"StringEquals": {"iam:PassedToService": "events.amazonaws.com"}}))
    assert passing.put_targets(Rule="allowed", Targets=[{"Id": "k", "Arn": STREAM, "RoleArn": ROLE}])[
        "FailedEntryCount"] == 0


def test_list_rule_names_by_target_on_any_resource(strict):
    scoped = make_user(strict, "targets-names-scoped", allow("events:ListRuleNamesByTarget", f"{RULES}/allowed"))
    assert denied(scoped.list_rule_names_by_target, TargetArn=QUEUE_A)[:2] == ("AccessDeniedException", 400)
    anywhere = make_user(strict, "targets-names", allow("events:ListRuleNamesByTarget"))
    assert "RuleNames" in anywhere.list_rule_names_by_target(TargetArn=QUEUE_A)
