"""Queue URLs and ARNs: how they are built and read back.

A queue URL names the queue's region, owner account and name, as on AWS, where
``https://sqs.<region>.amazonaws.com/<account>/<name>`` carries the region in its host.
Overcast builds URLs on the Host the request came to (so SDKs that call the queue URL itself
reach it wherever they found it). A host that already names the region (``sqs.<region>.…``,
``<region>.queue.amazonaws.com``) gets AWS's form; any other host (``localhost:4566``,
``127.0.0.1:4566``, a container name) gets the region in the path,
``http://localhost:4566/queue/<region>/<account>/<name>``, which needs no DNS set-up: names
like ``sqs.<region>.localhost`` do not resolve on every machine.

Every form AWS and SDKs use is read back: AWS's hosts (``sqs.<region>.amazonaws.com``,
``<region>.queue.amazonaws.com``, the legacy ``queue.amazonaws.com`` of us-east-1),
``sqs.<region>.localhost[.localstack.cloud]``, the path form above, URLs without a region
(``http://localhost:4566/<account>/<name>``, as Overcast wrote them before naming regions:
the endpoint's region), a bare path ``/<account>/<name>`` and a bare queue name (the caller's
account, the endpoint's region).
"""

from __future__ import annotations

from typing import NamedTuple

from overcast.protocols.queue_paths import PATH_PREFIX, REGION as _REGION
from overcast.storage.scope import partition_of

DEFAULT_HOST = "localhost:4566"
LEGACY_REGION = "us-east-1"  # queue.amazonaws.com, the endpoint of SQS's first region


class QueueAddress(NamedTuple):
    """What a queue URL names: the region (None: the endpoint's), the owner account (None: the
    caller's) and the queue name."""

    region: str | None
    account: str | None
    name: str


def host_region(host: str) -> str | None:
    """The region a host name names (``sqs.eu-west-1.amazonaws.com``, ``sqs-fips.us-east-1.amazonaws.com``,
    ``eu-west-1.queue.amazonaws.com``, ``queue.amazonaws.com``, ``sqs.eu-west-1.localhost:4566``...), or None."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    labels = name.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[0] in ("sqs", "sqs-fips") and _REGION.match(labels[1]):
        return labels[1]
    if len(labels) >= 4 and labels[1] == "queue" and labels[2] == "amazonaws" and _REGION.match(labels[0]):
        return labels[0]
    if labels[:3] == ["queue", "amazonaws", "com"]:
        return LEGACY_REGION
    return None


def queue_url(host: str, region: str, account: str, name: str, secure: bool = False) -> str:
    """The URL of queue ``name`` of ``account`` in ``region`` as seen from ``host`` (the
    request's Host): AWS's form when the host names that region, else the path form."""
    scheme = "https" if secure else "http"
    host = host or DEFAULT_HOST
    if host_region(host) == region:
        return f"{scheme}://{host}/{account}/{name}"
    return f"{scheme}://{host}/{PATH_PREFIX}/{region}/{account}/{name}"


def parse_queue_url(url: str) -> QueueAddress | None:
    """What a QueueUrl in any accepted form names, or None if it names no queue."""
    if not isinstance(url, str) or not url:
        return None
    region = None
    scheme_end = url.find("://")
    if scheme_end >= 0:
        path_start = url.find("/", scheme_end + 3)
        if path_start < 0:
            return None
        region = host_region(url[scheme_end + 3:path_start])
        path = url[path_start:]
    else:
        path = url
    query = path.find("?")
    if query >= 0:
        path = path[:query]
    parts = [part for part in path.split("/") if part]
    if len(parts) == 4 and parts[0] == PATH_PREFIX and _REGION.match(parts[1]):
        return QueueAddress(parts[1], parts[2], parts[3])
    if len(parts) == 2:
        return QueueAddress(region, parts[0], parts[1])
    if len(parts) == 1 and scheme_end < 0 and not url.startswith("/"):
        return QueueAddress(None, None, parts[0])  # a bare queue name
    return None


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
