"""Strict mode, Scheduler: identity policies decide on the schedule and group ARNs,
CreateSchedule passes the execution role (iam:PassRole), the model's constraints come before
authorization, and targets are called as the execution role: Scheduler must be trusted by
the role, and the role's own policies decide what the call may do."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from scheduler_helpers import drain, make_role  # noqa: E402
from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

SCHEDULES = f"arn:aws:scheduler:us-east-1:{ACCOUNT_A}:schedule"
OFF = {"Mode": "OFF"}


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-scheduler")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def iam(strict):
    return client(strict, "iam", ACCOUNT_A)


def make_user(iam, strict, name, *statements):
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "scheduler", key["AccessKeyId"], key["SecretAccessKey"])


def advance(strict, seconds):
    strict.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def queue(strict, name):
    sqs = client(strict, "sqs", ACCOUNT_A)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return sqs, url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_identity_policies_decide_on_schedule_arns(iam, strict):
    role = make_role(iam, "policy-role")
    user = make_user(iam, strict, "sched-user",
                     allow(["scheduler:CreateSchedule", "scheduler:GetSchedule"], f"{SCHEDULES}/default/mine-*"),
                     allow("iam:PassRole", role, Condition={
                         "StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}))
    request = dict(ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                   Target={"Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT_A}:q", "RoleArn": role})
    user.create_schedule(Name="mine-1", **request)
    assert user.get_schedule(Name="mine-1")["Name"] == "mine-1"
    code, status, message = denied(user.create_schedule, Name="theirs", **request)
    assert (code, status) == ("AccessDeniedException", 403)
    assert f"scheduler:CreateSchedule on resource: {SCHEDULES}/default/theirs" in message
    assert denied(user.delete_schedule, Name="mine-1")[:2] == ("AccessDeniedException", 403)


def test_creating_a_schedule_passes_its_role(iam, strict):
    role = make_role(iam, "unpassable-role")
    user = make_user(iam, strict, "no-pass", allow("scheduler:*"))
    code, status, message = denied(user.create_schedule, Name="s", ScheduleExpression="rate(1 hour)",
                                   FlexibleTimeWindow=OFF,
                                   Target={"Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT_A}:q", "RoleArn": role})
    assert (code, status) == ("AccessDeniedException", 403) and "iam:PassRole" in message


def test_parameters_are_checked_before_authorization(iam, strict):
    nobody = make_user(iam, strict, "sched-nobody")
    code, status, message = denied(nobody.get_schedule_group, Name="bad name")
    assert (code, status) == ("ValidationException", 400)
    assert denied(nobody.get_schedule_group, Name="default")[:2] == ("AccessDeniedException", 403)


def test_targets_are_called_as_the_execution_role(iam, strict):
    sqs, url, arn = queue(strict, "allowed")
    _sqs, forbidden_url, forbidden_arn = queue(strict, "forbidden")
    _sqs, dlq_url, dlq_arn = queue(strict, "strict-dlq")
    role = make_role(iam, "narrow-role", actions=())
    iam.put_role_policy(RoleName="narrow-role", PolicyName="narrow", PolicyDocument=policy(
        allow("sqs:SendMessage", [arn, dlq_arn])))  # what the user guide lists: no sqs:GetQueueUrl
    scheduler = client(strict, "scheduler", ACCOUNT_A)
    for name, target_arn in (("ok", arn), ("refused", forbidden_arn)):
        scheduler.create_schedule(Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF, Target={
            "Arn": target_arn, "RoleArn": role, "Input": name, "DeadLetterConfig": {"Arn": dlq_arn}})
    advance(strict, 1)  # the first runs are at creation
    assert [m["Body"] for m in drain(sqs, url)] == ["ok"]
    assert drain(sqs, forbidden_url) == []
    [dead] = drain(sqs, dlq_url, MessageAttributeNames=["All"])
    assert dead["Body"] == "refused"
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] in ("AccessDenied", "AccessDeniedException")
    assert dead["MessageAttributes"]["RETRY_ATTEMPTS"]["StringValue"] == "0"  # a denial is not retried


def test_a_role_that_does_not_trust_scheduler_is_not_assumed(iam, strict):
    sqs, url, arn = queue(strict, "untrusted-target")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = make_role(iam, "events-only-role", trust=trust)
    scheduler = client(strict, "scheduler", ACCOUNT_A)
    scheduler.create_schedule(Name="untrusted", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                              Target={"Arn": arn, "RoleArn": role, "Input": "x"})
    advance(strict, 1)
    assert drain(sqs, url) == []
