"""Identifiers STS hands out: access key ids, secrets, session tokens, role/session ids.

An AWS access key id carries its account: after the four-letter prefix (``AKIA`` long-term,
``ASIA`` temporary), sixteen base32 characters encode ten bytes whose first six hold, below a
leading bit, the 40-bit account number shifted left by seven bits (GetAccessKeyInfo works by
reading it back). Overcast builds its keys the same way, so any key it made, and any real
key id, answers GetAccessKeyInfo without a lookup.
"""

from __future__ import annotations

import base64
import secrets

from overcast.config import DEFAULT_ACCOUNT

_ACCOUNT_MASK = 0x7FFFFFFFFF80
_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# The first bytes of AWS's current session tokens ("\x21\x0a\x09origin_ec" base64): clients
# only treat the token as opaque, but it then looks like the ones users see from AWS.
_TOKEN_PREFIX = "IQoJb3JpZ2luX2Vj"


def access_key_id(account: str, prefix: str = "ASIA") -> str:
    """A new 20-character key id that encodes ``account`` (``ASIA`` = temporary credentials)."""
    number = int(account) if account.isdigit() else int(DEFAULT_ACCOUNT)
    head = (number << 7) | secrets.randbits(7)
    raw = head.to_bytes(6, "big") + secrets.token_bytes(4)
    return prefix + base64.b32encode(raw).decode("ascii")


def account_of_key_id(key_id: str) -> str | None:
    """The account a key id encodes, or None when it is not in AWS's key id format."""
    body = key_id[4:]
    if len(body) != 16 or not key_id[:4].isalpha():
        return None
    try:
        raw = base64.b32decode(body.upper())
    except (ValueError, base64.binascii.Error):
        return None
    number = (int.from_bytes(raw[:6], "big") & _ACCOUNT_MASK) >> 7
    return f"{number:012d}"


def secret_access_key() -> str:
    """40 characters of base64's alphabet, as AWS secrets are."""
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def session_token() -> str:
    """An opaque session token of the length AWS's have (several hundred characters)."""
    return _TOKEN_PREFIX + base64.b64encode(secrets.token_bytes(300)).decode("ascii")


def unique_id(prefix: str) -> str:
    """An IAM-style unique id: ``AROA`` (role), ``AIDA`` (user)... and 17 more characters."""
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(17))
