"""Version ids: opaque to clients, but S3 can tell one it issued from a made-up string.

S3 answers a version id it never issued (malformed, or well-formed but invented) with 400
InvalidArgument "Invalid version id specified", and one it issued whose version is gone with
404 NoSuchVersion (or, for DeleteObject, success). A ``version-id-marker`` whose version was
deleted since the previous page still resumes the listing where that version stood.

So an id carries what S3's does: its place in the key's history (the version's ``seq``) and
a check value, in the 32 URL-safe characters S3 uses: base64url of 12 random bytes, 8 bytes
of ``seq`` masked by a hash of those (so ids do not look sequential) and 4 bytes of SHA-256
over both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets

NULL_VERSION = "null"
_FORM = re.compile(r"^[A-Za-z0-9_-]{32}$")
_DOMAIN = b"overcast s3 version id"


def _check(body: bytes) -> bytes:
    return hashlib.sha256(_DOMAIN + body).digest()[:4]


def _mask(salt: bytes) -> int:
    return int.from_bytes(hashlib.sha256(salt).digest()[:8], "big")


def new_version_id(seq: int) -> str:
    """A new version id for the version stored at ``seq``."""
    salt = secrets.token_bytes(12)
    body = salt + (seq ^ _mask(salt)).to_bytes(8, "big")
    return base64.urlsafe_b64encode(body + _check(body)).decode()


def is_version_id(text: str) -> bool:
    """Whether ``text`` has the form of a version id (``null`` or 32 URL-safe characters)."""
    return text == NULL_VERSION or _FORM.match(text) is not None


def issued_seq(text: str) -> int | None:
    """The ``seq`` of a version id this server issued; None for ``null`` or any other text
    (including ids of data written before ids carried their place)."""
    if text == NULL_VERSION or not _FORM.match(text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text)
    except (binascii.Error, ValueError):
        return None
    body, check = raw[:20], raw[20:]
    if _check(body) != check:
        return None
    return int.from_bytes(body[12:], "big") ^ _mask(body[:12])


def was_issued(text: str) -> bool:
    """Whether S3 would recognise ``text`` as one of its version ids (``null`` included)."""
    return text == NULL_VERSION or issued_seq(text) is not None
