"""KMS GenerateMac and VerifyMac through a real server: HMAC keys whose material never leaves
KMS round-trip, every tampered byte of the MAC or the message fails, and AWS's errors."""

from __future__ import annotations

import pytest
from kms_helpers import error_of

MESSAGE = b"authenticate me"
SPECS = [("HMAC_224", "HMAC_SHA_224", 28), ("HMAC_256", "HMAC_SHA_256", 32), ("HMAC_384", "HMAC_SHA_384", 48),
         ("HMAC_512", "HMAC_SHA_512", 64)]


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


def _hmac_key(kms, spec="HMAC_256"):
    return kms.create_key(KeySpec=spec, KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]


@pytest.mark.parametrize("spec,algorithm,length", SPECS)
def test_mac_round_trips(kms, spec, algorithm, length):
    key = _hmac_key(kms, spec)
    out = kms.generate_mac(KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm=algorithm)
    assert len(out["Mac"]) == length and out["MacAlgorithm"] == algorithm and out["KeyId"] == key["Arn"]
    # HMAC is deterministic: the same key and message give the same MAC.
    assert kms.generate_mac(KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm=algorithm)["Mac"] == out["Mac"]
    verified = kms.verify_mac(KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm=algorithm, Mac=out["Mac"])
    assert verified == {**verified, "KeyId": key["Arn"], "MacValid": True, "MacAlgorithm": algorithm}


def test_every_tampered_byte_of_the_mac_fails(kms):
    key = _hmac_key(kms)
    mac = kms.generate_mac(KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    for index in range(len(mac)):
        tampered = bytearray(mac)
        tampered[index] ^= 0x01
        code, _, status = error_of(kms.verify_mac, KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256",
                                   Mac=bytes(tampered))
        assert (code, status) == ("KMSInvalidMacException", 400)
    assert error_of(kms.verify_mac, KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256",
                    Mac=mac[:-1])[0] == "KMSInvalidMacException"


def test_every_tampered_byte_of_the_message_fails(kms):
    key = _hmac_key(kms)
    mac = kms.generate_mac(KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    for index in range(len(MESSAGE)):
        tampered = bytearray(MESSAGE)
        tampered[index] ^= 0x80
        assert error_of(kms.verify_mac, KeyId=key["KeyId"], Message=bytes(tampered), MacAlgorithm="HMAC_SHA_256",
                        Mac=mac)[0] == "KMSInvalidMacException"


def test_two_keys_of_one_spec_give_different_macs(kms):
    first, second = _hmac_key(kms), _hmac_key(kms)
    mac = kms.generate_mac(KeyId=first["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert kms.generate_mac(KeyId=second["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")["Mac"] != mac
    assert error_of(kms.verify_mac, KeyId=second["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256",
                    Mac=mac)[0] == "KMSInvalidMacException"


def test_algorithm_of_another_spec_is_invalid_key_usage(kms):
    key = _hmac_key(kms, "HMAC_384")
    code, message, _ = error_of(kms.generate_mac, KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")
    assert (code, message) == ("InvalidKeyUsageException", "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_384.")


def test_encryption_key_cannot_mac(kms):
    key = kms.create_key()["KeyMetadata"]
    code, message, _ = error_of(kms.generate_mac, KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256")
    assert (code, message) == ("InvalidKeyUsageException",
                               f"{key['Arn']} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.")


def test_hmac_key_cannot_encrypt_and_has_no_public_key(kms):
    key = _hmac_key(kms)
    assert error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"p")[:2] == (
        "InvalidKeyUsageException", f"{key['Arn']} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.")
    assert error_of(kms.get_public_key, KeyId=key["KeyId"])[0] == "UnsupportedOperationException"


def test_disabled_hmac_key_is_refused(kms):
    key = _hmac_key(kms)
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(kms.generate_mac, KeyId=key["KeyId"], Message=MESSAGE,
                    MacAlgorithm="HMAC_SHA_256")[:2] == ("DisabledException", f"{key['Arn']} is disabled.")


def test_dry_run_of_verify_mac(kms):
    key = _hmac_key(kms)
    code, _, status = error_of(kms.verify_mac, KeyId=key["KeyId"], Message=MESSAGE, MacAlgorithm="HMAC_SHA_256",
                               Mac=b"x" * 32, DryRun=True)
    assert (code, status) == ("DryRunOperationException", 412)
