"""Strict mode, FilterLogEvents and TestMetricFilter: logs:FilterLogEvents on the group's
``log-group:NAME:*`` ARN (by name or by ARN), logs:TestMetricFilter on "*", and the request's
own parameters (pattern syntax included) checked before it is authorized."""

from __future__ import annotations

import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT_A}:log-group"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-logs-filter")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def root(strict):
    logs = client(strict, "logs", ACCOUNT_A)
    for group in ("searched", "private"):
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        logs.put_log_events(logGroupName=group, logStreamName="s",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": f"ERROR in {group}"}])
    return logs


def make_user(strict, name, *statements):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "logs", key["AccessKeyId"], key["SecretAccessKey"])


def test_root_filters(root):
    assert [e["message"] for e in root.filter_log_events(logGroupName="searched")["events"]] == ["ERROR in searched"]


def test_filter_needs_the_permission_on_the_group(root, strict):
    reader = make_user(strict, "filter-reader", allow("logs:FilterLogEvents", f"{GROUP_ARN}:searched:*"))
    assert len(reader.filter_log_events(logGroupName="searched", filterPattern="ERROR")["events"]) == 1
    assert len(reader.filter_log_events(logGroupIdentifier=f"{GROUP_ARN}:searched")["events"]) == 1
    assert denied(reader.filter_log_events, logGroupName="private") == (
        "AccessDeniedException", 400,
        f"User: arn:aws:iam::{ACCOUNT_A}:user/filter-reader is not authorized to perform: logs:FilterLogEvents on "
        f"resource: {GROUP_ARN}:private:* because no identity-based policy allows the logs:FilterLogEvents action")


def test_test_metric_filter_needs_its_permission(root, strict):
    nobody = make_user(strict, "filter-nobody")
    assert denied(nobody.test_metric_filter, filterPattern="ERROR", logEventMessages=["ERROR"])[0] == \
        "AccessDeniedException"
    tester = make_user(strict, "filter-tester", allow("logs:TestMetricFilter"))
    assert tester.test_metric_filter(filterPattern="ERROR", logEventMessages=["ERROR"])["matches"][0][
        "eventNumber"] == 1


def test_parameters_and_pattern_are_checked_before_authorization(root, strict):
    nobody = make_user(strict, "filter-nobody-2")
    assert denied(nobody.filter_log_events, logGroupName="private", filterPattern="{ $.a = 1") == (
        "InvalidParameterException", 400, "If a filter pattern starts with '{' it must end with '}'")
    assert denied(nobody.filter_log_events, logGroupName="private", logStreamNames=["s"],
                  logStreamNamePrefix="s") == (
        "InvalidParameterException", 400, "Cannot specify both logStreamNames and logStreamNamePrefix.")
    assert denied(nobody.test_metric_filter, filterPattern="a:b", logEventMessages=["x"]) == (
        "InvalidParameterException", 400, "Invalid character(s) in term ':'")
    # a well-formed request is then refused for want of permission, before the group is looked up
    assert denied(nobody.filter_log_events, logGroupName="missing")[0] == "AccessDeniedException"
