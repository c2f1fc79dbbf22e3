"""S3's Signature Version 2 (HMAC-SHA1), header and presigned query forms.

String to sign (S3 developer guide, "Signing and authenticating REST requests")::

    VERB\\nContent-MD5\\nContent-Type\\nDate-or-Expires\\nCanonicalizedAmzHeaders CanonicalizedResource

``CanonicalizedAmzHeaders`` are the ``x-amz-*`` headers, lower-cased and sorted, one
``name:value`` line each; ``CanonicalizedResource`` is ``/bucket/key`` (the bucket taken from
the Host for virtual-hosted requests) plus the sub-resources of the query string, sorted.
"""

from __future__ import annotations

import base64
import hmac
from hashlib import sha1
from urllib.parse import unquote

from overcast.protocols.s3_hosts import bucket_from_host

# Query parameters that are part of the signed resource (S3 docs and botocore's HmacV1Auth).
SUB_RESOURCES = frozenset(
    {
        "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory",
        "lifecycle", "location", "logging", "metrics", "notification", "object-lock",
        "partNumber", "policy", "replication", "requestPayment", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "response-content-language",
        "response-content-type", "response-expires", "restore", "select", "select-type",
        "storageClass", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning",
        "versions", "website",
    }
)
# Query parameters of a presigned SigV2 URL that stand in for request headers.
_HEADER_PARAMS = ("content-type", "content-md5")


def virtual_bucket(host: str) -> str | None:
    """The bucket of a virtual-hosted request (``bucket.s3.amazonaws.com``,
    ``bucket.localhost:4566``, ``bucket.s3.localhost.localstack.cloud``), else None.

    The same rule the rest-xml protocol routes by, so the bucket signed is the bucket served.
    """
    return bucket_from_host(host)


def canonical_resource(raw_path: str, query_string: str, bucket: str | None) -> str:
    """``/bucket/key`` plus the signed sub-resources (``?acl``, ``?versionId=...``), sorted."""
    resource = raw_path or "/"
    if bucket:
        resource = f"/{bucket}{resource}"
    if query_string:
        subs = []
        for pair in query_string.split("&"):
            name, eq, value = pair.partition("=")
            if name in SUB_RESOURCES:
                subs.append((name, f"{name}={unquote(value)}" if eq else name))
        if subs:
            subs.sort(key=lambda item: item[0])
            resource += "?" + "&".join(text for _, text in subs)
    return resource


def canonical_amz_headers(headers: dict[str, str], query_headers: dict[str, str]) -> str:
    """``x-amz-*`` headers (and, for presigned URLs, ``x-amz-*`` query parameters), sorted."""
    amz = {name: value for name, value in query_headers.items() if name.startswith("x-amz-")}
    for name, value in headers.items():
        if name.startswith("x-amz-"):
            amz[name] = value.strip()
    return "".join(f"{name}:{amz[name]}\n" for name in sorted(amz))


def string_to_sign(
    method: str,
    raw_path: str,
    query_string: str,
    headers: dict[str, str],
    date_line: str,
    bucket: str | None,
    query_headers: dict[str, str] | None = None,
) -> str:
    """The SigV2 string to sign; ``date_line`` is the Date header, or ``Expires`` when presigned."""
    query_headers = query_headers or {}
    md5 = headers.get("content-md5", query_headers.get("content-md5", "")).strip()
    content_type = headers.get("content-type", query_headers.get("content-type", "")).strip()
    return (
        f"{method}\n{md5}\n{content_type}\n{date_line}\n"
        f"{canonical_amz_headers(headers, query_headers)}"
        f"{canonical_resource(raw_path, query_string, bucket)}"
    )


def sign(secret: str, text: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def query_header_params(query_string: str) -> dict[str, str]:
    """Lower-cased ``x-amz-*``/``content-*`` query parameters of a presigned SigV2 URL."""
    out = {}
    for pair in query_string.split("&"):
        name, _, value = pair.partition("=")
        lowered = unquote(name).lower()
        if lowered.startswith("x-amz-") or lowered in _HEADER_PARAMS:
            out[lowered] = unquote(value)
    return out


def verify_v2(info, method: str, raw_path: str, query_string: str, headers: dict[str, str], secret: str, failures) -> None:
    """Raise a signature mismatch unless the SigV2 signature verifies.

    Candidates, AWS's form first: the resource with the bucket from the Host for
    virtual-hosted requests, and (header form) an empty Date line when ``x-amz-date`` is
    present; the others only after a mismatch (so never on the success path).
    """
    presigned = info.kind == "sigv2-presigned"
    query_headers = query_header_params(query_string) if presigned else {}
    if presigned:
        dates = [query_string_expires(query_string)]
    elif "x-amz-date" in headers:
        dates = ["", headers.get("date", "")]
    else:
        dates = [headers.get("date", "")]
    bucket = virtual_bucket(headers.get("host", ""))
    first = None
    for candidate_path, candidate_bucket in resource_candidates(raw_path, bucket):
        for date_line in dates:
            text = string_to_sign(method, candidate_path, query_string, headers, date_line, candidate_bucket,
                                  query_headers)
            if first is None:
                first = text
            if hmac.compare_digest(sign(secret, text), info.signature):
                return
    raise failures.signature_mismatch(info.access_key, info.signature, first, None)


def resource_candidates(raw_path: str, bucket: str | None) -> list[tuple[str, str | None]]:
    """(path, virtual bucket) pairs a client may have signed, AWS's form first.

    A path-style bucket request (``/bucket``) is signed as ``/bucket/`` by botocore (its
    ``auth_path``) and as sent by others; a virtual-hosted one with the bucket from the Host
    by SDKs, without it by some hand-written signers.
    """
    path = raw_path or "/"
    candidates = [(path, bucket)] if bucket else [(path, None)]
    if not bucket and path.count("/") == 1 and len(path) > 1:
        candidates.append((path + "/", None))
    if bucket:
        candidates.append((path, None))
    decoded = unquote(path)
    if decoded != path:  # signers that put the key unencoded in the resource
        candidates.append((decoded, bucket))
    return candidates


def query_string_expires(query_string: str) -> str:
    for pair in query_string.split("&"):
        name, _, value = pair.partition("=")
        if name == "Expires":
            return unquote(value)
    return ""
