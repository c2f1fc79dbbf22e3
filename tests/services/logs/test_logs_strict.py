"""Strict mode, Logs: identity policies decide on the ARNs the Service Authorization Reference
lists (``log-group:NAME:*`` for group actions, ``log-group:NAME:log-stream:S`` for stream
actions), aws:ResourceTag/* reads a group's tags, a group's resource policy can let another
account in, and a request's parameters are checked before it is authorized."""

from __future__ import annotations

import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, ACCOUNT_B, allow, client, denied, policy  # noqa: E402

GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT_A}:log-group"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-logs")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def root(strict):
    return client(strict, "logs", ACCOUNT_A)


@pytest.fixture(scope="module")
def iam(strict):
    return client(strict, "iam", ACCOUNT_A)


def make_user(iam, strict, name, *statements):
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "logs", key["AccessKeyId"], key["SecretAccessKey"])


def events():
    return [{"timestamp": int(time.time() * 1000), "message": "hello"}]


def test_root_does_everything(root):
    root.create_log_group(logGroupName="root-group")
    root.create_log_stream(logGroupName="root-group", logStreamName="s")
    root.put_log_events(logGroupName="root-group", logStreamName="s", logEvents=events())
    assert root.get_log_events(logGroupName="root-group", logStreamName="s")["events"][0]["message"] == "hello"


def test_no_policy_no_access(iam, strict):
    nobody = make_user(iam, strict, "logs-nobody")
    assert denied(nobody.create_log_group, logGroupName="app") == (
        "AccessDeniedException", 400,
        f"User: arn:aws:iam::{ACCOUNT_A}:user/logs-nobody is not authorized to perform: logs:CreateLogGroup on "
        f"resource: {GROUP_ARN}:app:* because no identity-based policy allows the logs:CreateLogGroup action")
    code, _, message = denied(nobody.put_log_events, logGroupName="app", logStreamName="s", logEvents=events())
    assert code == "AccessDeniedException"
    assert f"logs:PutLogEvents on resource: {GROUP_ARN}:app:log-stream:s because" in message
    assert denied(nobody.describe_log_groups)[0] == "AccessDeniedException"


def test_group_policy_with_star_covers_its_streams(root, iam, strict):
    root.create_log_group(logGroupName="writer-group")
    root.create_log_group(logGroupName="other-group")
    for group in ("writer-group", "other-group"):
        root.create_log_stream(logGroupName=group, logStreamName="s")
    writer = make_user(iam, strict, "logs-writer",
                       allow(["logs:CreateLogStream", "logs:PutLogEvents", "logs:GetLogEvents"],
                             f"{GROUP_ARN}:writer-group:*"))
    writer.create_log_stream(logGroupName="writer-group", logStreamName="mine")
    writer.put_log_events(logGroupName="writer-group", logStreamName="mine", logEvents=events())
    assert len(writer.get_log_events(logGroupIdentifier=f"{GROUP_ARN}:writer-group",
                                     logStreamName="mine")["events"]) == 1
    assert len(writer.get_log_events(logGroupName="writer-group", logStreamName="mine")["events"]) == 1
    code, _, message = denied(writer.get_log_events, logGroupName="other-group", logStreamName="s")
    assert f"logs:GetLogEvents on resource: {GROUP_ARN}:other-group:log-stream:s because" in message
    assert denied(writer.put_log_events, logGroupName="other-group", logStreamName="s",
                  logEvents=events())[0] == "AccessDeniedException"
    # the group's ARN without ":*" names neither the group's actions nor its streams
    exact = make_user(iam, strict, "logs-exact", allow("logs:PutLogEvents", f"{GROUP_ARN}:writer-group"))
    assert denied(exact.put_log_events, logGroupName="writer-group", logStreamName="s",
                  logEvents=events())[0] == "AccessDeniedException"


def test_parameters_are_checked_before_authorization(iam, strict):
    nobody = make_user(iam, strict, "logs-nobody-2")
    assert denied(nobody.create_log_group, logGroupName="bad name") == (
        "InvalidParameterException", 400, "1 validation error detected: Value at 'logGroupName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")
    assert denied(nobody.put_log_events, logGroupName="g", logStreamName="s",
                  logEvents=[{"timestamp": 2, "message": "b"}, {"timestamp": 1, "message": "a"}]) == (
        "InvalidParameterException", 400,
        "Log events in a single PutLogEvents request must be in chronological order.")
    assert denied(nobody.describe_log_streams, logGroupName="g", orderBy="LastEventTime",
                  logStreamNamePrefix="p")[0] == "InvalidParameterException"


def test_resource_tag_condition(root, iam, strict):
    root.create_log_group(logGroupName="tagged-blue", tags={"team": "blue"})
    root.create_log_group(logGroupName="tagged-red", tags={"team": "red"})
    blue = make_user(iam, strict, "logs-blue", allow("logs:PutRetentionPolicy", "*", Condition={
        "StringEquals": {"aws:ResourceTag/team": "blue"}}))
    blue.put_retention_policy(logGroupName="tagged-blue", retentionInDays=7)
    assert denied(blue.put_retention_policy, logGroupName="tagged-red", retentionInDays=7)[0] == \
        "AccessDeniedException"


def test_another_accounts_group_by_arn_is_refused(root, strict):
    root.create_log_group(logGroupName="mine")
    root.create_log_stream(logGroupName="mine", logStreamName="s")
    outsider = client(strict, "logs", ACCOUNT_B)
    code, _, message = denied(outsider.get_log_events, logGroupIdentifier=f"{GROUP_ARN}:mine", logStreamName="s")
    assert code == "AccessDeniedException"
    assert f"logs:GetLogEvents on resource: {GROUP_ARN}:mine:log-stream:s because" in message


def test_create_with_tags_needs_tag_resource_too(root, iam, strict):
    creator = make_user(iam, strict, "logs-creator", allow("logs:CreateLogGroup", f"{GROUP_ARN}:*"))
    creator.create_log_group(logGroupName="untagged")
    assert denied(creator.create_log_group, logGroupName="with-tags", tags={"team": "blue"}) == (
        "AccessDeniedException", 400, f"User with accountId: {ACCOUNT_A} is not authorized to perform "
        "CreateLogGroup with Tags. An additional permission \"logs:TagResource\" is required.")
    assert root.describe_log_groups(logGroupNamePrefix="with-tags")["logGroups"] == []
