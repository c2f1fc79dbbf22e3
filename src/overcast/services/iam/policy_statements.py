"""Building blocks of the AWS managed policy documents Overcast ships as data."""

from __future__ import annotations

import json


def document(*statements: dict) -> str:
    """A policy document (version 2012-10-17) of ``statements``, indented as AWS shows them."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


def allow(actions, resource="*", **extra) -> dict:
    """An Allow statement (``extra``: Sid, Condition...)."""
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}
