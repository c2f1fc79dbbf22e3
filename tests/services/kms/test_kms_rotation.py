"""KMS key rotation through a real server: Enable/Disable/GetKeyRotationStatus with
RotationPeriodInDays, automatic rotation on the cloud clock, RotateKeyOnDemand,
ListKeyRotations, and ciphertexts made before a rotation still decrypting."""

from __future__ import annotations

import pytest
from botocore.config import Config
from kms_helpers import advance_clock, error_of

DAY = 86400


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


@pytest.fixture
def key_id(kms):
    return kms.create_key()["KeyMetadata"]["KeyId"]


def test_rotation_status_and_period(kms, key_id):
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    assert status["KeyId"] == key_id and "NextRotationDate" in status
    kms.disable_key_rotation(KeyId=key_id)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is False and "RotationPeriodInDays" not in status


def test_default_period_and_range(kms, key_id, aws_client):
    kms.enable_key_rotation(KeyId=key_id)
    assert kms.get_key_rotation_status(KeyId=key_id)["RotationPeriodInDays"] == 365
    unchecked = aws_client("kms", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    for bad in (89, 2561):
        code, message, _ = error_of(unchecked.enable_key_rotation, KeyId=key_id, RotationPeriodInDays=bad)
        assert code == "ValidationException" and "rotationPeriodInDays" in message


def test_only_symmetric_keys_rotate(kms):
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert error_of(kms.enable_key_rotation, KeyId=rsa)[0] == "UnsupportedOperationException"
    assert error_of(kms.rotate_key_on_demand, KeyId=rsa)[0] == "UnsupportedOperationException"
    # GetKeyRotationStatus answers for every key: asymmetric and HMAC keys never rotate.
    assert kms.get_key_rotation_status(KeyId=rsa)["KeyRotationEnabled"] is False


def test_disabled_key_refuses_rotation_changes(kms, key_id):
    kms.disable_key(KeyId=key_id)
    code, message, _ = error_of(kms.enable_key_rotation, KeyId=key_id)
    assert code == "DisabledException" and message.endswith("is disabled.")


def test_automatic_rotation_on_the_clock_keeps_old_ciphertexts(kms, key_id, server):
    old = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    material = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    advance_clock(server, 89 * DAY)
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    advance_clock(server, 2 * DAY)
    [rotation] = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert rotation["RotationType"] == "AUTOMATIC" and rotation["KeyId"] == key_id
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"] != material
    new = kms.encrypt(KeyId=key_id, Plaintext=b"after")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"before"
    assert kms.decrypt(CiphertextBlob=new)["Plaintext"] == b"after"
    # The next rotation is one period later.
    advance_clock(server, 90 * DAY)
    assert len(kms.list_key_rotations(KeyId=key_id)["Rotations"]) == 2


def test_disabled_key_rotates_when_enabled_again(kms, key_id, server):
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.disable_key(KeyId=key_id)
    advance_clock(server, 91 * DAY)
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []
    kms.enable_key(KeyId=key_id)
    assert len(kms.list_key_rotations(KeyId=key_id)["Rotations"]) == 1


def test_rotate_on_demand(kms, key_id):
    old = kms.encrypt(KeyId=key_id, Plaintext=b"v1")["CiphertextBlob"]
    assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == key_id
    [rotation] = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert rotation["RotationType"] == "ON_DEMAND" and "RotationDate" in rotation
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"v1"
    everything = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [r["KeyMaterialState"] for r in everything] == ["NON_CURRENT", "CURRENT"]
    assert everything[1]["KeyMaterialId"] == kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]


def test_on_demand_limit(kms, key_id):
    for _ in range(25):
        kms.rotate_key_on_demand(KeyId=key_id)
    assert error_of(kms.rotate_key_on_demand, KeyId=key_id)[0] == "LimitExceededException"
    page = kms.list_key_rotations(KeyId=key_id, Limit=10)
    assert page["Truncated"] and len(page["Rotations"]) == 10


def test_rotation_disabled_stops_the_clock(kms, key_id, server):
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    kms.disable_key_rotation(KeyId=key_id)
    advance_clock(server, 100 * DAY)
    assert kms.list_key_rotations(KeyId=key_id)["Rotations"] == []


def test_cli_rotation(aws_cli):
    key_id = aws_cli("kms", "create-key")["KeyMetadata"]["KeyId"]
    aws_cli("kms", "enable-key-rotation", "--key-id", key_id, "--rotation-period-in-days", "180")
    assert aws_cli("kms", "get-key-rotation-status", "--key-id", key_id)["RotationPeriodInDays"] == 180
