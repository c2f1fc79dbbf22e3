"""Shared helpers of the Scheduler tests: a role, a queue target, the clock."""

from __future__ import annotations

import json

ACCOUNT = "000000000000"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/scheduler-role"
OFF = {"Mode": "OFF"}


def advance(server, seconds: float) -> dict:
    """Move the cloud clock (every timer falling due fires before this returns)."""
    return json.loads(server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode()))


def now(server) -> float:
    return json.loads(server.get("/_overcast/clock"))["now"]


def make_queue(sqs, name: str = "scheduled") -> tuple[str, str]:
    """(url, arn) of a new queue."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(sqs, url: str, **kwargs) -> list[dict]:
    """Every message waiting in a queue (received and deleted)."""
    found = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, **kwargs).get("Messages", [])
        if not got:
            return found
        for message in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        found += got


def target(arn: str, **extra) -> dict:
    return {"Arn": arn, "RoleArn": ROLE_ARN, **extra}


TRUST_SCHEDULER = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def make_role(iam, name: str = "scheduler-role", actions=("sqs:*", "sns:*", "events:*", "lambda:*", "dynamodb:*"),
              trust: str = TRUST_SCHEDULER) -> str:
    """An execution role Scheduler may assume, allowed ``actions``; returns its ARN."""
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    if actions:
        iam.put_role_policy(RoleName=name, PolicyName="targets", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}))
    return arn


def let_service_send(sqs, url: str, queue_arn: str, service: str) -> None:
    """The queue policy a service principal needs to deliver to a queue (strict mode checks it)."""
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                "Action": "sqs:SendMessage", "Resource": queue_arn}]})})
