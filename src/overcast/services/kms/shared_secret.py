"""DeriveSharedSecret: ECDH (NIST SP 800-56A) between a KEY_AGREEMENT key's private key and a
peer's public key, handed in as DER SubjectPublicKeyInfo as AWS takes it."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from overcast.services.kms.crypto_errors import validation


def derive(private_key: ec.EllipticCurvePrivateKey, key_spec: str, peer_public_der: bytes) -> bytes:
    """The raw shared secret (the x coordinate of the shared point); a public key that does not
    parse, is not on an elliptic curve, or lies on another curve than the KMS key's is a
    ValidationException."""
    try:
        peer = serialization.load_der_public_key(peer_public_der)
    except (ValueError, TypeError):
        raise validation("PublicKey is not a valid DER-encoded SubjectPublicKeyInfo.") from None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != private_key.curve.name:
        raise validation(f"PublicKey must be an elliptic curve public key on the curve of key spec {key_spec}.")
    return private_key.exchange(ec.ECDH(), peer)
