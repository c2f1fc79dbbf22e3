"""X-Ray resource ARNs."""

from __future__ import annotations


def sampling_rule_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:xray:{region}:{account}:sampling-rule/{name}"


def group_arn(region: str, account: str, name: str, group_id: str) -> str:
    return f"arn:aws:xray:{region}:{account}:group/{name}/{group_id}"
