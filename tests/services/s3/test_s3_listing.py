"""ListObjectsV2 through boto3: prefix, delimiter + CommonPrefixes, pagination, start-after."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

KEYS = ["a.txt", "dir/one", "dir/sub/two", "dir/sub/three", "dir2/x", "photos/2024/jan.jpg", "photos/2025/feb.jpg",
        "zeta", "ü-key"]


@pytest.fixture
def filled(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_all_sorted(s3, filled):
    out = s3.list_objects_v2(Bucket=filled)
    assert [o["Key"] for o in out["Contents"]] == sorted(KEYS, key=lambda k: k.encode())
    assert out["KeyCount"] == len(KEYS) and out["IsTruncated"] is False
    assert out["Contents"][0]["Size"] == len("a.txt") and out["Contents"][0]["ETag"].startswith('"')


def test_prefix_and_delimiter(s3, filled):
    top = s3.list_objects_v2(Bucket=filled, Delimiter="/")
    assert [o["Key"] for o in top["Contents"]] == ["a.txt", "zeta", "ü-key"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["dir/", "dir2/", "photos/"]
    sub = s3.list_objects_v2(Bucket=filled, Prefix="dir/", Delimiter="/")
    assert [o["Key"] for o in sub["Contents"]] == ["dir/one"]
    assert [p["Prefix"] for p in sub["CommonPrefixes"]] == ["dir/sub/"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=filled, Prefix="photos/")["Contents"]] == [
        "photos/2024/jan.jpg", "photos/2025/feb.jpg"]
    assert "Contents" not in s3.list_objects_v2(Bucket=filled, Prefix="nothing")


def test_pagination(s3, filled):
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=filled, MaxKeys=2, Delimiter="/", **kwargs)
        pages += 1
        seen += [o["Key"] for o in page.get("Contents", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        assert page["KeyCount"] <= 2
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
        assert pages < 20
    assert sorted(seen) == sorted(["a.txt", "dir/", "dir2/", "photos/", "zeta", "ü-key"])
    paginator = s3.get_paginator("list_objects_v2")
    keys = [o["Key"] for p in paginator.paginate(Bucket=filled, PaginationConfig={"PageSize": 3}) for o in p["Contents"]]
    assert keys == sorted(KEYS, key=lambda k: k.encode())


def test_start_after_and_errors(s3, filled):
    out = s3.list_objects_v2(Bucket=filled, StartAfter="photos/2024/jan.jpg")
    assert [o["Key"] for o in out["Contents"]] == ["photos/2025/feb.jpg", "zeta", "ü-key"]
    assert "Contents" not in s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket="missing-bucket")
    assert exc.value.response["Error"]["Code"] == "NoSuchBucket"
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=filled, ContinuationToken="!!!")
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"
