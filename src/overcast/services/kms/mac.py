"""GenerateMac and VerifyMac: HMAC (RFC 2104) under an HMAC key's material, which never leaves
KMS."""

from __future__ import annotations

import hashlib
import hmac

from overcast.services.kms.crypto_errors import invalid_mac

_DIGESTS = {"HMAC_SHA_224": hashlib.sha224, "HMAC_SHA_256": hashlib.sha256, "HMAC_SHA_384": hashlib.sha384,
            "HMAC_SHA_512": hashlib.sha512}


def generate(material: bytes, algorithm: str, message: bytes) -> bytes:
    return hmac.new(material, message, _DIGESTS[algorithm]).digest()


def verify(material: bytes, algorithm: str, message: bytes, mac: bytes) -> None:
    """Returns when ``mac`` is the message's HMAC; KMSInvalidMacException otherwise (compared in
    constant time)."""
    if not hmac.compare_digest(generate(material, algorithm, message), mac):
        raise invalid_mac()
