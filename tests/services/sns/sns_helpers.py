"""Helpers of the SNS tests (fixtures are in conftest.py)."""

from __future__ import annotations

import json


def envelope_of(message: dict) -> dict:
    """The SNS envelope an SQS message delivered by SNS carries."""
    return json.loads(message["Body"])
