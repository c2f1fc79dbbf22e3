"""KMS GenerateDataKey(WithoutPlaintext), GenerateDataKeyPair(WithoutPlaintext), GenerateRandom
and DeriveSharedSecret through a real server: sizes, the blobs decrypting to the returned
plaintext, private keys that match their public keys, ECDH agreeing with a local peer, and
AWS's errors."""

from __future__ import annotations

import pytest
from botocore.config import Config
from aws_clients import make_client
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from kms_helpers import error_of


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


@pytest.fixture
def unchecked(endpoint):
    """A client that lets the server judge the parameters (as a raw HTTP caller would)."""
    return make_client(endpoint, "kms", config=Config(parameter_validation=False))


@pytest.fixture
def key(kms):
    return kms.create_key()["KeyMetadata"]


@pytest.mark.parametrize("spec,size", [("AES_256", 32), ("AES_128", 16)])
def test_data_key_by_spec(kms, key, spec, size):
    out = kms.generate_data_key(KeyId=key["KeyId"], KeySpec=spec, EncryptionContext={"k": "v"})
    assert len(out["Plaintext"]) == size and out["KeyId"] == key["Arn"]
    assert out["KeyMaterialId"] == kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"k": "v"})
    assert back["Plaintext"] == out["Plaintext"]


@pytest.mark.parametrize("count", [1, 64, 1024])
def test_data_key_by_number_of_bytes(kms, key, count):
    out = kms.generate_data_key(KeyId=key["KeyId"], NumberOfBytes=count)
    assert len(out["Plaintext"]) == count
    assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"])["Plaintext"] == out["Plaintext"]


def test_data_keys_differ(kms, key):
    first = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"]
    assert kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"] != first


def test_data_key_without_plaintext_decrypts_later(kms, key):
    out = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], KeySpec="AES_256")
    assert "Plaintext" not in out and out["KeyId"] == key["Arn"]
    assert len(kms.decrypt(CiphertextBlob=out["CiphertextBlob"])["Plaintext"]) == 32


@pytest.mark.parametrize("operation", ["generate_data_key", "generate_data_key_without_plaintext"])
def test_exactly_one_of_key_spec_and_number_of_bytes(kms, key, operation):
    call = getattr(kms, operation)
    for extra in ({}, {"KeySpec": "AES_256", "NumberOfBytes": 32}):
        code, message, status = error_of(call, KeyId=key["KeyId"], **extra)
        assert (code, message, status) == ("ValidationException", "Please specify either number of bytes or key spec.",
                                           400)


def test_number_of_bytes_range(unchecked, key):
    for count, constraint in ((0, "greater than or equal to 1"), (1025, "less than or equal to 1024")):
        code, message, _ = error_of(unchecked.generate_data_key, KeyId=key["KeyId"], NumberOfBytes=count)
        assert code == "ValidationException"
        assert message == (f"1 validation error detected: Value '{count}' at 'numberOfBytes' failed to satisfy "
                           f"constraint: Member must have value {constraint}")


def test_data_key_under_an_asymmetric_key_is_refused(kms):
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    code, message, _ = error_of(kms.generate_data_key, KeyId=rsa_key["KeyId"], KeySpec="AES_256")
    assert (code, message) == ("InvalidKeyUsageException",
                               "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.")


@pytest.mark.parametrize("spec", ["RSA_2048", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
                                  "ECC_NIST_EDWARDS25519"])
def test_data_key_pair(kms, key, spec):
    out = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec=spec, EncryptionContext={"pair": spec})
    assert out["KeyPairSpec"] == spec and out["KeyId"] == key["Arn"]
    private = serialization.load_der_private_key(out["PrivateKeyPlaintext"], password=None)
    public_der = private.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    assert public_der == out["PublicKey"]
    back = kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"], EncryptionContext={"pair": spec})
    assert back["Plaintext"] == out["PrivateKeyPlaintext"]


def test_data_key_pair_without_plaintext(kms, key):
    out = kms.generate_data_key_pair_without_plaintext(KeyId=key["KeyId"], KeyPairSpec="RSA_2048")
    assert "PrivateKeyPlaintext" not in out
    private = serialization.load_der_private_key(kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"])["Plaintext"],
                                                 password=None)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    public = serialization.load_der_public_key(out["PublicKey"])
    assert private.decrypt(public.encrypt(b"pair works", oaep), oaep) == b"pair works"


def test_sm2_pairs_are_china_only(kms, key):
    assert error_of(kms.generate_data_key_pair, KeyId=key["KeyId"], KeyPairSpec="SM2")[:2] == (
        "ValidationException", "KeyPairSpec SM2 is not supported in this region.")


def test_generate_random(kms):
    first = kms.generate_random(NumberOfBytes=1024)["Plaintext"]
    assert len(first) == 1024 and first != kms.generate_random(NumberOfBytes=1024)["Plaintext"]
    assert len(kms.generate_random(NumberOfBytes=1)["Plaintext"]) == 1


def test_generate_random_range(unchecked):
    code, message, _ = error_of(unchecked.generate_random, NumberOfBytes=1025)
    assert (code, message) == ("ValidationException", "1 validation error detected: Value '1025' at 'numberOfBytes' "
                                                      "failed to satisfy constraint: Member must have value less than "
                                                      "or equal to 1024")


def test_generate_random_in_a_custom_key_store_that_does_not_exist(kms):
    assert error_of(kms.generate_random, NumberOfBytes=8,
                    CustomKeyStoreId="cks-1234567890abcdef0")[0] == "CustomKeyStoreNotFoundException"


@pytest.mark.parametrize("spec,curve", [("ECC_NIST_P256", ec.SECP256R1), ("ECC_NIST_P384", ec.SECP384R1),
                                        ("ECC_NIST_P521", ec.SECP521R1)])
def test_derive_shared_secret_agrees_with_the_peer(kms, spec, curve):
    key = kms.create_key(KeySpec=spec, KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    peer = ec.generate_private_key(curve())
    peer_public = peer.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    out = kms.derive_shared_secret(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer_public)
    kms_public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    assert out["SharedSecret"] == peer.exchange(ec.ECDH(), kms_public)
    assert out["KeyId"] == key["Arn"] and out["KeyAgreementAlgorithm"] == "ECDH" and out["KeyOrigin"] == "AWS_KMS"


def test_derive_shared_secret_refuses_a_peer_on_another_curve(kms):
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    peer = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert error_of(kms.derive_shared_secret, KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH",
                    PublicKey=peer)[0] == "ValidationException"
    assert error_of(kms.derive_shared_secret, KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH",
                    PublicKey=b"not der")[0] == "ValidationException"


def test_derive_shared_secret_needs_a_key_agreement_key(kms):
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    code, message, _ = error_of(kms.derive_shared_secret, KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH",
                                PublicKey=b"x")
    assert (code, message) == ("InvalidKeyUsageException",
                               f"{key['Arn']} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.")
