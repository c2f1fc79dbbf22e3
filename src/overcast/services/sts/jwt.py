"""Web identity tokens (JWTs): parsing, and RS256/384/512 signatures checked against the
registered provider's published keys (OpenID Connect discovery:
``<provider url>/.well-known/openid-configuration`` names the ``jwks_uri``; fetched over
HTTPS only, ``overcast.services.sts.oidc_fetch``)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

from overcast.services.sts.errors import InvalidIdentityToken
from overcast.services.sts.oidc_fetch import get_json

INVALID = (
    "The web identity token that was passed could not be validated by AWS. "
    "Get a new identity token from the identity provider and then retry the request."
)
NO_KEY = (
    "Couldn't retrieve verification key from your identity provider, "
    "please reference AssumeRoleWithWebIdentity documentation for requirements"
)
_HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


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


def _fetch_keys(provider_url: str, thumbprints: list[str]) -> list[dict]:
    """The keys the registered provider publishes: discovery at its own URL, then its
    ``jwks_uri`` (https only, wherever it is: Google's keys are on another host)."""
    discovery = get_json(provider_url.rstrip("/") + "/.well-known/openid-configuration", thumbprints)
    keys = get_json(discovery["jwks_uri"], thumbprints).get("keys", [])
    return [key for key in keys if isinstance(key, dict)] if isinstance(keys, list) else []


class KeyCache:
    """Provider URL -> its JSON web keys; fetched again when a token names a key id not seen yet."""

    def __init__(self):
        self._keys: dict[str, list[dict]] = {}

    async def keys_for(self, provider: dict, kid: str | None) -> list[dict]:
        url = provider["url"]
        keys = self._keys.get(url)
        if keys is None or (kid is not None and not any(k.get("kid") == kid for k in keys)):
            try:
                keys = await asyncio.to_thread(_fetch_keys, url, list(provider.get("thumbprints") or []))
            except (OSError, ValueError, KeyError, TypeError):
                raise InvalidIdentityToken(message=NO_KEY) from None
            self._keys[url] = keys
        return keys

    def clear(self) -> None:
        self._keys.clear()


async def verify_signature(token: Token, provider: dict, cache: KeyCache) -> None:
    """Raise ``InvalidIdentityToken`` unless one of the registered provider's RSA keys (IAM's
    ``{"url", "thumbprints"...}``) signed ``token``."""
    algorithm = token.header.get("alg")
    if algorithm not in _HASHES:
        raise InvalidIdentityToken(message=INVALID)
    kid = token.header.get("kid")
    keys = await cache.keys_for(provider, kid)
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
