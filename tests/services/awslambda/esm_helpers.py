"""What the event source mapping tests share: an execution role that may poll SQS queues
(what strict mode requires of a mapping's function, as AWS does)."""

from __future__ import annotations

import json

from aws_clients import make_client
from lambda_helpers import execution_role

SQS_POLLING = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
    "Resource": "*"}]})


def sqs_polling_role(client, name: str = "esm-exec") -> str:
    """The ARN of a role Lambda may assume whose policy lets it poll any queue."""
    arn = execution_role(client, name)
    make_client(client.meta.endpoint_url, "iam").put_role_policy(RoleName=name, PolicyName="sqs-polling",
                                                                 PolicyDocument=SQS_POLLING)
    return arn
