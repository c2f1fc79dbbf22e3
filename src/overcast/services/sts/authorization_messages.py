"""Encoded authorization messages: what a denied EC2-style request carries, and its decoding.

AWS encrypts the decision details so that only a principal allowed
``sts:DecodeAuthorizationMessage`` can read them. Overcast does the same with AES-GCM under a
key kept in ``sts.db`` (made on first use, so messages still decode after a restart): any
change to a message fails authentication and is ``InvalidAuthorizationMessageException``.
The details are compressed first; the result is base64url without padding, as AWS's are.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from overcast.context import RequestContext
from overcast.services.sts.errors import InvalidAuthorizationMessage
from overcast.services.sts.validation import validate

_KEY_NAME = "authorization-message-key"
_VERSION = b"\x01"
_INVALID = "The message is invalid: it was not produced by this cloud or has been altered."


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


class AuthorizationMessageOperations:
    def _message_key(self) -> bytes:
        row = self.db.query_one("SELECT value FROM secrets WHERE name = ?", (_KEY_NAME,))
        if row is not None:
            return bytes(row[0])
        key = AESGCM.generate_key(bit_length=256)
        self.db.execute(
            "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", (_KEY_NAME, key)
        )
        return bytes(self.db.query_one("SELECT value FROM secrets WHERE name = ?", (_KEY_NAME,))[0])

    def encode_authorization_message(self, decision_details: dict) -> str:
        """The encoded form of ``decision_details`` (see ``decision_details()`` for the shape)."""
        plain = zlib.compress(json.dumps(decision_details, separators=(",", ":")).encode("utf-8"), 9)
        nonce = os.urandom(12)
        sealed = AESGCM(self._message_key()).encrypt(nonce, plain, _VERSION)
        return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode("ascii").rstrip("=")

    def decode_authorization_message(self, ctx: RequestContext, params: dict) -> dict:
        """The decision details an encoded message carries, as a JSON text."""
        validate("DecodeAuthorizationMessage", params)
        encoded = params.get("EncodedMessage", "").strip()
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if raw[:1] != _VERSION or len(raw) < 30:
                raise ValueError("not one of ours")
            plain = AESGCM(self._message_key()).decrypt(raw[1:13], raw[13:], _VERSION)
            details = json.loads(zlib.decompress(plain))
        except (ValueError, binascii.Error, InvalidTag, zlib.error):
            raise InvalidAuthorizationMessage(message=_INVALID) from None
        return {"DecodedMessage": json.dumps(details, separators=(",", ":"))}
