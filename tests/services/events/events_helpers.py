"""What EventBridge tests share: an error's (code, message), a queue target for a rule, and
draining a queue."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError


def error_of(call, *args, **kwargs) -> tuple[str, str]:
    """(code, message) of a call that must fail with a client error (HTTP 400)."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400, response
    return response["Error"]["Code"], response["Error"]["Message"]


def make_queue_target(sqs, events, rule: str, *, queue: str | None = None, bus: str = "default",
                      pattern: dict | None = None, target_id: str = "q", **target) -> str:
    """A queue receiving what ``rule`` (created on ``bus`` with ``pattern`` when given) matches;
    returns the queue's URL."""
    url = sqs.create_queue(QueueName=queue or f"{rule}-queue")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if pattern is not None:
        events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern))
    result = events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": target_id, "Arn": arn, **target}])
    assert result["FailedEntryCount"] == 0, result
    return url


def drain(sqs, queue_url: str, *, expect: int = 1, timeout: float = 5.0) -> list[dict]:
    """The messages of a queue (deleted as read) once at least ``expect`` arrived or ``timeout``
    seconds passed; bodies parsed as JSON when they are JSON."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(got) < expect and time.monotonic() < deadline:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       MessageAttributeNames=["All"])
        for message in response.get("Messages", []):
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            try:
                message["Parsed"] = json.loads(message["Body"])
            except ValueError:
                pass
            got.append(message)
    return got
