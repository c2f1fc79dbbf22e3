"""Strict mode, Logs Insights: a query's own parameters (its syntax, the group parameters, the
time range) are checked before it is authorized, so a malformed query is refused for anyone;
the groups it names are looked at only after authorization. A user allowed StartQuery on one
group and GetQueryResults runs a query there and is denied another group."""

from __future__ import annotations

import os
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

from insights_helpers import as_dicts, put_messages, wait_for_query  # noqa: E402


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-insights")), "--strict").start()
    yield proc
    proc.stop()


def _user(strict, name: str, *statements):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "logs", key["AccessKeyId"], key["SecretAccessKey"])


@pytest.fixture(scope="module")
def window(strict):
    root = client(strict, "logs", ACCOUNT_A)
    now_ms = int(time.time() * 1000)
    put_messages(root, "allowed", "s", ["one", "two"], now_ms - 60_000)
    put_messages(root, "secret", "s", ["three"], now_ms - 60_000)
    return (now_ms - 120_000) // 1000, now_ms // 1000


def test_parameters_before_authorization(strict, window):
    nobody = _user(strict, "insights-nobody", allow("sqs:ListQueues"))
    start, end = window
    code, status, message = denied(nobody.start_query, logGroupName="allowed", queryString="fields @message | oops",
                                   startTime=start, endTime=end)
    assert (code, status) == ("MalformedQueryException", 400)
    assert message == "unexpected symbol found oops at line 1 and position 18"
    assert denied(nobody.start_query, logGroupName="allowed", logGroupNames=["allowed"], queryString="fields a",
                  startTime=start, endTime=end)[:2] == ("InvalidParameterException", 400)
    assert denied(nobody.start_query, logGroupName="allowed", queryString="fields a",
                  startTime=end, endTime=start)[:2] == ("InvalidParameterException", 400)
    # well-formed: the group's existence is looked at only once authorized
    assert denied(nobody.start_query, logGroupName="no-such-group", queryString="fields a",
                  startTime=start, endTime=end)[:2] == ("AccessDeniedException", 400)


def test_a_user_allowed_one_group_queries_it_and_not_another(strict, window):
    group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT_A}:log-group:allowed"
    user = _user(strict, "insights-reader",
                 allow("logs:StartQuery", [group_arn, group_arn + ":*"]),
                 allow(["logs:GetQueryResults", "logs:DescribeQueries"]))
    start, end = window
    query_id = user.start_query(logGroupName="allowed", queryString="stats count(*) as n",
                                startTime=start, endTime=end)["queryId"]
    assert as_dicts(wait_for_query(user, query_id)["results"]) == [{"n": "2"}]
    assert denied(user.start_query, logGroupName="secret", queryString="stats count(*)",
                  startTime=start, endTime=end)[:2] == ("AccessDeniedException", 400)
    # named by name or by ARN among identifiers, each group is authorized
    query_id = user.start_query(logGroupIdentifiers=["allowed", group_arn], queryString="stats count(*) as n",
                                startTime=start, endTime=end)["queryId"]
    assert as_dicts(wait_for_query(user, query_id)["results"]) == [{"n": "2"}]
    assert denied(user.start_query, logGroupIdentifiers=["allowed", "secret"], queryString="stats count(*)",
                  startTime=start, endTime=end)[:2] == ("AccessDeniedException", 400)
