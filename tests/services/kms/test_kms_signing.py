"""KMS Sign, Verify and GetPublicKey through a real server: every signing algorithm of every
signing key spec, RAW and DIGEST messages, signatures that verify with ``cryptography`` against
GetPublicKey's key (known answers), and AWS's errors."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from kms_helpers import error_of

MESSAGE = b"the message to sign"
HASHES = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}
RSA_ALGORITHMS = ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
                  "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"]
ECC = [("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_P384", "ECDSA_SHA_384"), ("ECC_NIST_P521", "ECDSA_SHA_512"),
       ("ECC_SECG_P256K1", "ECDSA_SHA_256")]


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


def _signing_key(kms, spec):
    return kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]


def _public(kms, key):
    return serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])


def _verify_locally(public, algorithm, message, signature, prehashed=False):
    digest = HASHES[algorithm[-7:]]()
    hashing = utils.Prehashed(digest) if prehashed else digest
    if algorithm.startswith("RSASSA_PSS_"):
        public.verify(signature, message, padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size),
                      hashing)
    elif algorithm.startswith("RSASSA_PKCS1"):
        public.verify(signature, message, padding.PKCS1v15(), hashing)
    else:
        public.verify(signature, message, ec.ECDSA(hashing))


@pytest.mark.parametrize("algorithm", RSA_ALGORITHMS)
def test_rsa_signature_verifies_with_the_public_key(kms, algorithm):
    key = _signing_key(kms, "RSA_2048")
    out = kms.sign(KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm=algorithm)
    assert out["KeyId"] == key["Arn"] and out["SigningAlgorithm"] == algorithm
    assert len(out["Signature"]) == 256
    _verify_locally(_public(kms, key), algorithm, MESSAGE, out["Signature"])
    verified = kms.verify(KeyId=key["KeyId"], Message=MESSAGE, Signature=out["Signature"], SigningAlgorithm=algorithm)
    assert verified["SignatureValid"] is True and verified["KeyId"] == key["Arn"]


@pytest.mark.parametrize("spec,algorithm", ECC)
def test_ecdsa_signature_verifies_with_the_public_key(kms, spec, algorithm):
    key = _signing_key(kms, spec)
    signature = kms.sign(KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm=algorithm)["Signature"]
    _verify_locally(_public(kms, key), algorithm, MESSAGE, signature)
    assert kms.verify(KeyId=key["KeyId"], Message=MESSAGE, Signature=signature,
                      SigningAlgorithm=algorithm)["SignatureValid"] is True


@pytest.mark.parametrize("spec,algorithm", [("RSA_3072", "RSASSA_PSS_SHA_384"), ("ECC_NIST_P384", "ECDSA_SHA_384")])
def test_digest_message_type_signs_the_digest(kms, spec, algorithm):
    key = _signing_key(kms, spec)
    digest = hashlib.sha384(MESSAGE).digest()
    signature = kms.sign(KeyId=key["KeyId"], Message=digest, MessageType="DIGEST",
                         SigningAlgorithm=algorithm)["Signature"]
    _verify_locally(_public(kms, key), algorithm, MESSAGE, signature)
    _verify_locally(_public(kms, key), algorithm, digest, signature, prehashed=True)
    # The message type at Verify need not be the one used to sign.
    assert kms.verify(KeyId=key["KeyId"], Message=MESSAGE, MessageType="RAW", Signature=signature,
                      SigningAlgorithm=algorithm)["SignatureValid"] is True


def test_pkcs1_signatures_are_deterministic(kms):
    key = _signing_key(kms, "RSA_2048")
    first = kms.sign(KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["Signature"]
    digest = hashlib.sha256(MESSAGE).digest()
    second = kms.sign(KeyId=key["KeyId"], Message=digest, MessageType="DIGEST",
                      SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["Signature"]
    assert first == second


def test_digest_of_the_wrong_length_is_a_validation_error(kms):
    key = _signing_key(kms, "ECC_NIST_P256")
    code, message, status = error_of(kms.sign, KeyId=key["KeyId"], Message=b"x" * 20, MessageType="DIGEST",
                                     SigningAlgorithm="ECDSA_SHA_256")
    assert (code, message, status) == ("ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256.",
                                       400)


def test_bad_signature_is_kms_invalid_signature(kms):
    key = _signing_key(kms, "ECC_NIST_P256")
    signature = kms.sign(KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    code, _, status = error_of(kms.verify, KeyId=key["KeyId"], Message=MESSAGE + b"!", Signature=signature,
                               SigningAlgorithm="ECDSA_SHA_256")
    assert (code, status) == ("KMSInvalidSignatureException", 400)
    garbage = error_of(kms.verify, KeyId=key["KeyId"], Message=MESSAGE, Signature=b"\x00" * 8,
                       SigningAlgorithm="ECDSA_SHA_256")
    assert garbage[0] == "KMSInvalidSignatureException"


def test_signature_of_another_key_does_not_verify(kms):
    first, second = _signing_key(kms, "RSA_2048"), _signing_key(kms, "RSA_2048")
    signature = kms.sign(KeyId=first["KeyId"], Message=MESSAGE, SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    assert error_of(kms.verify, KeyId=second["KeyId"], Message=MESSAGE, Signature=signature,
                    SigningAlgorithm="RSASSA_PSS_SHA_256")[0] == "KMSInvalidSignatureException"


def test_algorithm_of_another_spec_is_invalid_key_usage(kms):
    key = _signing_key(kms, "ECC_NIST_P256")
    code, message, _ = error_of(kms.sign, KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_384")
    assert (code, message) == ("InvalidKeyUsageException",
                               "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.")


def test_encryption_key_cannot_sign(kms):
    key = kms.create_key()["KeyMetadata"]
    code, message, _ = error_of(kms.sign, KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="ECDSA_SHA_256")
    assert (code, message) == ("InvalidKeyUsageException",
                               f"{key['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for Sign.")


def test_message_limit_is_4096_bytes(kms, endpoint):
    from botocore.config import Config
    from aws_clients import make_client

    key = _signing_key(kms, "ECC_NIST_P256")
    assert kms.sign(KeyId=key["KeyId"], Message=b"m" * 4096, SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    raw = make_client(endpoint, "kms", config=Config(parameter_validation=False))
    code, message, _ = error_of(raw.sign, KeyId=key["KeyId"], Message=b"m" * 4097, SigningAlgorithm="ECDSA_SHA_256")
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value at 'message' failed to satisfy constraint: "
                       "Member must have length less than or equal to 4096")


def test_unknown_signing_algorithm_fails_the_enum(endpoint, kms):
    from botocore.config import Config
    from aws_clients import make_client

    key = _signing_key(kms, "ECC_NIST_P256")
    raw = make_client(endpoint, "kms", config=Config(parameter_validation=False))
    code, message, _ = error_of(raw.sign, KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="MD5")
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value 'MD5' at 'signingAlgorithm' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [RSASSA_PSS_SHA_256,")


def test_ml_dsa_signs_and_verifies(kms):
    key = _signing_key(kms, "ML_DSA_44")
    signature = kms.sign(KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"]
    _public(kms, key).verify(signature, MESSAGE)
    assert kms.verify(KeyId=key["KeyId"], Message=MESSAGE, Signature=signature,
                      SigningAlgorithm="ML_DSA_SHAKE_256")["SignatureValid"] is True


def test_ed25519_signs_raw_messages(kms):
    key = _signing_key(kms, "ECC_NIST_EDWARDS25519")
    signature = kms.sign(KeyId=key["KeyId"], Message=MESSAGE, SigningAlgorithm="ED25519_SHA_512")["Signature"]
    _public(kms, key).verify(signature, MESSAGE)


def test_get_public_key_answers_as_aws(kms):
    key = _signing_key(kms, "RSA_2048")
    out = kms.get_public_key(KeyId=key["KeyId"])
    assert out["KeyId"] == key["Arn"] and out["KeySpec"] == out["CustomerMasterKeySpec"] == "RSA_2048"
    assert out["KeyUsage"] == "SIGN_VERIFY"
    assert out["SigningAlgorithms"] == key["SigningAlgorithms"]
    assert "EncryptionAlgorithms" not in out
    assert serialization.load_der_public_key(out["PublicKey"]).key_size == 2048
    encrypting = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    out = kms.get_public_key(KeyId=encrypting["KeyId"])
    assert out["EncryptionAlgorithms"] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] and "SigningAlgorithms" not in out
    agreeing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    assert kms.get_public_key(KeyId=agreeing["KeyId"])["KeyAgreementAlgorithms"] == ["ECDH"]


def test_get_public_key_of_a_symmetric_key_is_unsupported(kms):
    key = kms.create_key()["KeyMetadata"]
    assert error_of(kms.get_public_key, KeyId=key["KeyId"])[0] == "UnsupportedOperationException"


def test_get_public_key_of_a_disabled_key_is_refused(kms):
    key = _signing_key(kms, "ECC_NIST_P256")
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(kms.get_public_key, KeyId=key["KeyId"])[0] == "DisabledException"
    assert error_of(kms.verify, KeyId=key["KeyId"], Message=MESSAGE, Signature=b"s",
                    SigningAlgorithm="ECDSA_SHA_256")[0] == "DisabledException"


def test_ml_dsa_message_types(kms):
    key = _signing_key(kms, "ML_DSA_65")
    code, message, _ = error_of(kms.sign, KeyId=key["KeyId"], Message=b"d" * 64, MessageType="DIGEST",
                                SigningAlgorithm="ML_DSA_SHAKE_256")
    assert (code, message) == ("ValidationException",
                               "MessageType DIGEST is not supported for signing algorithm ML_DSA_SHAKE_256.")
    assert error_of(kms.sign, KeyId=key["KeyId"], Message=b"m" * 64, MessageType="EXTERNAL_MU",
                    SigningAlgorithm="ML_DSA_SHAKE_256")[0] == "UnsupportedOperationException"


def test_external_mu_is_for_ml_dsa_only(kms):
    key = _signing_key(kms, "ECC_NIST_P256")
    assert error_of(kms.sign, KeyId=key["KeyId"], Message=b"m" * 64, MessageType="EXTERNAL_MU",
                    SigningAlgorithm="ECDSA_SHA_256")[0] == "ValidationException"


def test_aws_cli_signs_and_verifies(aws_cli, kms, tmp_path):
    key = _signing_key(kms, "ECC_NIST_P256")
    (tmp_path / "message.bin").write_bytes(MESSAGE)
    signed = aws_cli("kms", "sign", "--key-id", key["KeyId"], "--message", f"fileb://{tmp_path / 'message.bin'}",
                     "--signing-algorithm", "ECDSA_SHA_256")
    signature = base64.b64decode(signed["Signature"])
    _verify_locally(_public(kms, key), "ECDSA_SHA_256", MESSAGE, signature)
    (tmp_path / "signature.bin").write_bytes(signature)
    verified = aws_cli("kms", "verify", "--key-id", key["KeyId"], "--message", f"fileb://{tmp_path / 'message.bin'}",
                       "--signature", f"fileb://{tmp_path / 'signature.bin'}", "--signing-algorithm", "ECDSA_SHA_256")
    assert verified["SignatureValid"] is True
