"""Day counts that put a date past year 9999 (a lifecycle rule's or a restore's ``Days``) never
poison a bucket: counts beyond S3's 32-bit integer are refused with ``InvalidArgument``, and a
far but valid expiry is written as the last HTTP date (31 Dec 9999) instead of failing every
later read and write of the bucket."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

LAST_HTTP_DATE = "Fri, 31 Dec 9999 23:59:59 GMT"
INT32_MAX = 2**31 - 1


def _rule(days: int) -> dict:
    return {"ID": "far", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": days}}


@pytest.mark.parametrize("days", [INT32_MAX + 1, 10**30])
def test_lifecycle_days_beyond_a_32_bit_integer_are_refused(s3, bucket, days):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [_rule(days)]})
    error = exc.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]) == (
        400, "InvalidArgument", "'Days' for Expiration action must be a positive integer")
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")  # the bucket still serves
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"


@pytest.mark.parametrize("field", ["DaysAfterInitiation", "NoncurrentDays"])
def test_other_lifecycle_day_counts_beyond_a_32_bit_integer_are_refused(s3, bucket, field):
    action = ({"AbortIncompleteMultipartUpload": {"DaysAfterInitiation": INT32_MAX + 1}}
              if field == "DaysAfterInitiation" else {"NoncurrentVersionExpiration": {"NoncurrentDays": INT32_MAX + 1}})
    rule = {"ID": "far", "Filter": {"Prefix": ""}, "Status": "Enabled", **action}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"


def test_a_far_lifecycle_expiry_is_the_last_http_date(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [_rule(INT32_MAX)]})
    expected = f'expiry-date="{LAST_HTTP_DATE}", rule-id="far"'
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"v")["Expiration"] == expected
    assert s3.head_object(Bucket=bucket, Key="k")["Expiration"] == expected
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Expiration"] == expected and got["Body"].read() == b"v"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[0]["Expiration"] == {"Days": INT32_MAX}


def test_a_far_restore_expiry_is_the_last_http_date(s3, bucket, server):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    with pytest.raises(ClientError) as exc:
        s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": INT32_MAX + 1})
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": INT32_MAX})
    server.post("/_overcast/clock", json.dumps({"advance": 3600}).encode())  # the restore completes
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] == (
        f'ongoing-request="false", expiry-date="{LAST_HTTP_DATE}"')
    listed = s3.list_objects_v2(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])["Contents"][0]
    assert listed["RestoreStatus"]["RestoreExpiryDate"].year == 9999
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"x"
