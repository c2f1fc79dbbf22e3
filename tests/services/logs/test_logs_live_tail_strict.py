"""Strict mode, StartLiveTail: the request's own parameters are checked before it is
authorized (a malformed request is refused for anyone), the groups' existence only after;
``logs:StartLiveTail`` is authorized on each group's ARN."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

from live_tail_helpers import group_arn, tail_client  # noqa: E402


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-live-tail")), "--strict").start()
    yield proc
    proc.stop()


def _user(strict, name: str, *statements) -> tuple[str, str]:
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _tail_client(strict, key: str, secret: str):
    return tail_client(strict.endpoint, aws_access_key_id=key, aws_secret_access_key=secret)


@pytest.fixture(scope="module")
def groups(strict):
    logs = client(strict, "logs", ACCOUNT_A)
    for name in ("open", "closed"):
        logs.create_log_group(logGroupName=name)
    return logs


def test_parameters_are_checked_before_authorization(strict, groups):
    nobody = _tail_client(strict, *_user(strict, "tail-nobody", allow("sqs:ListQueues")))
    code, status, message = denied(nobody.start_live_tail, logGroupIdentifiers=["open"])
    assert (code, status) == ("InvalidParameterException", 400) and message.startswith("Invalid log group identifier")
    assert denied(nobody.start_live_tail, logGroupIdentifiers=[group_arn("open", ACCOUNT_A)],
                  logStreamNames=["a"], logStreamNamePrefixes=["b"])[:2] == ("InvalidParameterException", 400)
    assert denied(nobody.start_live_tail, logGroupIdentifiers=[group_arn("open", ACCOUNT_A)],
                  logEventFilterPattern='{ $.a = ')[:2] == ("InvalidParameterException", 400)
    # well-formed: refused by authorization, whether the group exists or not
    for name in ("open", "missing"):
        assert denied(nobody.start_live_tail, logGroupIdentifiers=[group_arn(name, ACCOUNT_A)])[:2] == \
            ("AccessDeniedException", 400)


def test_start_live_tail_is_authorized_on_each_group(strict, groups):
    keys = _user(strict, "tail-one-group", allow("logs:StartLiveTail", group_arn("open", ACCOUNT_A)))
    reader = _tail_client(strict, *keys)
    stream = reader.start_live_tail(logGroupIdentifiers=[group_arn("open", ACCOUNT_A)])["responseStream"]
    try:
        assert "sessionStart" in next(iter(stream))
    finally:
        stream.close()
    assert denied(reader.start_live_tail, logGroupIdentifiers=[group_arn("open", ACCOUNT_A),
                                                               group_arn("closed", ACCOUNT_A)])[:2] == \
        ("AccessDeniedException", 400)
