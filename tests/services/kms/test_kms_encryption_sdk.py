"""A real client: the AWS Encryption SDK for Python encrypts and decrypts with KMS master key
providers pointed at Overcast (through botocore's service-specific endpoint setting, as a user
would point it), envelope encryption with GenerateDataKey, Encrypt (a second key) and Decrypt."""

from __future__ import annotations

import aws_encryption_sdk
import botocore.session
import pytest
from aws_encryption_sdk import CommitmentPolicy
from aws_encryption_sdk.key_providers.kms import DiscoveryAwsKmsMasterKeyProvider, StrictAwsKmsMasterKeyProvider


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


@pytest.fixture
def sdk_session(endpoint, monkeypatch):
    """A botocore session whose KMS clients reach Overcast."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", endpoint)
    session = botocore.session.Session()
    session.set_credentials("test", "test")
    session.set_config_variable("region", "us-east-1")
    return session


@pytest.fixture
def sdk():
    return aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)


def test_encrypt_and_decrypt_with_a_strict_provider(kms, sdk_session, sdk):
    key = kms.create_key()["KeyMetadata"]
    provider = StrictAwsKmsMasterKeyProvider(key_ids=[key["Arn"]], botocore_session=sdk_session)
    plaintext = b"envelope encrypted through Overcast " * 100
    message, header = sdk.encrypt(source=plaintext, key_provider=provider,
                                  encryption_context={"purpose": "sdk-test"})
    assert plaintext not in message
    assert [k.key_provider.key_info.decode() for k in header.encrypted_data_keys] == [key["Arn"]]
    decrypted, decrypt_header = sdk.decrypt(source=message, key_provider=provider)
    assert decrypted == plaintext
    assert decrypt_header.encryption_context["purpose"] == "sdk-test"


def test_two_keys_and_discovery_decrypt(kms, sdk_session, sdk):
    first, second = kms.create_key()["KeyMetadata"], kms.create_key()["KeyMetadata"]
    provider = StrictAwsKmsMasterKeyProvider(key_ids=[first["Arn"], second["Arn"]], botocore_session=sdk_session)
    message, header = sdk.encrypt(source=b"for two keys", key_provider=provider)
    assert len(header.encrypted_data_keys) == 2
    # Either key alone decrypts: the second encrypted data key was made with Encrypt.
    only_second = StrictAwsKmsMasterKeyProvider(key_ids=[second["Arn"]], botocore_session=sdk_session)
    assert sdk.decrypt(source=message, key_provider=only_second)[0] == b"for two keys"
    discovery = DiscoveryAwsKmsMasterKeyProvider(botocore_session=sdk_session)
    assert sdk.decrypt(source=message, key_provider=discovery)[0] == b"for two keys"


def test_a_disabled_key_stops_the_sdk(kms, sdk_session, sdk):
    from aws_encryption_sdk.exceptions import DecryptKeyError

    key = kms.create_key()["KeyMetadata"]
    provider = StrictAwsKmsMasterKeyProvider(key_ids=[key["Arn"]], botocore_session=sdk_session)
    message, _ = sdk.encrypt(source=b"x", key_provider=provider)
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(DecryptKeyError):
        sdk.decrypt(source=message, key_provider=StrictAwsKmsMasterKeyProvider(key_ids=[key["Arn"]],
                                                                              botocore_session=sdk_session))
