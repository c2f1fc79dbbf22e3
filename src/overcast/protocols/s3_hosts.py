"""Which bucket a virtual-hosted S3 request names in its Host header.

S3 accepts the bucket in the path (``http://localhost:4566/bucket/key``) or in the host name
(``http://bucket.localhost:4566/key``, ``bucket.s3.amazonaws.com``,
``bucket.s3.us-west-2.amazonaws.com``, ``bucket.s3-accelerate.amazonaws.com``,
``bucket.s3.localhost.localstack.cloud``...). This module holds the one rule that tells them
apart; the rest-xml protocol rewrites a virtual-hosted request to path style before routing.
"""

from __future__ import annotations

import functools
import re

# The S3 endpoint label that follows the bucket: s3, s3-accelerate, s3-website, s3-fips,
# s3-external-1, s3-<region>, s3-website-<region>...
_S3_LABEL = re.compile(
    r"^s3(?:-accelerate|-website|-fips|-external-1|-object-lambda)?"
    r"(?:[.-](?:[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+))?$"
)
# Host names whose left-most labels are a bucket even with no s3 label (``bucket.localhost``).
_LOCAL_SUFFIXES = (("localhost", "localstack", "cloud"), ("localhost",))
_AWS_SUFFIXES = (("amazonaws", "com", "cn"), ("amazonaws", "com"))


@functools.lru_cache(maxsize=1024)
def _bucket_of(name: str) -> str | None:
    if not name or name[0] == "[" or name.replace(".", "").isdigit():
        return None  # IPv6 / IPv4 literals
    labels = name.split(".")
    prefix = labels
    local = False
    for suffix in _LOCAL_SUFFIXES + _AWS_SUFFIXES:
        if len(labels) >= len(suffix) and tuple(labels[-len(suffix):]) == suffix:
            prefix = labels[: -len(suffix)]
            local = suffix in _LOCAL_SUFFIXES
            break
    for index in range(len(prefix) - 1, -1, -1):
        if _S3_LABEL.match(prefix[index]):
            return ".".join(prefix[:index]) or None
    if local and prefix:
        return ".".join(prefix)
    return None


def bucket_from_host(host: str, request_route: str | None = None) -> str | None:
    """The bucket a virtual-hosted request names, or None for a path-style request.

    ``localhost``, ``127.0.0.1``, ``s3.amazonaws.com``, ``s3.localhost.localstack.cloud`` and
    any other bare endpoint name no bucket. ``request_route`` is the ``x-amz-request-route``
    header: S3 Object Lambda's WriteGetObjectResponse puts it in the host, where it is no bucket.
    """
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.lower().rstrip(".")
    if request_route and name.startswith(request_route.lower() + "."):
        return None
    return _bucket_of(name)
