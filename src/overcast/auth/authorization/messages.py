"""Encoded authorization messages: the decision details a denied EC2-style request carries.

AWS encrypts them so that only a principal allowed ``sts:DecodeAuthorizationMessage`` can read
them. The authorizer encodes (``denials.py``), STS decodes (``services/sts``), both through
``AuthorizationMessages`` here, so neither imports the other. AES-GCM under a key kept in the
data dir's ``authorization.db`` (made on first use, so messages still decode after a restart):
any change to a message fails authentication. The details are compressed first; the result is
base64url without padding, as AWS's are.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_DATABASE = "authorization"
_MIGRATIONS = ("CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)",)
_KEY_NAME = "authorization-message-key"
_VERSION = b"\x01"


class InvalidMessage(ValueError):
    """Not a message this cloud made, or one that was altered."""


def decision_details(
    *,
    allowed: bool,
    explicit_deny: bool,
    principal_id: str,
    principal_arn: str,
    action: str,
    resource: str,
    conditions: dict | None = None,
    matched: list | None = None,
    principal_name: str | None = None,
) -> dict:
    """The decoded message in AWS's shape, from a decision and its request context.

    ``matched`` holds ``overcast.auth.policy.MatchedStatement``s (or dicts already shaped);
    ``conditions`` the request context's keys and values.
    """
    principal = {"id": principal_id, "arn": principal_arn}
    if principal_name:
        principal["name"] = principal_name
    items = []
    for statement in matched or []:
        if isinstance(statement, dict):
            items.append(statement)
            continue
        items.append(
            {
                "statementId": statement.sid or "",
                "effect": statement.effect.upper(),
                "principals": {"items": [{"value": principal_id}]},
                "principalGroups": {"items": []},
                "actions": {"items": [{"value": action}]},
                "resources": {"items": [{"value": resource}]},
                "conditions": {"items": []},
            }
        )
    condition_items = []
    for key, value in sorted((conditions or {}).items()):
        values = value if isinstance(value, (list, tuple)) else [value]
        condition_items.append(
            {"key": key, "values": {"items": [{"value": _text(v)} for v in values]}}
        )
    return {
        "allowed": allowed,
        "explicitDeny": explicit_deny,
        "matchedStatements": {"items": items},
        "failures": {"items": []},
        "context": {
            "principal": principal,
            "action": action,
            "resource": resource,
            "conditions": {"items": condition_items},
        },
    }


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class AuthorizationMessages:
    """Seals and opens decision details with the cloud's message key (``storage_of()``: the
    cloud's ``Storage``, open from the cloud's start)."""

    def __init__(self, storage_of):
        self._storage_of = storage_of  # () -> Storage: the cloud opens storage at start

    def _key(self) -> bytes:
        # read each time (rare: EC2-style denials and DecodeAuthorizationMessage), so a reset
        # that wiped the database never leaves a stale key in memory
        db = self._storage_of().database(_DATABASE, _MIGRATIONS)
        row = db.query_one("SELECT value FROM secrets WHERE name = ?", (_KEY_NAME,))
        if row is not None:
            return bytes(row[0])
        db.execute("INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                   (_KEY_NAME, AESGCM.generate_key(bit_length=256)))
        return bytes(db.query_one("SELECT value FROM secrets WHERE name = ?", (_KEY_NAME,))[0])

    def encode(self, details: dict) -> str:
        """The encoded form of ``details`` (see ``decision_details()`` for the shape)."""
        plain = zlib.compress(json.dumps(details, separators=(",", ":")).encode("utf-8"), 9)
        nonce = os.urandom(12)
        sealed = AESGCM(self._key()).encrypt(nonce, plain, _VERSION)
        return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode("ascii").rstrip("=")

    def decode(self, encoded: str) -> dict:
        """The details ``encoded`` carries; ``InvalidMessage`` if it is not one of ours intact."""
        encoded = encoded.strip()
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if raw[:1] != _VERSION or len(raw) < 30:
                raise ValueError("not one of ours")
            plain = AESGCM(self._key()).decrypt(raw[1:13], raw[13:], _VERSION)
            return json.loads(zlib.decompress(plain))
        except (ValueError, binascii.Error, InvalidTag, zlib.error):
            raise InvalidMessage() from None
