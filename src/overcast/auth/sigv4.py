"""Signature Version 4: canonical request, string to sign, signing key, verification.

Follows AWS's "Create a signed AWS API request" exactly: the canonical URI is the path
normalized and URI-encoded again for every service but S3 (S3 signs its path as sent); the
query is re-encoded (RFC 3986 unreserved characters kept) and sorted; header values are
trimmed with inner runs of spaces folded; the payload hash is ``x-amz-content-sha256`` when
given, else the SHA-256 of the body.
"""

from __future__ import annotations

import hmac
import re
from hashlib import sha256
from urllib.parse import quote, unquote_to_bytes

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# Signing names whose canonical URI is the path as sent (no normalization, no re-encoding).
S3_SIGNING_NAMES = frozenset({"s3", "s3-outposts", "s3express", "s3-object-lambda"})

_UNRESERVED = re.compile(r"[A-Za-z0-9\-_.~]*")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")

# Derived signing keys change once a day per key/region/service: caching them saves four
# HMACs per request. Bounded so a stream of made-up scopes cannot grow it without end.
_KEY_CACHE: dict[tuple[str, str, str, str], bytes] = {}
_KEY_CACHE_LIMIT = 4096


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """``kSigning`` = HMAC chain over date, region, service and ``aws4_request`` (cached)."""
    cache_key = (secret, date, region, service)
    key = _KEY_CACHE.get(cache_key)
    if key is None:
        key = hmac.new(("AWS4" + secret).encode("utf-8"), date.encode("utf-8"), sha256).digest()
        key = hmac.new(key, region.encode("utf-8"), sha256).digest()
        key = hmac.new(key, service.encode("utf-8"), sha256).digest()
        key = hmac.new(key, b"aws4_request", sha256).digest()
        if len(_KEY_CACHE) >= _KEY_CACHE_LIMIT:
            _KEY_CACHE.clear()
        _KEY_CACHE[cache_key] = key
    return key


def hmac_hex(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), sha256).hexdigest()


def is_sha256_hex(value: str) -> bool:
    return _SHA256_HEX.fullmatch(value) is not None


def remove_dot_segments(path: str) -> str:
    """RFC 3986 dot-segment removal, also folding repeated slashes (as AWS services do)."""
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    lead = "/" if path.startswith("/") else ""
    trail = "/" if path.endswith("/") and kept else ""
    return lead + "/".join(kept) + trail


def canonical_uri(raw_path: str, s3: bool) -> str:
    """The canonical URI of a path as sent (percent-encoded, decoded as latin-1)."""
    if not raw_path:
        return "/"
    if s3:
        return raw_path
    # Encoding the already-encoded path again is what AWS asks of every service but S3.
    return quote(remove_dot_segments(raw_path).encode("latin-1"), safe="/~")


def reencoded_uri(raw_path: str) -> str:
    """The path decoded and encoded once with SigV4's rules (for clients that encode
    characters differently on the wire than in their canonical request)."""
    return quote(unquote_to_bytes(raw_path.encode("latin-1") or b"/"), safe="/~")


def _reencode(text: str) -> str:
    if _UNRESERVED.fullmatch(text):
        return text
    # A "+" in a query is a space (form encoding), as AWS reads it: a literal plus arrives as
    # %2B from every SDK.
    return quote(unquote_to_bytes(text.replace("+", "%20").encode("latin-1")), safe="-_.~")


def canonical_query(query_string: str, drop_signature: bool = False) -> str:
    """Query parameters decoded, re-encoded and sorted by name, then value."""
    if not query_string:
        return ""
    pairs = []
    for pair in query_string.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if drop_signature and name == "X-Amz-Signature":
            continue
        pairs.append((_reencode(name), _reencode(value)))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def canonical_headers(headers: dict[str, str], signed_headers: tuple[str, ...]) -> str:
    """``name:value`` lines of the signed headers, values trimmed and spaces folded."""
    lines = []
    for name in signed_headers:
        value = headers.get(name.lower(), "")
        lines.append(f"{name.lower()}:{' '.join(value.split())}\n")
    return "".join(lines)


class CanonicalRequest:
    """A SigV4 request's canonical parts, computed once; the payload hash is given late.

    The payload hash is the last line of the canonical request, so a streamed body whose
    hash is only known at its end (a non-S3 streaming upload without
    ``x-amz-content-sha256``) is verified with the same object once it has been read.
    """

    __slots__ = ("method", "uri", "query", "headers", "signed", "amz_date", "scope")

    def __init__(self, info, method: str, raw_path: str, query_string: str, headers: dict[str, str]):
        s3 = info.service in S3_SIGNING_NAMES
        self.method = method
        self.uri = canonical_uri(raw_path, s3)
        self.query = canonical_query(query_string, drop_signature=info.kind == "presigned")
        self.headers = canonical_headers(headers, info.signed_headers)
        self.signed = ";".join(name.lower() for name in info.signed_headers)
        self.amz_date = info.amz_date
        self.scope = info.scope

    def text(self, payload_hash: str, uri: str | None = None) -> str:
        """The canonical request, as AWS specifies it."""
        return "\n".join(
            (self.method, uri or self.uri, self.query, self.headers, self.signed, payload_hash)
        )

    def string_to_sign(self, canonical: str) -> str:
        try:  # the bytes as sent (header values arrive as latin-1 text): what AWS hashes
            data = canonical.encode("latin-1")
        except UnicodeEncodeError:
            data = canonical.encode("utf-8")
        digest = sha256(data).hexdigest()
        return f"AWS4-HMAC-SHA256\n{self.amz_date}\n{self.scope}\n{digest}"

    def matches(self, key: bytes, provided: str, payload_hash: str, uri: str | None = None) -> tuple[bool, str, str]:
        """(signature matches, string to sign, canonical request) for one payload hash."""
        canonical = self.text(payload_hash, uri)
        to_sign = self.string_to_sign(canonical)
        return hmac.compare_digest(hmac_hex(key, to_sign), provided), to_sign, canonical


def verify_v4(
    info,
    canonical: CanonicalRequest,
    key: bytes,
    payload_hashes: list[str],
    alternate_uris: list[str],
    failures,
) -> None:
    """Raise the family's signature mismatch unless one of the candidate forms verifies.

    The first payload hash and the canonical URI are AWS's; the others are tried only after a
    mismatch (so never on the success path), for clients whose wire form differs from what
    they signed in ways AWS accepts (S3 paths with characters left unencoded, presigned
    non-S3 URLs signed with ``UNSIGNED-PAYLOAD``).
    """
    provided = info.signature
    ok, to_sign, text = canonical.matches(key, provided, payload_hashes[0])
    if ok:
        return
    for uri in [None, *alternate_uris]:
        for payload_hash in payload_hashes:
            if uri is None and payload_hash == payload_hashes[0]:
                continue
            if canonical.matches(key, provided, payload_hash, uri)[0]:
                return
    raise failures.signature_mismatch(info.access_key, provided, to_sign, text)
