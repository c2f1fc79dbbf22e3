"""Archive storage classes and RestoreObject: unreadable until restored, 202 / 409 / 200, the
x-amz-restore header, completion after OVERCAST_S3_RESTORE_SECONDS of cloud time (default 5 s,
moved by POST /_overcast/clock), expiry after Days, and a restore that survives a restart."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

DAY = 86400
RESTORE_SECONDS = 5  # the default of OVERCAST_S3_RESTORE_SECONDS


def _advance(server, seconds: float) -> float:
    """Move the cloud clock; returns the cloud time after the move."""
    return json.loads(server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode()))["now"]


def _error(call) -> tuple[int, str, dict]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]


def _restore(s3, bucket, key, days=1, tier="Standard"):
    return s3.restore_object(Bucket=bucket, Key=key,
                             RestoreRequest={"Days": days, "GlacierJobParameters": {"Tier": tier}})


@pytest.mark.parametrize("storage_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_archived_object_is_unreadable_until_restored(s3, bucket, server, storage_class):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen bytes", StorageClass=storage_class)
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert head["StorageClass"] == storage_class and "Restore" not in head
    status, code, error = _error(lambda: s3.get_object(Bucket=bucket, Key="cold"))
    assert (status, code) == (403, "InvalidObjectState")
    assert error["Message"] == "The operation is not valid for the object's storage class"
    assert error["StorageClass"] == storage_class

    first = _restore(s3, bucket, "cold", tier="Bulk")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] == 'ongoing-request="true"'
    assert _error(lambda: _restore(s3, bucket, "cold"))[:2] == (409, "RestoreAlreadyInProgress")
    assert _error(lambda: s3.get_object(Bucket=bucket, Key="cold"))[1] == "InvalidObjectState"

    now = _advance(server, RESTORE_SECONDS + 1)
    restore = s3.head_object(Bucket=bucket, Key="cold")["Restore"]
    assert restore.startswith('ongoing-request="false", expiry-date="')
    expiry = parsedate_to_datetime(restore.split('expiry-date="')[1].rstrip('"')).timestamp()
    # one day after completion, rounded up to the next midnight UTC
    assert expiry % DAY == 0 and now + DAY <= expiry < now + 2 * DAY
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"frozen bytes"


def test_restore_again_extends_and_copy_expires(s3, bucket, server):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"data", StorageClass="GLACIER")
    _restore(s3, bucket, "cold", days=1)
    _advance(server, RESTORE_SECONDS)
    again = _restore(s3, bucket, "cold", days=3)
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    restore = s3.head_object(Bucket=bucket, Key="cold")["Restore"]
    expiry = parsedate_to_datetime(restore.split('expiry-date="')[1].rstrip('"')).timestamp()
    now = json.loads(server.get("/_overcast/clock"))["now"]
    assert now + 3 * DAY <= expiry < now + 4 * DAY

    _advance(server, 2 * DAY)  # past the first Days=1 expiry: still restored
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"data"
    _advance(server, 2 * DAY + 1)
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold")
    assert _error(lambda: s3.get_object(Bucket=bucket, Key="cold"))[:2] == (403, "InvalidObjectState")
    # and it can be restored once more
    assert _restore(s3, bucket, "cold")["ResponseMetadata"]["HTTPStatusCode"] == 202


@pytest.mark.parametrize("storage_class", ["STANDARD", "STANDARD_IA", "GLACIER_IR"])
def test_restore_of_a_non_archive_object_is_refused(s3, bucket, storage_class):
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x", StorageClass=storage_class)
    status, code, error = _error(lambda: _restore(s3, bucket, "warm"))
    assert (status, code) == (403, "InvalidObjectState")
    assert error["Message"] == "Restore is not allowed for the object's current storage class"
    assert s3.get_object(Bucket=bucket, Key="warm")["Body"].read() == b"x"


def test_restore_of_a_missing_key(s3, bucket):
    assert _error(lambda: _restore(s3, bucket, "absent"))[:2] == (404, "NoSuchKey")


def test_overwrite_drops_a_pending_restore(s3, bucket, server):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"old", StorageClass="GLACIER")
    _restore(s3, bucket, "cold")
    s3.put_object(Bucket=bucket, Key="cold", Body=b"new", StorageClass="GLACIER")
    _advance(server, RESTORE_SECONDS + 1)  # the old restore's timer finds another object
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold")
    assert _error(lambda: s3.get_object(Bucket=bucket, Key="cold"))[1] == "InvalidObjectState"


def test_restore_survives_a_restart(tmp_path):
    env = {"OVERCAST_S3_RESTORE_SECONDS": "30"}
    server = ServerProcess(str(tmp_path / "data"), env=env).start()

    def client():
        return boto3.session.Session().client(
            "s3", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))

    try:
        s3 = client()
        s3.create_bucket(Bucket="archive")
        s3.put_object(Bucket="archive", Key="cold", Body=b"kept", StorageClass="DEEP_ARCHIVE")
        assert _restore(s3, "archive", "cold")["ResponseMetadata"]["HTTPStatusCode"] == 202
        server.kill()
        server.start()
        s3 = client()
        assert s3.head_object(Bucket="archive", Key="cold")["Restore"] == 'ongoing-request="true"'
        _advance(server, 20)  # not yet: the setting says 30 s
        assert s3.head_object(Bucket="archive", Key="cold")["Restore"] == 'ongoing-request="true"'
        _advance(server, 11)
        assert s3.head_object(Bucket="archive", Key="cold")["Restore"].startswith('ongoing-request="false"')
        assert s3.get_object(Bucket="archive", Key="cold")["Body"].read() == b"kept"
    finally:
        server.stop()


def test_listings_report_restore_status_when_asked(s3, bucket, server):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    s3.put_object(Bucket=bucket, Key="warm", Body=b"y")
    ask = {"OptionalObjectAttributes": ["RestoreStatus"]}

    def statuses(listing):
        return {o["Key"]: o.get("RestoreStatus") for o in listing}

    assert statuses(s3.list_objects_v2(Bucket=bucket, **ask)["Contents"]) == {"cold": None, "warm": None}
    _restore(s3, bucket, "cold")
    assert statuses(s3.list_objects_v2(Bucket=bucket, **ask)["Contents"])["cold"] == {"IsRestoreInProgress": True}
    assert "RestoreStatus" not in s3.list_objects_v2(Bucket=bucket)["Contents"][0]  # only when asked
    _advance(server, RESTORE_SECONDS + 1)
    restored = s3.head_object(Bucket=bucket, Key="cold")["Restore"]
    expiry = parsedate_to_datetime(restored.split('expiry-date="')[1].rstrip('"'))
    for listing in (s3.list_objects_v2(Bucket=bucket, **ask)["Contents"],
                    s3.list_objects(Bucket=bucket, **ask)["Contents"],
                    s3.list_object_versions(Bucket=bucket, **ask)["Versions"]):
        status = statuses(listing)
        assert status["warm"] is None
        assert status["cold"] == {"IsRestoreInProgress": False, "RestoreExpiryDate": expiry}
    _advance(server, 2 * DAY)  # the restored copy expired: nothing to report
    assert statuses(s3.list_objects_v2(Bucket=bucket, **ask)["Contents"])["cold"] is None
