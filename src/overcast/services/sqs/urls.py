"""Queue URLs and ARNs: how they are built and read back.

A queue URL is ``<scheme>://<host>/<account>/<queue name>``. Overcast builds it from the Host
the request came to (so SDKs call the queue where they found it) and accepts every form SDKs
send back: ``http://127.0.0.1:4566/<account>/<name>``, ``https://sqs.<region>.amazonaws.com/...``,
``http://sqs.<region>.localhost.localstack.cloud:4566/...``, legacy
``https://queue.amazonaws.com/...`` and a bare path ``/<account>/<name>``. Only the last two
path segments matter: the owner account and the queue name.
"""

from __future__ import annotations

from typing import NamedTuple

from overcast.storage.scope import partition_of

DEFAULT_HOST = "localhost:4566"


class QueuePath(NamedTuple):
    """The owner account and queue name a queue URL points at."""

    account: str
    name: str


def queue_url(host: str, account: str, name: str, secure: bool = False) -> str:
    """The URL of queue ``name`` of ``account`` as seen from ``host`` (the request's Host)."""
    scheme = "https" if secure else "http"
    return f"{scheme}://{host or DEFAULT_HOST}/{account}/{name}"


def parse_queue_url(url: str) -> QueuePath | None:
    """``(account, name)`` of a queue URL in any of the accepted forms, or None if it is not one."""
    if not isinstance(url, str) or not url:
        return None
    scheme_end = url.find("://")
    if scheme_end >= 0:
        path_start = url.find("/", scheme_end + 3)
        if path_start < 0:
            return None
        path = url[path_start:]
    else:
        path = url
    query = path.find("?")
    if query >= 0:
        path = path[:query]
    parts = [part for part in path.split("/") if part]
    if len(parts) != 2:
        return None
    return QueuePath(parts[0], parts[1])


def queue_arn(region: str, account: str, name: str) -> str:
    """``arn:aws:sqs:<region>:<account>:<name>`` (partition from the region)."""
    return f"arn:{partition_of(region)}:sqs:{region}:{account}:{name}"


class ArnParts(NamedTuple):
    region: str
    account: str
    name: str


def parse_queue_arn(arn: str) -> ArnParts | None:
    """``(region, account, name)`` of an SQS queue ARN, or None if ``arn`` is not one."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not all(parts[3:]):
        return None
    return ArnParts(parts[3], parts[4], parts[5])
