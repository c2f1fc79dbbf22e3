"""A bus's resource policy: PutPermission by account or by organization (Principal "*" with
aws:PrincipalOrgID), a StatementId replaced when given again, a whole Policy document,
RemovePermission of one statement or all, AWS's texts, and the policy DescribeEventBus and
ListEventBuses show."""

from __future__ import annotations

import json

import pytest
from events_helpers import error_of


@pytest.fixture
def events(aws_client):
    return aws_client("events")


def _policy(events, bus="default"):
    return json.loads(events.describe_event_bus(Name=bus)["Policy"])


def test_account_and_organization_statements(events):
    bus_arn = events.describe_event_bus()["Arn"]
    events.put_permission(Action="events:PutEvents", Principal="111122223333", StatementId="partner")
    events.put_permission(Action="events:PutEvents", Principal="*", StatementId="org",
                          Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-abc123"})
    assert _policy(events) == {"Version": "2012-10-17", "Statement": [
        {"Sid": "partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "events:PutEvents", "Resource": bus_arn},
        {"Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": bus_arn,
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]}
    events.put_permission(Action="events:PutEvents", Principal="444455556666", StatementId="partner")
    statements = _policy(events)["Statement"]
    assert [s["Sid"] for s in statements] == ["org", "partner"]
    assert statements[1]["Principal"] == {"AWS": "arn:aws:iam::444455556666:root"}
    assert "Policy" in events.list_event_buses()["EventBuses"][0]


def test_remove_permission(events):
    events.create_event_bus(Name="shared")
    assert error_of(events.remove_permission, EventBusName="shared", StatementId="x") == (
        "ResourceNotFoundException", "EventBus does not have a policy.")
    events.put_permission(EventBusName="shared", Action="events:PutEvents", Principal="111122223333",
                          StatementId="a")
    events.put_permission(EventBusName="shared", Action="events:PutEvents", Principal="444455556666",
                          StatementId="b")
    assert error_of(events.remove_permission, EventBusName="shared", StatementId="nope") == (
        "ResourceNotFoundException", "Statement with the provided id does not exist.")
    events.remove_permission(EventBusName="shared", StatementId="a")
    assert [s["Sid"] for s in _policy(events, "shared")["Statement"]] == ["b"]
    events.remove_permission(EventBusName="shared", StatementId="b")
    assert "Policy" not in events.describe_event_bus(Name="shared")
    events.put_permission(EventBusName="shared", Action="events:PutEvents", Principal="111122223333",
                          StatementId="c")
    events.remove_permission(EventBusName="shared", RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus(Name="shared")
    assert error_of(events.remove_permission, EventBusName="nobus", StatementId="x") == (
        "ResourceNotFoundException", "Event bus nobus does not exist.")


def test_whole_policy_document(events):
    document = {"Version": "2012-10-17", "Statement": [{
        "Sid": "rules-from-b", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": ["events:PutRule", "events:PutTargets"], "Resource": "*"}]}
    events.put_permission(Policy=json.dumps(document))
    assert _policy(events) == document


@pytest.mark.parametrize("params, expected", [
    ({"Action": "events:PutRule", "Principal": "111122223333", "StatementId": "s"},
     ("ValidationException", "Provided value in parameter 'action' is not supported.")),
    ({"Action": "events:PutEvents", "Principal": "12345", "StatementId": "s"},
     ("ValidationException", "1 validation error detected: Value '12345' at 'principal' failed to satisfy "
                             "constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)")),
    ({"Action": "events:PutEvents", "Principal": "111122223333", "StatementId": "bad id"},
     ("ValidationException", "1 validation error detected: Value 'bad id' at 'statementId' failed to satisfy "
                             "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+")),
])
def test_refusals(events, params, expected):
    assert error_of(events.put_permission, **params) == expected


def test_missing_bus(events):
    assert error_of(events.put_permission, EventBusName="nobus", Action="events:PutEvents",
                    Principal="111122223333", StatementId="s") == ("ResourceNotFoundException",
                                                                   "Event bus nobus does not exist.")
