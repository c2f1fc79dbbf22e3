"""What each key spec is: the usages AWS allows it, the algorithms DescribeKey lists for each
usage, and how its material is made with ``cryptography``.

Material is bytes: the raw key of SYMMETRIC_DEFAULT (AES-256) and HMAC keys, the PKCS#8 DER of
asymmetric private keys (``load_private`` turns it back into a key object).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, rsa

RSA_SIGNING = (
    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
)
RSA_ENCRYPTION = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")


@dataclass(frozen=True)
class SpecInfo:
    name: str
    # usage -> (DescribeKey member naming the algorithms, the algorithms)
    usages: dict = field(default_factory=dict)
    kind: str = "symmetric"  # symmetric | hmac | rsa | ec | ed25519 | mldsa
    size: int = 0  # key bits (RSA modulus, HMAC key)
    curve: object = None

    @property
    def asymmetric(self) -> bool:
        return self.kind not in ("symmetric", "hmac")


def _rsa(bits: int) -> SpecInfo:
    return SpecInfo(f"RSA_{bits}", {"ENCRYPT_DECRYPT": ("EncryptionAlgorithms", RSA_ENCRYPTION),
                                    "SIGN_VERIFY": ("SigningAlgorithms", RSA_SIGNING)}, "rsa", bits)


def _nist(name: str, curve, digest: str) -> SpecInfo:
    return SpecInfo(name, {"SIGN_VERIFY": ("SigningAlgorithms", (f"ECDSA_SHA_{digest}",)),
                           "KEY_AGREEMENT": ("KeyAgreementAlgorithms", ("ECDH",))}, "ec", curve=curve)


def _hmac(bits: int) -> SpecInfo:
    return SpecInfo(f"HMAC_{bits}", {"GENERATE_VERIFY_MAC": ("MacAlgorithms", (f"HMAC_SHA_{bits}",))}, "hmac", bits)


def _mldsa(level: int, cls) -> SpecInfo:
    return SpecInfo(f"ML_DSA_{level}", {"SIGN_VERIFY": ("SigningAlgorithms", ("ML_DSA_SHAKE_256",))}, "mldsa", curve=cls)


SPECS: dict[str, SpecInfo] = {info.name: info for info in (
    SpecInfo("SYMMETRIC_DEFAULT", {"ENCRYPT_DECRYPT": ("EncryptionAlgorithms", ("SYMMETRIC_DEFAULT",))}, "symmetric", 256),
    _rsa(2048), _rsa(3072), _rsa(4096),
    _nist("ECC_NIST_P256", ec.SECP256R1, "256"),
    _nist("ECC_NIST_P384", ec.SECP384R1, "384"),
    _nist("ECC_NIST_P521", ec.SECP521R1, "512"),
    SpecInfo("ECC_SECG_P256K1", {"SIGN_VERIFY": ("SigningAlgorithms", ("ECDSA_SHA_256",))}, "ec", curve=ec.SECP256K1),
    SpecInfo("ECC_NIST_EDWARDS25519",
             {"SIGN_VERIFY": ("SigningAlgorithms", ("ED25519_SHA_512", "ED25519_PH_SHA_512"))}, "ed25519"),
    _hmac(224), _hmac(256), _hmac(384), _hmac(512),
    _mldsa(44, mldsa.MLDSA44PrivateKey), _mldsa(65, mldsa.MLDSA65PrivateKey), _mldsa(87, mldsa.MLDSA87PrivateKey),
)}
# SM2 is offered only in AWS's China regions (aws-cn partition).
CHINA_ONLY_SPECS = {"SM2"}
ALL_USAGES = ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT")
ALGORITHM_MEMBERS = ("EncryptionAlgorithms", "SigningAlgorithms", "KeyAgreementAlgorithms", "MacAlgorithms")


def generate_material(spec: str) -> bytes:
    """Fresh key material for ``spec`` (raw bytes for symmetric/HMAC, PKCS#8 DER otherwise)."""
    info = SPECS[spec]
    if info.kind == "symmetric":
        return os.urandom(32)
    if info.kind == "hmac":
        return os.urandom(info.size // 8)
    if info.kind == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=info.size)
    elif info.kind == "ec":
        key = ec.generate_private_key(info.curve())
    elif info.kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        key = info.curve.generate()
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_private(material: bytes):
    """The private key object of asymmetric material (PKCS#8 DER)."""
    return serialization.load_der_private_key(material, password=None)
