"""Strict mode, EventBridge: identity policies decide on the ARNs the Service Authorization
Reference lists (event-bus/NAME, rule/NAME on the default bus, rule/BUS/NAME on others), tags
on create need events:TagResource too, aws:ResourceTag/* reads a bus's tags, events:source in
PutRule comes from the pattern, a request's parameters are checked before it is authorized,
and a bus's resource policy (PutPermission) lets another account put events on it."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, ACCOUNT_B, allow, client, denied, policy  # noqa: E402

ARN = f"arn:aws:events:us-east-1:{ACCOUNT_A}"
PATTERN = json.dumps({"source": ["shop"]})


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-events")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def root(strict):
    return client(strict, "events", ACCOUNT_A)


@pytest.fixture(scope="module")
def iam(strict):
    return client(strict, "iam", ACCOUNT_A)


def make_user(iam, strict, name, *statements):
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "events", key["AccessKeyId"], key["SecretAccessKey"])


def test_root_does_everything(root):
    root.create_event_bus(Name="root-bus", Tags=[{"Key": "a", "Value": "b"}])
    root.put_rule(Name="root-rule", EventBusName="root-bus", EventPattern=PATTERN)
    root.put_permission(EventBusName="root-bus", Action="events:PutEvents", Principal=ACCOUNT_B, StatementId="b")
    assert root.describe_rule(Name="root-rule", EventBusName="root-bus")["Arn"] == f"{ARN}:rule/root-bus/root-rule"
    assert root.test_event_pattern(EventPattern=PATTERN, Event=json.dumps({
        "id": "1", "source": "shop", "detail-type": "x", "account": ACCOUNT_A, "region": "us-east-1",
        "time": "2026-12-04T00:00:00Z"}))["Result"] is True


def test_no_policy_no_access(iam, strict):
    nobody = make_user(iam, strict, "events-nobody")
    assert denied(nobody.create_event_bus, Name="app") == (
        "AccessDeniedException", 400,
        f"User: arn:aws:iam::{ACCOUNT_A}:user/events-nobody is not authorized to perform: events:CreateEventBus on "
        f"resource: {ARN}:event-bus/app because no identity-based policy allows the events:CreateEventBus action")
    code, _, message = denied(nobody.put_rule, Name="r", EventPattern=PATTERN)
    assert code == "AccessDeniedException" and f"events:PutRule on resource: {ARN}:rule/r because" in message
    code, _, message = denied(nobody.describe_rule, Name="r", EventBusName="custom")
    assert f"events:DescribeRule on resource: {ARN}:rule/custom/r because" in message
    assert denied(nobody.list_event_buses)[0] == "AccessDeniedException"


def test_resource_scoped_policies(root, iam, strict):
    root.create_event_bus(Name="team-bus")
    root.create_event_bus(Name="other-bus")
    user = make_user(iam, strict, "events-team",
                     allow(["events:DescribeEventBus", "events:PutRule", "events:DescribeRule", "events:DeleteRule"],
                           [f"{ARN}:event-bus/team-bus", f"{ARN}:rule/team-bus/*"]))
    assert user.describe_event_bus(Name="team-bus")["Name"] == "team-bus"
    assert denied(user.describe_event_bus, Name="other-bus")[0] == "AccessDeniedException"
    user.put_rule(Name="mine", EventBusName="team-bus", EventPattern=PATTERN)
    user.delete_rule(Name="mine", EventBusName=f"{ARN}:event-bus/team-bus")
    assert denied(user.put_rule, Name="mine", EventBusName="other-bus", EventPattern=PATTERN)[0] == \
        "AccessDeniedException"


def test_tags_on_create_need_tag_resource(iam, strict):
    user = make_user(iam, strict, "events-creator", allow("events:CreateEventBus"))
    user.create_event_bus(Name="untagged")
    code, _, message = denied(user.create_event_bus, Name="tagged", Tags=[{"Key": "a", "Value": "b"}])
    assert code == "AccessDeniedException" and "events:TagResource" in message


def test_resource_tag_condition(root, iam, strict):
    root.create_event_bus(Name="blue-bus", Tags=[{"Key": "team", "Value": "blue"}])
    root.create_event_bus(Name="red-bus", Tags=[{"Key": "team", "Value": "red"}])
    user = make_user(iam, strict, "events-blue", allow("events:DescribeEventBus",
                                                       Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}}))
    assert user.describe_event_bus(Name="blue-bus")["Name"] == "blue-bus"
    assert denied(user.describe_event_bus, Name="red-bus")[0] == "AccessDeniedException"


def test_source_condition_from_the_pattern(iam, strict):
    user = make_user(iam, strict, "events-shop-rules",
                     allow("events:PutRule", Condition={"StringEquals": {"events:source": "shop"}}))
    user.put_rule(Name="shop-only", EventPattern=PATTERN)
    assert denied(user.put_rule, Name="other", EventPattern=json.dumps({"source": ["bank"]}))[0] == \
        "AccessDeniedException"


def test_parameters_are_checked_before_authorization(iam, strict):
    nobody = make_user(iam, strict, "events-nobody-2")
    assert denied(nobody.put_rule, Name="r")[:2] == ("ValidationException", 400)
    assert denied(nobody.put_rule, Name="r", EventPattern="{bad")[:2] == ("InvalidEventPatternException", 400)
    assert denied(nobody.create_event_bus, Name="bad name")[:2] == ("ValidationException", 400)


def test_bus_policy_lets_another_account_put_events(root, strict):
    root.create_event_bus(Name="shared-bus")
    outsider = client(strict, "events", ACCOUNT_B)
    entry = {"Source": "partner", "DetailType": "ping", "Detail": "{}",
             "EventBusName": f"{ARN}:event-bus/shared-bus"}
    assert denied(outsider.put_events, Entries=[entry])[0] == "AccessDeniedException"
    root.put_permission(EventBusName="shared-bus", Action="events:PutEvents", Principal=ACCOUNT_B,
                        StatementId="from-b")
    assert outsider.put_events(Entries=[entry])["FailedEntryCount"] == 0
    root.remove_permission(EventBusName="shared-bus", StatementId="from-b")
    assert denied(outsider.put_events, Entries=[entry])[0] == "AccessDeniedException"


def test_bus_policy_lets_another_account_manage_rules_on_the_bus(root, strict):
    root.create_event_bus(Name="rules-bus")
    bus_arn = f"{ARN}:event-bus/rules-bus"
    outsider = client(strict, "events", ACCOUNT_B)
    assert denied(outsider.put_rule, Name="theirs", EventBusName=bus_arn, EventPattern=PATTERN)[0] == \
        "AccessDeniedException"
    root.put_permission(EventBusName="rules-bus", Policy=policy({
        "Sid": "rules-from-b", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_B}:root"},
        "Action": ["events:PutRule", "events:DescribeRule"], "Resource": f"{ARN}:rule/rules-bus/*"}))
    arn = outsider.put_rule(Name="theirs", EventBusName=bus_arn, EventPattern=PATTERN)["RuleArn"]
    assert arn == f"{ARN}:rule/rules-bus/theirs"
    rule = root.describe_rule(Name="theirs", EventBusName="rules-bus")
    assert (rule["CreatedBy"], rule["EventBusName"]) == (ACCOUNT_B, "rules-bus")
    assert outsider.describe_rule(Name="theirs", EventBusName=bus_arn)["Arn"] == arn
