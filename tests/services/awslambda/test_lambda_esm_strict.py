"""Strict mode: a mapping polls its queue as the function's execution role, so the role must
be allowed sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes (AWS's refusal
otherwise), and the pollers' calls are authorized for a session of the role."""

from __future__ import annotations

import json
import time

import pytest
from serverproc import ServerProcess

from aws_clients import make_client
from esm_helpers import SQS_POLLING
from lambda_helpers import create_python_function, error_of, execution_role

HANDLER = "def handler(event, context):\n    return None\n"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("strict-esm")), "--strict").start()
    yield proc
    proc.stop()


def test_the_role_must_be_able_to_poll_the_queue(strict_server):
    lam, sqs = make_client(strict_server.endpoint, "lambda"), make_client(strict_server.endpoint, "sqs")
    iam = make_client(strict_server.endpoint, "iam")
    role = execution_role(lam, "esm-strict")
    create_python_function(lam, "esm-strict", HANDLER, Role=role)
    url = sqs.create_queue(QueueName="esm-strict")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert error_of(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName="esm-strict") == (
        "InvalidParameterValueException", "The function execution role does not have permissions to call "
                                          "ReceiveMessage on SQS")
    receive_only = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"], "Resource": arn}]})
    iam.put_role_policy(RoleName="esm-strict", PolicyName="poll", PolicyDocument=receive_only)
    assert error_of(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName="esm-strict")[1] == \
        "The function execution role does not have permissions to call DeleteMessage on SQS"

    iam.put_role_policy(RoleName="esm-strict", PolicyName="poll", PolicyDocument=SQS_POLLING)
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-strict")["UUID"]
    try:
        sqs.send_message(QueueUrl=url, MessageBody="as the role")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            if counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the role's poller did not consume the message")
    finally:
        lam.delete_event_source_mapping(UUID=mapping)
