"""RSA OAEP encryption with asymmetric ENCRYPT_DECRYPT keys, public keys as GetPublicKey hands
them out, and the data key pairs of GenerateDataKeyPair.

As on AWS, an RSA ciphertext is the bare OAEP output (256 bytes for RSA_2048), so a client can
encrypt with GetPublicKey's key on its own and Decrypt accepts the result.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from overcast.services.kms.crypto_errors import invalid_ciphertext, validation

_OAEP_HASHES = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}
_RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
_CURVES = {"ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1,
           "ECC_SECG_P256K1": ec.SECP256K1}


def _oaep(algorithm: str) -> padding.OAEP:
    digest = _OAEP_HASHES[algorithm]()
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def max_plaintext(key_spec: str, algorithm: str) -> int:
    """The largest plaintext OAEP takes: modulus bytes - 2 * hash bytes - 2 (RSA_2048: 214 with
    SHA-1, 190 with SHA-256; the limits AWS's Encrypt documentation lists)."""
    return _RSA_BITS[key_spec] // 8 - 2 * _OAEP_HASHES[algorithm].digest_size - 2


def rsa_encrypt(public_key: rsa.RSAPublicKey, key_spec: str, algorithm: str, plaintext: bytes) -> bytes:
    limit = max_plaintext(key_spec, algorithm)
    if len(plaintext) > limit:
        raise validation(f"Plaintext length {len(plaintext)} exceeds the maximum of {limit} bytes for key spec "
                         f"{key_spec} with algorithm {algorithm}.")
    return public_key.encrypt(plaintext, _oaep(algorithm))


def rsa_decrypt(private_key: rsa.RSAPrivateKey, algorithm: str, ciphertext: bytes) -> bytes:
    """The plaintext; InvalidCiphertextException for anything OAEP refuses (another key, another
    algorithm, a changed byte, a wrong length)."""
    try:
        return private_key.decrypt(ciphertext, _oaep(algorithm))
    except ValueError:
        raise invalid_ciphertext() from None


def public_key_der(private_key) -> bytes:
    """The DER SubjectPublicKeyInfo (RFC 5280) of a key pair, as GetPublicKey returns it."""
    return private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)


def private_key_der(private_key) -> bytes:
    """The unencrypted PKCS #8 DER of a private key, as GenerateDataKeyPair returns it."""
    return private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def generate_pair(key_pair_spec: str):
    """A fresh private key of an RSA, ECC or Ed25519 data key pair spec."""
    if key_pair_spec in _RSA_BITS:
        return rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS[key_pair_spec])
    if key_pair_spec == "ECC_NIST_EDWARDS25519":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(_CURVES[key_pair_spec]())


def supports_pair(key_pair_spec: str) -> bool:
    """Every pair spec but SM2, which AWS offers only in its China Regions."""
    return key_pair_spec in _RSA_BITS or key_pair_spec in _CURVES or key_pair_spec == "ECC_NIST_EDWARDS25519"
