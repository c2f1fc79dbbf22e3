"""Sign and Verify: RSASSA-PSS and PKCS #1 v1.5, ECDSA, ML-DSA and Ed25519, over a message or
its digest.

What comes out verifies with any standard library against GetPublicKey's key: PSS with MGF1 of
the same hash and a salt as long as the hash (AWS's choice), ECDSA signatures DER-encoded.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

from overcast.services.kms.crypto_errors import invalid_signature, validation
from overcast.services.kms.errors import UnsupportedOperationException

_RAW_ONLY = ("ML_DSA_SHAKE_256", "ED25519_SHA_512")
_HASHES = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}


def _hash_of(algorithm: str):
    return _HASHES[algorithm[-7:]]() if algorithm[-7:] in _HASHES else None


def _check_message(algorithm: str, message: bytes, message_type: str):
    """(the algorithm's hash, what the signer takes: that hash, or Prehashed for DIGEST); a
    digest of another length, or a message type the algorithm does not take, is a
    ValidationException."""
    if algorithm in _RAW_ONLY:
        if algorithm == "ML_DSA_SHAKE_256" and message_type == "EXTERNAL_MU":
            # Signing from a precomputed mu (FIPS 204's external mu) is not in ``cryptography``:
            # refused rather than faked.
            raise _unsupported(f"MessageType {message_type} with {algorithm}")
        if message_type != "RAW":
            # ML-DSA has no DIGEST form; pure Ed25519 signs the message itself.
            raise validation(f"MessageType {message_type} is not supported for signing algorithm {algorithm}.")
        return None, None
    if algorithm == "ED25519_PH_SHA_512":
        # HashEdDSA (RFC 8032 Ed25519ph) is not in ``cryptography``: refused rather than faked.
        raise _unsupported(algorithm)
    if message_type == "EXTERNAL_MU":
        raise validation(f"MessageType {message_type} is not supported for signing algorithm {algorithm}.")
    digest = _hash_of(algorithm)
    if message_type == "DIGEST":
        if len(message) != digest.digest_size:
            raise validation(f"Digest is invalid length for algorithm {algorithm}.")
        return digest, utils.Prehashed(digest)
    return digest, digest


def _rsa_padding(algorithm: str, digest) -> padding.AsymmetricPadding:
    if algorithm.startswith("RSASSA_PSS_"):
        return padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
    return padding.PKCS1v15()


def sign(private_key, algorithm: str, message: bytes, message_type: str) -> bytes:
    digest, hashing = _check_message(algorithm, message, message_type)
    if algorithm.startswith("RSASSA_"):
        return private_key.sign(message, _rsa_padding(algorithm, digest), hashing)
    if algorithm.startswith("ECDSA_"):
        return private_key.sign(message, ec.ECDSA(hashing))
    return private_key.sign(message)  # ML-DSA (empty context) and Ed25519 over the message


def verify(public_key, algorithm: str, message: bytes, message_type: str, signature: bytes) -> None:
    """Returns when the signature is good; KMSInvalidSignatureException otherwise."""
    digest, hashing = _check_message(algorithm, message, message_type)
    try:
        if algorithm.startswith("RSASSA_"):
            public_key.verify(signature, message, _rsa_padding(algorithm, digest), hashing)
        elif algorithm.startswith("ECDSA_"):
            public_key.verify(signature, message, ec.ECDSA(hashing))
        else:
            public_key.verify(signature, message)
    except (InvalidSignature, ValueError):
        raise invalid_signature() from None


def _unsupported(what: str):
    return UnsupportedOperationException(f"{what} is not supported by Overcast.")
