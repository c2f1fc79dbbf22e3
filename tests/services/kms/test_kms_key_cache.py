"""The key store caches key records in memory: every write of a key must be seen by the very
next request that uses the key (state changes, description, deletion timers, reset), so a
cached record is never served stale."""

from __future__ import annotations

import pytest
from kms_helpers import advance_clock, error_of

DAY = 86_400


@pytest.fixture
def kms(aws_client):
    return aws_client("kms")


def test_every_state_change_is_seen_by_the_next_request(kms, server):
    key = kms.create_key()["KeyMetadata"]
    arn = key["Arn"]
    kms.encrypt(KeyId=arn, Plaintext=b"cached now")
    kms.disable_key(KeyId=arn)
    assert error_of(kms.encrypt, KeyId=arn, Plaintext=b"x") == ("DisabledException", f"{arn} is disabled.", 400)
    kms.enable_key(KeyId=arn)
    kms.encrypt(KeyId=arn, Plaintext=b"enabled again")
    kms.update_key_description(KeyId=arn, Description="changed")
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["Description"] == "changed"
    kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
    code, message, status = error_of(kms.encrypt, KeyId=arn, Plaintext=b"x")
    assert (code, message, status) == ("KMSInvalidStateException", f"{arn} is pending deletion.", 400)
    kms.cancel_key_deletion(KeyId=arn)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Disabled"
    kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
    advance_clock(server, 8 * DAY)  # the deletion timer deletes the key
    assert error_of(kms.describe_key, KeyId=arn)[0] == "NotFoundException"


def test_reset_forgets_cached_keys(kms, server):
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.encrypt(KeyId=arn, Plaintext=b"cached now")
    server.post("/_overcast/reset")
    assert error_of(kms.encrypt, KeyId=arn, Plaintext=b"x") == ("NotFoundException", f"Key '{arn}' does not exist", 400)
