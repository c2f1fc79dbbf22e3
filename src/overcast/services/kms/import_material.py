"""Imported key material: the RSA wrapping key pairs GetParametersForImport hands out, the
unwrapping of EncryptedKeyMaterial with each wrapping algorithm, and the check that the
material fits the key spec."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap_with_padding

from overcast.services.kms.key_specs import SPECS, load_private

_HASHES = {"SHA_1": hashes.SHA1, "SHA_256": hashes.SHA256}
# HMAC key lengths KMS accepts for imported material: from the digest size up to the block size.
_HMAC_BLOCK = {224: 64, 256: 64, 384: 128, 512: 128}


class BadMaterial(Exception):
    """The encrypted material does not unwrap, or is not material of the key's spec."""


def new_wrapping_key(spec: str) -> tuple[bytes, bytes]:
    """(PKCS#8 DER private key, DER SubjectPublicKeyInfo public key) of an RSA wrapping key."""
    bits = int(spec.split("_")[1])
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def unwrap(private_der: bytes, algorithm: str, wrapped: bytes) -> bytes:
    """The plaintext material of ``wrapped`` (``BadMaterial`` when it does not decrypt)."""
    key = load_private(private_der)
    try:
        if algorithm.startswith("RSAES_OAEP_"):
            digest = _HASHES[algorithm[len("RSAES_OAEP_"):]]()
            return key.decrypt(wrapped, padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None))
        if algorithm.startswith("RSA_AES_KEY_WRAP_"):
            # An ephemeral AES key wrapped with RSA-OAEP, then the material wrapped with it by
            # AES Key Wrap with Padding (RFC 5649), concatenated.
            digest = _HASHES[algorithm[len("RSA_AES_KEY_WRAP_"):]]()
            size = key.key_size // 8
            aes_key = key.decrypt(wrapped[:size], padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest,
                                                               label=None))
            return aes_key_unwrap_with_padding(aes_key, wrapped[size:])
    except (ValueError, InvalidUnwrap) as exc:
        raise BadMaterial(str(exc)) from None
    raise BadMaterial(f"unsupported wrapping algorithm {algorithm}")


def check_material(spec: str, raw: bytes) -> bytes:
    """``raw`` as the key store keeps it for ``spec`` (``BadMaterial`` when it does not fit)."""
    info = SPECS[spec]
    if info.kind == "symmetric":
        if len(raw) != 32:
            raise BadMaterial("symmetric key material must be 256 bits")
        return raw
    if info.kind == "hmac":
        if not info.size // 8 <= len(raw) <= _HMAC_BLOCK[info.size]:
            raise BadMaterial("HMAC key material of the wrong length")
        return raw
    try:
        key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError):
        raise BadMaterial("asymmetric key material must be a PKCS#8 DER private key") from None
    if info.kind == "rsa" and not (isinstance(key, rsa.RSAPrivateKey) and key.key_size == info.size):
        raise BadMaterial("not an RSA key of the key spec's size")
    if info.kind == "ec" and getattr(getattr(key, "curve", None), "name", None) != info.curve.name:
        raise BadMaterial("not an EC key on the key spec's curve")
    if info.kind in ("ed25519", "mldsa"):
        expected = info.curve if info.kind == "mldsa" else None
        if expected is not None and not isinstance(key, expected):
            raise BadMaterial("not an ML-DSA key of the key spec's level")
        if info.kind == "ed25519" and type(key).__name__ != "Ed25519PrivateKey":
            raise BadMaterial("not an Ed25519 key")
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def imported_material_id(key_id: str, raw: bytes) -> str:
    """KMS derives an imported material's id from the key id and the material: the same
    material re-imported gets the same id, other material another one."""
    return hashlib.sha256(key_id.encode() + b"\0" + raw).hexdigest()
