"""Canonical user ids: the 64-hex-digit id S3 shows for an account (ACL grantees, owners).

AWS gives every account an opaque canonical id, not derived visibly from the account number.
Ours is stable, looks as random, and can be read back without a registry of accounts:
27 bytes of a keyed hash of the account id, then the account number (5 bytes) masked with a
keyed hash of those 27. Reading one back unmasks the number and checks the hash, so an id
that no account has is told apart (S3 answers a grant to it with "Invalid id").

Used by S3 (owners, grants) and by policy evaluation (``"Principal": {"CanonicalUser": ...}``),
so it lives outside both.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re

_KEY = b"overcast/canonical-user-id/v1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TAG_BYTES = 27
_ACCOUNT_BYTES = 5  # a 12-digit account number is below 2**40


def _tag(account: str) -> bytes:
    return hmac.new(_KEY, account.encode("utf-8"), hashlib.sha256).digest()[:_TAG_BYTES]


def _mask(tag: bytes) -> int:
    return int.from_bytes(hmac.new(_KEY, b"mask:" + tag, hashlib.sha256).digest()[:_ACCOUNT_BYTES], "big")


@functools.lru_cache(maxsize=4096)
def canonical_id(account: str) -> str:
    """The canonical user id of ``account`` (a 12-digit account id)."""
    if len(account) != 12 or not account.isdigit():
        # not an account number: still a stable opaque id, though it cannot be read back
        return hashlib.sha256(_KEY + b":" + account.encode("utf-8")).hexdigest()
    tag = _tag(account)
    masked = int(account) ^ _mask(tag)
    return (tag + masked.to_bytes(_ACCOUNT_BYTES, "big")).hex()


@functools.lru_cache(maxsize=4096)
def account_of(canonical: str) -> str | None:
    """The account whose canonical id is ``canonical``, or None when no account has it."""
    if not isinstance(canonical, str) or not _HEX64.match(canonical):
        return None
    raw = bytes.fromhex(canonical)
    tag, masked = raw[:_TAG_BYTES], int.from_bytes(raw[_TAG_BYTES:], "big")
    number = masked ^ _mask(tag)
    if number >= 10 ** 12:
        return None
    account = f"{number:012d}"
    return account if hmac.compare_digest(_tag(account), tag) else None
