"""One S3 server access log record, in the format S3 writes.

Fields, space-separated, in S3's order: bucket owner (canonical id), bucket, ``[time]``,
remote IP, requester, request id, operation (``REST.GET.OBJECT``), key, ``"request-URI"``,
HTTP status, error code, bytes sent, object size, total time (ms), turn-around time (ms),
``"referer"``, ``"user-agent"``, version id, host id, signature version, cipher suite,
authentication type, host header, TLS version, access point ARN, ACL required. A field without
a value is ``-``. Plain HTTP has no cipher suite or TLS version; access points do not exist
here; whether an ACL was needed to authorize is not tracked (``-``).
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote, unquote

from overcast.canonical_users import canonical_id

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# The resource part of the operation for a sub-resource in the query (``?versioning``), on a
# bucket and on an object; any other sub-resource is its name in capitals.
_BUCKET_RESOURCES = {
    "policy": "BUCKETPOLICY", "policyStatus": "BUCKETPOLICYSTATUS", "logging": "LOGGING_STATUS",
    "versions": "BUCKETVERSIONS", "requestPayment": "REQUEST_PAYMENT", "delete": "MULTI_OBJECT_DELETE",
    "ownershipControls": "OWNERSHIP_CONTROLS", "publicAccessBlock": "PUBLIC_ACCESS_BLOCK",
    "object-lock": "OBJECT_LOCK_CONFIGURATION", "intelligent-tiering": "INTELLIGENT_TIERING",
}
_OBJECT_RESOURCES = {
    "tagging": "OBJECT_TAGGING", "retention": "OBJECT_RETENTION", "legal-hold": "OBJECT_LEGAL_HOLD",
    "attributes": "OBJECT_ATTRIBUTES", "restore": "RESTORE", "uploads": "UPLOADS", "acl": "ACL",
}
_SUB_RESOURCES = frozenset(_BUCKET_RESOURCES) | frozenset(_OBJECT_RESOURCES) | {
    "versioning", "location", "tagging", "cors", "lifecycle", "website", "encryption", "notification",
    "accelerate", "replication", "inventory", "metrics", "analytics", "uploads", "acl"}
_ERROR_CODE = re.compile(rb"<Code>([^<]{1,64})</Code>")


def log_time(epoch: float) -> str:
    """``[06/Feb/2019:00:00:38 +0000]``."""
    t = time.gmtime(epoch)
    return f"[{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000]"


def operation_name(method: str, query: dict, key: str, headers: dict) -> str:
    """``REST.<method>.<resource>`` as S3 names it (``REST.PUT.PART``, ``REST.GET.BUCKET``...)."""
    copy = "x-amz-copy-source" in headers and method == "PUT"
    if key:
        if "uploadId" in query:
            resource = "PART" if method == "PUT" else "UPLOAD"
        else:
            resource = next((_OBJECT_RESOURCES[name] for name in query if name in _OBJECT_RESOURCES), "OBJECT")
        return f"REST.{'COPY' if copy else method}.{resource}"
    resource = next((_BUCKET_RESOURCES.get(name, name.upper().replace("-", "_"))
                     for name in query if name in _SUB_RESOURCES), "BUCKET")
    return f"REST.{method}.{resource}"


def requester(ctx) -> str:
    """The root's canonical id, an IAM identity's ARN, or ``-`` when anonymous."""
    arn = ctx.principal_arn
    if not arn:
        return "-"
    return canonical_id(ctx.account) if arn.endswith(":root") else arn


def _auth(request) -> tuple[str, str]:
    """(signature version, authentication type)."""
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("AWS4-"):
        return "SigV4", "AuthHeader"
    if authorization.startswith("AWS "):
        return "SigV2", "AuthHeader"
    query = request.query
    if "X-Amz-Algorithm" in query:
        return "SigV4", "QueryString"
    if "Signature" in query and "AWSAccessKeyId" in query:
        return "SigV2", "QueryString"
    return "-", "-"


def _quoted(value: str | None) -> str:
    return f'"{value}"' if value else '"-"'


def _object_size(method: str, operation: str, request, response) -> str:
    if not operation.endswith((".OBJECT", ".PART")):
        return "-"
    if method in ("PUT", "POST"):
        return request.headers.get("x-amz-decoded-content-length") or request.headers.get("content-length") or "-"
    if response.status >= 300:
        return "-"
    content_range = response.headers.get("content-range", "")
    if "/" in content_range:
        return content_range.rsplit("/", 1)[1]
    return response.headers.get("content-length") or "-"


def _bytes_sent(method: str, response) -> str:
    if method == "HEAD":
        return "-"
    body = response.body
    sent = len(body) if isinstance(body, (bytes, bytearray)) else int(response.headers.get("content-length") or 0)
    return str(sent) if sent else "-"


def error_code(response, code: str | None) -> str:
    if response.status < 400:
        return "-"
    if code:
        return code
    body = response.body
    found = _ERROR_CODE.search(body) if isinstance(body, (bytes, bytearray)) else None
    return found.group(1).decode() if found else "-"


def object_key(bucket: str, request, host: str) -> str:
    """The request's key, URL-encoded as S3 logs it ("" for a bucket request)."""
    path = request.path
    if host.startswith(bucket + "."):  # virtual-hosted: the whole path is the key
        raw = path[1:]
    else:
        raw = path[len(bucket) + 2:] if path.startswith(f"/{bucket}/") else ""
    return quote(unquote(raw), safe="/") if raw else ""


def format_record(ctx, bucket, request, response, now: float, total_ms: float, turnaround_ms: float) -> str:
    """The record of one request to ``bucket`` (a ``Bucket`` row), answered with ``response``."""
    method = request.method
    query = request.query
    key = object_key(bucket.name, request, ctx.host)
    operation = "REST.POST.OBJECT" if ctx.operation == "PostObject" else operation_name(
        method, query, key, request.headers)
    uri = request.path + ("?" + request.query_string if request.query_string else "")
    signature, auth_type = _auth(request)
    version = (query.get("versionId") or ["-"])[0] or "-"
    fields = (
        canonical_id(bucket.account), bucket.name, log_time(now), ctx.source_ip or "-", requester(ctx),
        ctx.request_id or "-", operation, key or "-", f'"{method} {uri} HTTP/1.1"', str(response.status),
        error_code(response, ctx.extra.get("error_code")), _bytes_sent(method, response),
        _object_size(method, operation, request, response), str(int(total_ms)), str(int(turnaround_ms)),
        _quoted(request.headers.get("referer")), _quoted(request.headers.get("user-agent")), version,
        response.headers.get("x-amz-id-2") or "-", signature, "-", auth_type, ctx.host or "-", "-", "-", "-",
    )
    return " ".join(fields)
