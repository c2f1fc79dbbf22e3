"""Headers a presigned S3 URL carries as query parameters.

A presigned URL can only hold what its query string holds, so S3 reads request headers from
it: SigV2 presigned URLs carry the ``x-amz-*`` headers, Content-Type and Content-MD5 they were
signed with as parameters (boto3's ``generate_presigned_url`` puts ``x-amz-meta-*``,
``x-amz-storage-class``, ``x-amz-tagging`` there), and SigV4 presigners hoist ``x-amz-*``
headers into the query (the JavaScript SDK's presigner does by default) or carry a signed
header's value there. Such a parameter counts as the header when the request does not send
the header itself.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

# SigV4's own query parameters: the signature, never request headers
_V4_AUTH = frozenset({"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires",
                      "x-amz-signedheaders", "x-amz-signature", "x-amz-security-token"})
_V2_HEADERS = frozenset({"content-type", "content-md5"})
# Payload integrity S3 does not take from a presigned URL's query: the JavaScript SDK v3 hoists
# an empty body's CRC32 there, and S3 stores the real body regardless (the SDKs' issue
# trackers: aws-sdk-js-v3 #6994, aws/aws-sdk #480, aws-sdk-go-v2 #2610).
_NOT_FROM_QUERY = frozenset({"x-amz-sdk-checksum-algorithm", "x-amz-content-sha256", "x-amz-trailer",
                             "x-amz-decoded-content-length"})


def _decoded(text: str) -> str:
    """A query component as header text (its bytes read as latin-1, as headers arrive)."""
    return unquote_to_bytes(text.replace("+", " ")).decode("latin-1")


def apply_query_headers(info, query_string: str, headers: dict[str, str]) -> None:
    """Add to ``headers`` the headers a presigned S3 request carries in its query string."""
    if not query_string:
        return
    v4 = info.kind == "presigned"
    # The common presigned GET (SigV4 auth parameters spelled X-Amz-*, only host signed)
    # carries no header: answered without parsing the query (a measured hot path).
    if v4:
        if len(info.signed_headers) <= 1 and "x-amz-" not in query_string:  # presigners hoist lower-case
            return
    elif "x-amz-" not in query_string and "content-" not in query_string and "X-Amz-" not in query_string \
            and "Content-" not in query_string:
        return
    signed = frozenset(name.lower() for name in info.signed_headers) if v4 else frozenset()
    for pair in query_string.split("&"):
        name, sep, value = pair.partition("=")
        if not sep:
            continue
        lowered = _decoded(name).lower()
        if lowered in headers or lowered == "host":
            continue
        if lowered.startswith("x-amz-"):
            if (v4 and lowered in _V4_AUTH) or lowered in _NOT_FROM_QUERY or lowered.startswith("x-amz-checksum-"):
                continue
        elif not (lowered in signed or (not v4 and lowered in _V2_HEADERS)):
            continue
        headers[lowered] = _decoded(value)
