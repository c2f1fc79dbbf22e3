"""Headers S3 requires a SigV4 signature to cover (strict mode).

S3 refuses a request carrying an ``x-amz-*`` header that is not in ``SignedHeaders``
(403 ``AccessDenied`` "There were headers present in the request which were not signed",
``<HeadersNotSigned>`` naming them): otherwise a captured request could be replayed with
headers that change what it does (``x-amz-copy-source`` turns a PutObject into a copy,
``x-amz-acl``, ``x-amz-tagging``, ``x-amz-bypass-governance-retention``...). Two exceptions,
as S3 answers them:

- ``x-amz-content-sha256`` may go unsigned: its value is the canonical request's payload
  hash, so the signature covers it anyway;
- a presigned URL's request must also sign ``Content-MD5`` when it sends one (S3 names it in
  ``HeadersNotSigned``); ``Content-Type`` may go unsigned there (browsers add it).

Other services do not check this (a session token header may go unsigned to them).
"""

from __future__ import annotations

_EXEMPT = "x-amz-content-sha256"


def unsigned_headers(info, headers: dict[str, str]) -> tuple[str, ...]:
    """The headers of ``headers`` (as sent) S3 requires signed and ``info`` does not sign,
    in the request's order; ``host`` first when it is not signed."""
    signed = {name.lower() for name in info.signed_headers}
    presigned = info.kind == "presigned"
    found = [] if "host" in signed or ":authority" in signed else ["host"]
    for name in headers:
        if name in signed:
            continue
        if (name.startswith("x-amz-") and name != _EXEMPT) or (presigned and name == "content-md5"):
            found.append(name)
    return tuple(found)
