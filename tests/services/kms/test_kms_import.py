"""Imported key material through a real server: Origin EXTERNAL keys wait in PendingImport,
GetParametersForImport hands out an RSA wrapping key, ImportKeyMaterial unwraps for real
(RSAES_OAEP and RSA_AES_KEY_WRAP), ValidTo expiry on the cloud clock, DeleteImportedKeyMaterial,
re-import of the same material only."""

from __future__ import annotations

import datetime
import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
from kms_helpers import advance_clock, cloud_now, error_of

DAY = 86400


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


def wrap(params: dict, material: bytes, algorithm: str) -> bytes:
    public = serialization.load_der_public_key(params["PublicKey"])
    digest = hashes.SHA256() if algorithm.endswith("SHA_256") else hashes.SHA1()
    oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, oaep)
    aes_key = os.urandom(32)
    return public.encrypt(aes_key, oaep) + aes_key_wrap_with_padding(aes_key, material)


def import_material(kms, key_id: str, material: bytes, algorithm="RSAES_OAEP_SHA_256", **extra):
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_2048")
    return kms.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                   EncryptedKeyMaterial=wrap(params, material, algorithm), **extra)


def never_expires():
    return {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}


def test_external_key_waits_for_material(kms):
    meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    assert (meta["Origin"], meta["KeyState"], meta["Enabled"]) == ("EXTERNAL", "PendingImport", False)
    assert error_of(kms.encrypt, KeyId=meta["KeyId"], Plaintext=b"x") == (
        "KMSInvalidStateException", f"{meta['Arn']} is pending import.", 400)
    assert error_of(kms.enable_key, KeyId=meta["KeyId"])[0] == "KMSInvalidStateException"


def test_import_symmetric_material_and_use_it(kms):
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    assert params["KeyId"].endswith(key_id)
    public = serialization.load_der_public_key(params["PublicKey"])
    assert public.key_size == 2048
    material = os.urandom(32)
    out = kms.import_key_material(KeyId=key_id, ImportToken=params["ImportToken"],
                                  EncryptedKeyMaterial=wrap(params, material, "RSAES_OAEP_SHA_256"),
                                  **never_expires())
    assert len(out["KeyMaterialId"]) == 64
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Enabled" and meta["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"imported")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"


def test_key_wrap_algorithm_for_asymmetric_material(kms):
    key_id = kms.create_key(Origin="EXTERNAL", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    import_material(kms, key_id, der, "RSA_AES_KEY_WRAP_SHA_256", **never_expires())
    public = kms.get_public_key(KeyId=key_id)["PublicKey"]
    assert public == private.public_key().public_bytes(serialization.Encoding.DER,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)


def test_rsa_material_needs_the_two_step_wrap(kms):
    key_id = kms.create_key(Origin="EXTERNAL", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert error_of(kms.get_parameters_for_import, KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                    WrappingKeySpec="RSA_4096")[0] == "ValidationException"
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    import_material(kms, key_id, der, "RSA_AES_KEY_WRAP_SHA_1", **never_expires())
    signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    private.public_key().verify(signature, b"m", padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                             salt_length=padding.PSS.DIGEST_LENGTH),
                                hashes.SHA256())


def test_wrong_material_and_tokens(kms):
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    other = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_1",
                                           WrappingKeySpec="RSA_3072")
    short = wrap(params, os.urandom(16), "RSAES_OAEP_SHA_1")
    assert error_of(kms.import_key_material, KeyId=key_id, ImportToken=params["ImportToken"],
                    EncryptedKeyMaterial=short, **never_expires())[0] == "IncorrectKeyMaterialException"
    assert error_of(kms.import_key_material, KeyId=key_id, ImportToken=params["ImportToken"],
                    EncryptedKeyMaterial=b"\x01" * 384, **never_expires())[0] == "IncorrectKeyMaterialException"
    good = wrap(params, os.urandom(32), "RSAES_OAEP_SHA_1")
    assert error_of(kms.import_key_material, KeyId=other, ImportToken=params["ImportToken"],
                    EncryptedKeyMaterial=good, **never_expires())[0] == "InvalidImportTokenException"
    assert error_of(kms.import_key_material, KeyId=key_id, ImportToken=b"nonsense",
                    EncryptedKeyMaterial=good, **never_expires())[0] == "InvalidImportTokenException"


def test_expired_token(kms, server):
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                           WrappingKeySpec="RSA_2048")
    advance_clock(server, DAY + 1)
    assert error_of(kms.import_key_material, KeyId=key_id, ImportToken=params["ImportToken"],
                    EncryptedKeyMaterial=wrap(params, os.urandom(32), "RSAES_OAEP_SHA_256"),
                    **never_expires())[0] == "ExpiredImportTokenException"


def test_only_external_keys_take_material(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, message, _ = error_of(kms.get_parameters_for_import, KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                WrappingKeySpec="RSA_2048")
    assert code == "UnsupportedOperationException" and "AWS_KMS" in message


def test_valid_to_expiry_on_the_clock_and_reimport(kms, server):
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    material = os.urandom(32)
    now = datetime.datetime.fromtimestamp(cloud_now(server), tz=datetime.timezone.utc)
    import_material(kms, key_id, material, ValidTo=now + datetime.timedelta(days=2),
                    ExpirationModel="KEY_MATERIAL_EXPIRES")
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"short-lived")["CiphertextBlob"]
    assert "ValidTo" in kms.describe_key(KeyId=key_id)["KeyMetadata"]
    advance_clock(server, 3 * DAY)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    assert error_of(kms.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    # Other material is refused; the same material brings the key (and its ciphertexts) back.
    assert error_of(import_material, kms, key_id, os.urandom(32), **never_expires())[0] == \
        "IncorrectKeyMaterialException"
    import_material(kms, key_id, material, **never_expires())
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"short-lived"


def test_valid_to_is_required_by_default(kms):
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    assert error_of(import_material, kms, key_id, os.urandom(32))[0] == "ValidationException"


def test_delete_imported_material(kms):
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    material = os.urandom(32)
    material_id = import_material(kms, key_id, material, **never_expires())["KeyMaterialId"]
    out = kms.delete_imported_key_material(KeyId=key_id)
    assert out["KeyMaterialId"] == material_id and out["KeyId"].endswith(key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
    assert import_material(kms, key_id, material, **never_expires())["KeyMaterialId"] == material_id


def test_new_material_waits_for_on_demand_rotation(kms):
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(kms, key_id, os.urandom(32), **never_expires())
    old = kms.encrypt(KeyId=key_id, Plaintext=b"first")["CiphertextBlob"]
    assert error_of(kms.rotate_key_on_demand, KeyId=key_id)[0] == "UnsupportedOperationException"
    new_id = import_material(kms, key_id, os.urandom(32), ImportType="NEW_KEY_MATERIAL",
                             **never_expires())["KeyMaterialId"]
    states = [r["KeyMaterialState"] for r in kms.list_key_rotations(
        KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]]
    assert states == ["CURRENT", "PENDING_ROTATION"]
    kms.rotate_key_on_demand(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] == new_id
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"first"


def test_automatic_rotation_is_not_for_imported_material(kms):
    meta = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    expected = ("UnsupportedOperationException",
                f"{meta['Arn']} origin is EXTERNAL which is not valid for this operation.", 400)
    assert error_of(kms.enable_key_rotation, KeyId=meta["KeyId"]) == expected
    assert error_of(kms.disable_key_rotation, KeyId=meta["KeyId"]) == expected


def test_imported_material_can_be_deleted_while_pending_deletion(kms):
    key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
    import_material(kms, key_id, os.urandom(32), **never_expires())
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    kms.delete_imported_key_material(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"
