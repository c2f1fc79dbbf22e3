"""KMS key lifecycle through a real server: CreateKey (every key spec and usage AWS allows),
DescribeKey by id, ARN, alias name and alias ARN, ListKeys pages, Enable/DisableKey,
UpdateKeyDescription, ScheduleKeyDeletion and CancelKeyDeletion on the cloud clock."""

from __future__ import annotations

import json
import os
import sys

import pytest
from kms_helpers import advance_clock, error_of

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))
from signed_http import send, sign  # noqa: E402

DAY = 86400

SPEC_USAGES = [
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "EncryptionAlgorithms", ["SYMMETRIC_DEFAULT"]),
    ("RSA_2048", "ENCRYPT_DECRYPT", "EncryptionAlgorithms", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
    ("RSA_3072", "SIGN_VERIFY", "SigningAlgorithms",
     ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
      "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"]),
    ("RSA_4096", "ENCRYPT_DECRYPT", "EncryptionAlgorithms", ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
    ("ECC_NIST_P256", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P384", "KEY_AGREEMENT", "KeyAgreementAlgorithms", ["ECDH"]),
    ("ECC_NIST_P521", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_512"]),
    ("ECC_SECG_P256K1", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", "SigningAlgorithms", ["ED25519_SHA_512", "ED25519_PH_SHA_512"]),
    ("HMAC_224", "GENERATE_VERIFY_MAC", "MacAlgorithms", ["HMAC_SHA_224"]),
    ("HMAC_512", "GENERATE_VERIFY_MAC", "MacAlgorithms", ["HMAC_SHA_512"]),
    ("ML_DSA_65", "SIGN_VERIFY", "SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
]


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


def test_create_default_key_has_aws_shape(kms):
    meta = kms.create_key(Description="first")["KeyMetadata"]
    assert meta["AWSAccountId"] == "000000000000"
    assert meta["Arn"] == f"arn:aws:kms:us-east-1:000000000000:key/{meta['KeyId']}"
    assert meta["Enabled"] is True and meta["KeyState"] == "Enabled"
    assert meta["KeyUsage"] == "ENCRYPT_DECRYPT" and meta["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert meta["CustomerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert meta["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert meta["Origin"] == "AWS_KMS" and meta["KeyManager"] == "CUSTOMER"
    assert meta["MultiRegion"] is False and meta["Description"] == "first"
    assert len(meta["CurrentKeyMaterialId"]) == 64
    assert "DeletionDate" not in meta and "MultiRegionConfiguration" not in meta


@pytest.mark.parametrize("spec,usage,member,algorithms", SPEC_USAGES)
def test_create_key_of_every_spec(kms, spec, usage, member, algorithms):
    meta = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    assert (meta["KeySpec"], meta["KeyUsage"], meta[member]) == (spec, usage, algorithms)
    described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
    assert described[member] == algorithms
    # The deprecated CustomerMasterKeySpec is there only for the specs its enum still lists.
    assert ("CustomerMasterKeySpec" in meta) == (not spec.startswith(("ML_DSA", "ECC_NIST_EDWARDS")))


@pytest.mark.parametrize("spec,usage", [("SYMMETRIC_DEFAULT", "SIGN_VERIFY"), ("HMAC_256", "ENCRYPT_DECRYPT"),
                                        ("ECC_SECG_P256K1", "KEY_AGREEMENT"), ("RSA_2048", "GENERATE_VERIFY_MAC")])
def test_incompatible_usage_is_refused(kms, spec, usage):
    code, message, status = error_of(kms.create_key, KeySpec=spec, KeyUsage=usage)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(f"The operation failed because the KeyUsage value of the CMK is {usage}. ")


def test_incompatible_usage_text(kms):
    assert error_of(kms.create_key, KeyUsage="SIGN_VERIFY") == (
        "ValidationException", "The operation failed because the KeyUsage value of the CMK is SIGN_VERIFY. To perform "
        "this operation, the KeyUsage value must be ENCRYPT_DECRYPT.", 400)


def test_asymmetric_spec_needs_a_usage(kms):
    code, message, _ = error_of(kms.create_key, KeySpec="RSA_2048")
    assert code == "ValidationException"
    assert message == "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."


def test_sm2_is_china_only(kms):
    code, _, _ = error_of(kms.create_key, KeySpec="SM2", KeyUsage="SIGN_VERIFY")
    assert code == "ValidationException"


def test_model_constraints_answer_validation_exception(kms):
    code, message, _ = error_of(kms.create_key, Description="x" * 8193)
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value '") and "at 'description'" in message


def test_describe_by_id_arn_alias_and_alias_arn(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    arn = f"arn:aws:kms:us-east-1:000000000000:key/{key_id}"
    for ref in (key_id, arn, "alias/app", "arn:aws:kms:us-east-1:000000000000:alias/app"):
        assert kms.describe_key(KeyId=ref)["KeyMetadata"]["KeyId"] == key_id


def test_describe_missing_keys(kms):
    missing = "11111111-2222-3333-4444-555555555555"
    assert error_of(kms.describe_key, KeyId=missing) == (
        "NotFoundException", f"Key 'arn:aws:kms:us-east-1:000000000000:key/{missing}' does not exist", 400)
    assert error_of(kms.describe_key, KeyId="alias/nope") == (
        "NotFoundException", "Alias arn:aws:kms:us-east-1:000000000000:alias/nope is not found.", 400)
    assert error_of(kms.describe_key, KeyId="not-a-key")[:2] == ("NotFoundException", "Invalid keyId not-a-key")


def test_keys_are_regional(kms, aws_client):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    other = aws_client("kms", region="eu-west-1")
    assert error_of(other.describe_key, KeyId=key_id)[0] == "NotFoundException"
    assert other.list_keys()["Keys"] == []


def test_list_keys_pages(kms):
    ids = sorted(kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(5))
    seen, marker = [], None
    while True:
        page = kms.list_keys(Limit=2, **({"Marker": marker} if marker else {}))
        seen += [k["KeyId"] for k in page["Keys"]]
        assert all(k["KeyArn"].endswith(k["KeyId"]) for k in page["Keys"])
        if not page["Truncated"]:
            assert "NextMarker" not in page
            break
        marker = page["NextMarker"]
    assert seen == ids
    assert error_of(kms.list_keys, Limit=1001)[0] == "ValidationException"
    for bad in ("%%%", "@@", "====="):
        assert error_of(kms.list_keys, Marker=bad)[0] == "InvalidMarkerException"


def test_disable_and_enable(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (meta["Enabled"], meta["KeyState"]) == (False, "Disabled")
    kms.enable_key(KeyId=key_id)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_update_key_description(kms):
    key_id = kms.create_key(Description="old")["KeyMetadata"]["KeyId"]
    kms.update_key_description(KeyId=key_id, Description="new")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"] == "new"


def test_schedule_deletion_window_and_deletion_on_the_clock(kms, server):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    arn = f"arn:aws:kms:us-east-1:000000000000:key/{key_id}"
    for bad in (6, 31):
        assert error_of(kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=bad) == (
            "ValidationException", "PendingWindowInDays must be between 7 and 30", 400)
    out = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert (out["KeyId"], out["KeyState"], out["PendingWindowInDays"]) == (arn, "PendingDeletion", 7)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion" and meta["Enabled"] is False
    assert meta["DeletionDate"] == out["DeletionDate"] and "PendingDeletionWindowInDays" not in meta
    assert error_of(kms.enable_key, KeyId=key_id) == ("KMSInvalidStateException", f"{arn} is pending deletion.", 400)
    assert error_of(kms.schedule_key_deletion, KeyId=key_id)[:2] == (
        "KMSInvalidStateException", f"{arn} is pending deletion.")
    advance_clock(server, 7 * DAY - 60)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    advance_clock(server, 120)
    assert error_of(kms.describe_key, KeyId=key_id)[0] == "NotFoundException"


def test_default_window_is_thirty_days(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.schedule_key_deletion(KeyId=key_id)["PendingWindowInDays"] == 30


def test_cancel_deletion_leaves_the_key_disabled(kms, server):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    arn = f"arn:aws:kms:us-east-1:000000000000:key/{key_id}"
    assert error_of(kms.cancel_key_deletion, KeyId=key_id)[:2] == (
        "KMSInvalidStateException", f"{arn} is not pending deletion.")
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert kms.cancel_key_deletion(KeyId=key_id)["KeyId"] == arn
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Disabled" and "DeletionDate" not in meta
    advance_clock(server, 8 * DAY)  # the old timer must not delete the key
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"


def test_cli_create_and_describe(aws_cli):
    meta = aws_cli("kms", "create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY")["KeyMetadata"]
    described = aws_cli("kms", "describe-key", "--key-id", meta["Arn"])["KeyMetadata"]
    assert described["SigningAlgorithms"] == ["ECDSA_SHA_256"]


# -- multi-Region keys ---------------------------------------------------------------------------

def test_multi_region_replica_shares_id_and_material(kms, aws_client):
    primary = kms.create_key(MultiRegion=True, Description="primary")["KeyMetadata"]
    assert primary["KeyId"].startswith("mrk-") and primary["MultiRegion"] is True
    config = primary["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY" and config["ReplicaKeys"] == []
    blob = kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"anywhere")["CiphertextBlob"]
    out = kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1", Description="replica",
                            Tags=[{"TagKey": "copy", "TagValue": "yes"}])
    replica = out["ReplicaKeyMetadata"]
    assert replica["Arn"] == primary["Arn"].replace("us-east-1", "eu-west-1")
    assert replica["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
    assert replica["Description"] == "replica" and out["ReplicaTags"] == [{"TagKey": "copy", "TagValue": "yes"}]
    assert '"AWS" : "arn:aws:iam::000000000000:root"' in out["ReplicaPolicy"]
    assert replica["CurrentKeyMaterialId"] == primary["CurrentKeyMaterialId"]
    europe = aws_client("kms", region="eu-west-1")
    assert europe.decrypt(CiphertextBlob=blob, KeyId=replica["Arn"])["Plaintext"] == b"anywhere"
    described = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert described["ReplicaKeys"] == [{"Arn": replica["Arn"], "Region": "eu-west-1"}]
    assert error_of(kms.replicate_key, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")[0] == \
        "AlreadyExistsException"
    assert error_of(europe.replicate_key, KeyId=replica["KeyId"], ReplicaRegion="us-west-2")[0] == \
        "UnsupportedOperationException"


def test_single_region_keys_do_not_replicate(kms):
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert error_of(kms.replicate_key, KeyId=key_id, ReplicaRegion="eu-west-1")[0] == "UnsupportedOperationException"
    mrk = kms.create_key(MultiRegion=True)["KeyMetadata"]["KeyId"]
    assert error_of(kms.replicate_key, KeyId=mrk, ReplicaRegion="nowhere-1")[0] == "ValidationException"


def test_rotation_reaches_replicas(kms, aws_client):
    primary = kms.create_key(MultiRegion=True)["KeyMetadata"]
    kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    kms.rotate_key_on_demand(KeyId=primary["KeyId"])
    europe = aws_client("kms", region="eu-west-1")
    rotated = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
    assert europe.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == rotated
    blob = europe.encrypt(KeyId=primary["KeyId"], Plaintext=b"new material")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"new material"


def test_update_primary_region(kms, aws_client):
    primary = kms.create_key(MultiRegion=True)["KeyMetadata"]
    kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    assert error_of(kms.update_primary_region, KeyId=primary["KeyId"], PrimaryRegion="us-west-2")[0] == \
        "ValidationException"
    kms.update_primary_region(KeyId=primary["KeyId"], PrimaryRegion="eu-west-1")
    here = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert here["MultiRegionKeyType"] == "REPLICA" and here["PrimaryKey"]["Region"] == "eu-west-1"
    europe = aws_client("kms", region="eu-west-1")
    there = europe.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert there["MultiRegionKeyType"] == "PRIMARY"


def test_primary_waits_for_replica_deletion(kms, aws_client, server):
    primary = kms.create_key(MultiRegion=True)["KeyMetadata"]
    kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    out = kms.schedule_key_deletion(KeyId=primary["KeyId"], PendingWindowInDays=7)
    assert out["KeyState"] == "PendingReplicaDeletion" and "DeletionDate" not in out
    meta = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
    assert meta["PendingDeletionWindowInDays"] == 7 and "DeletionDate" not in meta
    assert error_of(kms.encrypt, KeyId=primary["KeyId"], Plaintext=b"x")[0] == "KMSInvalidStateException"
    europe = aws_client("kms", region="eu-west-1")
    europe.schedule_key_deletion(KeyId=primary["KeyId"], PendingWindowInDays=7)
    advance_clock(server, 7 * DAY + 60)
    assert error_of(europe.describe_key, KeyId=primary["KeyId"])[0] == "NotFoundException"
    assert kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    advance_clock(server, 7 * DAY + 60)
    assert error_of(kms.describe_key, KeyId=primary["KeyId"])[0] == "NotFoundException"


@pytest.mark.open_mode_only  # strict mode: the default key policy keeps the other account out
def test_another_accounts_key_by_arn(kms, aws_client):
    other = aws_client("kms", aws_access_key_id="111122223333")
    arn = other.create_key()["KeyMetadata"]["Arn"]
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["AWSAccountId"] == "111122223333"
    assert error_of(kms.update_key_description, KeyId=arn, Description="x") == (
        "NotFoundException", f"Key '{arn}' does not exist", 400)


# -- the wire ------------------------------------------------------------------------------------

def _raw(endpoint: str, target: str, body: dict | bytes):
    """(status, headers, body) of a signed JSON 1.1 request to KMS."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = sign(endpoint, "POST", "/", service="kms", body=data,
                   headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"TrentService.{target}"})
    return send(request)


def test_errors_on_the_wire(endpoint):
    missing = "11111111-2222-3333-4444-555555555555"
    status, headers, body = _raw(endpoint, "DescribeKey", {"KeyId": missing})
    content_type = {name.lower(): value for name, value in headers.items()}["content-type"]
    assert status == 400 and content_type.startswith("application/x-amz-json-1.1")
    error = json.loads(body)
    assert error["__type"] == "NotFoundException"
    assert error["message"] == f"Key 'arn:aws:kms:us-east-1:000000000000:key/{missing}' does not exist"
    # a malformed body is the protocol's error, never a 500
    status, _, body = _raw(endpoint, "CreateKey", b"{not json")
    assert status == 400 and "SerializationException" in json.loads(body)["__type"]
    # the wrong type for a member: a 4xx too
    status, _, body = _raw(endpoint, "ScheduleKeyDeletion", {"KeyId": missing, "PendingWindowInDays": "seven"})
    assert status == 400 and json.loads(body)["__type"] == "SerializationException"


def test_create_key_on_the_wire(endpoint):
    status, _, body = _raw(endpoint, "CreateKey", {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"})
    meta = json.loads(body)["KeyMetadata"]
    assert status == 200 and meta["MacAlgorithms"] == ["HMAC_SHA_256"]
    assert isinstance(meta["CreationDate"], (int, float))  # JSON protocol: epoch seconds


def test_no_custom_key_stores(kms):
    assert error_of(kms.create_key, CustomKeyStoreId="cks-1234567890abcdef0")[0] == "CustomKeyStoreNotFoundException"
    assert error_of(kms.create_key, Origin="AWS_CLOUDHSM")[0] == "ValidationException"
