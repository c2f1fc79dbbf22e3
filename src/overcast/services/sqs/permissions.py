"""AddPermission / RemovePermission: editing the queue's Policy document by statement label.

AddPermission writes one ``Allow`` statement per label, as SQS generates it::

    {"Version": "2008-10-17", "Id": "<queue arn>/SQSDefaultPolicy",
     "Statement": [{"Sid": "<label>", "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::<account>:root"},
                    "Action": "SQS:SendMessage", "Resource": "<queue arn>"}]}

(``Principal.AWS`` and ``Action`` become lists when several are given.)
"""

from __future__ import annotations

import json
import re
from typing import Any

from overcast.errors import AwsError
from overcast.storage.scope import partition_of

# "An Amazon SQS policy can have a maximum of seven actions per statement." (AddPermission)
MAX_ACTIONS = 7
# Labels: up to 80 alphanumerics, hyphens and underscores.
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_ACCOUNT = re.compile(r"^\d{12}$")

# Actions another account may be granted (batch variants follow their single action).
SHAREABLE_ACTIONS = (
    "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
    "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue",
)
# "Cross-account permissions don't apply to this action."
OWNER_ONLY_ACTIONS = (
    "AddPermission", "RemovePermission", "CreateQueue", "DeleteQueue", "ListQueues",
    "ListQueueTags", "SetQueueAttributes", "TagQueue", "UntagQueue",
)


def _invalid(parameter: str, value: str, reason: str) -> AwsError:
    return AwsError("InvalidParameterValue", f"Value {value} for parameter {parameter} is invalid. Reason: {reason}")


def _required_list(params: dict, name: str) -> list:
    value = params.get(name)
    if not value:
        raise AwsError("MissingParameter", f"The request must contain the parameter {name}.")
    return value if isinstance(value, list) else [value]


def checked_label(params: dict) -> str:
    label = params.get("Label")
    if not label:
        raise AwsError("MissingParameter", "The request must contain the parameter Label.")
    if not isinstance(label, str) or not _LABEL.match(label):
        raise _invalid(
            "Label", str(label),
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.",
        )
    return label


def statement_for(params: dict, queue_arn: str, region: str) -> dict:
    """The policy statement an AddPermission request asks for (validated)."""
    label = checked_label(params)
    accounts = _required_list(params, "AWSAccountIds")
    actions = _required_list(params, "Actions")
    if len(actions) > MAX_ACTIONS:
        raise AwsError("OverLimit", f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.")
    for account in accounts:
        if not isinstance(account, str) or not _ACCOUNT.match(account):
            raise _invalid("AWSAccountId", str(account), "Unable to verify.")
    for action in actions:
        if action in OWNER_ONLY_ACTIONS:
            raise _invalid("ActionName", action, "Only the queue owner is allowed to invoke this action.")
        if action not in SHAREABLE_ACTIONS:
            raise _invalid("ActionName", str(action), "Please refer to the appropriate WSDL for a list of valid actions.")
    partition = partition_of(region)
    principals = [f"arn:{partition}:iam::{account}:root" for account in dict.fromkeys(accounts)]
    granted = [f"SQS:{action}" for action in dict.fromkeys(actions)]
    return {
        "Sid": label,
        "Effect": "Allow",
        "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
        "Action": granted[0] if len(granted) == 1 else granted,
        "Resource": queue_arn,
    }


def _statements(policy: dict | None) -> list:
    if not policy:
        return []
    statements = policy.get("Statement", [])
    return list(statements) if isinstance(statements, list) else [statements]


def with_statement(policy: dict | None, statement: dict, queue_arn: str) -> str:
    """The Policy text after adding ``statement`` (its label must be new)."""
    statements = _statements(policy)
    label = statement["Sid"]
    if any(isinstance(s, dict) and s.get("Sid") == label for s in statements):
        raise _invalid("Label", label, "Already exists.")
    document: dict[str, Any] = dict(policy) if policy else {
        "Version": "2008-10-17",  # the policy language version SQS writes for AddPermission
        "Id": f"{queue_arn}/SQSDefaultPolicy",
    }
    document["Statement"] = [*statements, statement]
    return json.dumps(document, separators=(",", ":"))


def without_statement(policy: dict | None, label: str) -> str:
    """The Policy text after removing the statement labelled ``label`` ('' when none remain)."""
    statements = _statements(policy)
    kept = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") == label)]
    if len(kept) == len(statements):
        raise _invalid("Label", label, "can't find label.")
    if not kept:
        return ""
    document = dict(policy or {})
    document["Statement"] = kept
    return json.dumps(document, separators=(",", ":"))
