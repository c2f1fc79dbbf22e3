"""Web identity tokens (JWTs): parsing, and RS256/384/512 signatures checked against the
issuer's published keys (OpenID Connect discovery: ``<issuer>/.well-known/openid-configuration``
names the ``jwks_uri``)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import urllib.error
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

from overcast.services.sts.errors import InvalidIdentityToken

INVALID = (
    "The web identity token that was passed could not be validated by AWS. "
    "Get a new identity token from the identity provider and then retry the request."
)
NO_KEY = (
    "Couldn't retrieve verification key from your identity provider, "
    "please reference AssumeRoleWithWebIdentity documentation for requirements"
)
_HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
_FETCH_TIMEOUT = 5.0


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class Token:
    """A JWT split into its header, claims, and what was signed."""

    def __init__(self, text: str):
        parts = text.strip().split(".")
        if len(parts) != 3:
            raise InvalidIdentityToken(message=INVALID)
        try:
            self.header = json.loads(_b64(parts[0]))
            self.claims = json.loads(_b64(parts[1]))
            self.signature = _b64(parts[2])
        except (ValueError, binascii.Error):
            raise InvalidIdentityToken(message=INVALID) from None
        if not isinstance(self.header, dict) or not isinstance(self.claims, dict):
            raise InvalidIdentityToken(message=INVALID)
        self.signed = f"{parts[0]}.{parts[1]}".encode("ascii")

    @property
    def audiences(self) -> list[str]:
        aud = self.claims.get("aud")
        return [aud] if isinstance(aud, str) else [a for a in aud or [] if isinstance(a, str)]


def _get_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=_FETCH_TIMEOUT) as response:  # noqa: S310 - issuer URLs only
        return json.loads(response.read())


def _fetch_keys(issuer: str) -> list[dict]:
    base = issuer if "://" in issuer else "https://" + issuer
    discovery = _get_json(base.rstrip("/") + "/.well-known/openid-configuration")
    return list(_get_json(discovery["jwks_uri"]).get("keys", []))


class KeyCache:
    """Issuer -> its JSON web keys; fetched again when a token names a key id not seen yet."""

    def __init__(self):
        self._keys: dict[str, list[dict]] = {}

    async def keys_for(self, issuer: str, kid: str | None) -> list[dict]:
        keys = self._keys.get(issuer)
        if keys is None or (kid is not None and not any(k.get("kid") == kid for k in keys)):
            try:
                keys = await asyncio.to_thread(_fetch_keys, issuer)
            except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError):
                raise InvalidIdentityToken(message=NO_KEY) from None
            self._keys[issuer] = keys
        return keys

    def clear(self) -> None:
        self._keys.clear()


async def verify_signature(token: Token, issuer: str, cache: KeyCache) -> None:
    """Raise ``InvalidIdentityToken`` unless one of the issuer's RSA keys signed ``token``."""
    algorithm = token.header.get("alg")
    if algorithm not in _HASHES:
        raise InvalidIdentityToken(message=INVALID)
    kid = token.header.get("kid")
    keys = await cache.keys_for(issuer, kid)
    candidates = [k for k in keys if k.get("kty") == "RSA" and (kid is None or k.get("kid") == kid)]
    if not candidates:
        raise InvalidIdentityToken(message=NO_KEY)
    for key in candidates:
        try:
            numbers = RSAPublicNumbers(int.from_bytes(_b64(key["e"]), "big"), int.from_bytes(_b64(key["n"]), "big"))
            numbers.public_key().verify(token.signature, token.signed, padding.PKCS1v15(), _HASHES[algorithm]())
            return
        except (InvalidSignature, KeyError, ValueError, binascii.Error):
            continue
    raise InvalidIdentityToken(message=INVALID)
