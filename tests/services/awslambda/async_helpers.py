"""What the async invocation tests share: a function whose behaviour the event chooses, a queue
that collects invocation records, the cloud clock, and the queue of Event invocations."""

from __future__ import annotations

import json
import os
import sqlite3
import time

from lambda_helpers import create_python_function

# {"fail": "why"} raises; anything else comes back as {"echo": event}
HANDLER = """
def handler(event, context):
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError(event["fail"])
    return {"echo": event}
"""


def make_function(lam, name: str = "async-fn", **config) -> str:
    return create_python_function(lam, name, HANDLER, **config)["FunctionArn"]


def make_queue(sqs, name: str) -> tuple[str, str]:
    """(url, arn) of a new standard queue."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def receive(sqs, url: str, count: int, timeout: float = 20.0, attributes: bool = False) -> list[dict]:
    """Up to ``count`` messages of ``url`` within ``timeout`` seconds (deleted as received)."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        extra = {"MessageAttributeNames": ["All"]} if attributes else {}
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                           **extra).get("Messages", []):
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return got


def records(sqs, url: str, count: int, timeout: float = 20.0) -> list[dict]:
    return [json.loads(m["Body"]) for m in receive(sqs, url, count, timeout)]


def advance(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def queued(data_dir: str) -> list[tuple[int, int]]:
    """(attempts, throttles) of each Event invocation still queued, oldest first."""
    with sqlite3.connect(os.path.join(data_dir, "lambda.db")) as db:
        return db.execute("SELECT attempts, throttles FROM async_invocations ORDER BY id").fetchall()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns something true (bounded); return its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
