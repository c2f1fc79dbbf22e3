"""ListObjects (v1) through boto3 and the AWS CLI, and what v1 and v2 share: Owner, delete
markers left out, url encoding, max-keys and encoding-type errors."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError

KEYS = ["a.txt", "dir/one", "dir/sub/two", "dir/sub/three", "dir2/x", "photos/2024/jan.jpg", "zeta", "ü-key"]
ORDER = sorted(KEYS, key=lambda k: k.encode())


@pytest.fixture
def filled(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_lists_every_key_with_owner(s3, filled):
    out = s3.list_objects(Bucket=filled)
    assert [o["Key"] for o in out["Contents"]] == ORDER
    assert out["IsTruncated"] is False and out["Marker"] == "" and out["MaxKeys"] == 1000
    assert "NextMarker" not in out
    first = out["Contents"][0]
    assert first["Size"] == len("a.txt") and first["StorageClass"] == "STANDARD" and first["ETag"].startswith('"')
    owner = s3.list_buckets()["Owner"]["ID"]
    assert all(o["Owner"]["ID"] == owner for o in out["Contents"])


def test_prefix_and_delimiter(s3, filled):
    top = s3.list_objects(Bucket=filled, Delimiter="/")
    assert [o["Key"] for o in top["Contents"]] == ["a.txt", "zeta", "ü-key"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["dir/", "dir2/", "photos/"]
    sub = s3.list_objects(Bucket=filled, Prefix="dir/", Delimiter="/")
    assert [o["Key"] for o in sub["Contents"]] == ["dir/one"]
    assert [p["Prefix"] for p in sub["CommonPrefixes"]] == ["dir/sub/"]
    assert sub["Prefix"] == "dir/" and sub["Delimiter"] == "/"


def test_marker_pagination_without_delimiter_has_no_next_marker(s3, filled):
    seen, marker = [], ""
    for _ in range(10):
        page = s3.list_objects(Bucket=filled, MaxKeys=3, Marker=marker)
        assert page["Marker"] == marker and len(page.get("Contents", [])) <= 3
        assert "NextMarker" not in page  # S3 gives NextMarker only when a delimiter was sent
        seen += [o["Key"] for o in page.get("Contents", [])]
        if not page["IsTruncated"]:
            break
        marker = page["Contents"][-1]["Key"]
    assert seen == ORDER


def test_next_marker_with_delimiter_skips_a_reported_prefix(s3, filled):
    first = s3.list_objects(Bucket=filled, Delimiter="/", MaxKeys=2)
    assert [o["Key"] for o in first["Contents"]] == ["a.txt"]
    assert [p["Prefix"] for p in first["CommonPrefixes"]] == ["dir/"]
    assert first["IsTruncated"] is True and first["NextMarker"] == "dir/"
    rest = s3.list_objects(Bucket=filled, Delimiter="/", Marker=first["NextMarker"])
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["dir2/", "photos/"]
    assert [o["Key"] for o in rest["Contents"]] == ["zeta", "ü-key"] and "NextMarker" not in rest
    # a marker inside a group skips the rest of the group too
    inside = s3.list_objects(Bucket=filled, Delimiter="/", Marker="dir/one")
    assert [p["Prefix"] for p in inside["CommonPrefixes"]] == ["dir2/", "photos/"]


def test_paginator(s3, filled):
    paginator = s3.get_paginator("list_objects")
    pages = list(paginator.paginate(Bucket=filled, PaginationConfig={"PageSize": 3}))
    assert len(pages) == 3
    assert [o["Key"] for p in pages for o in p["Contents"]] == ORDER
    grouped = paginator.paginate(Bucket=filled, Delimiter="/", PaginationConfig={"PageSize": 2}).build_full_result()
    assert [o["Key"] for o in grouped["Contents"]] == ["a.txt", "zeta", "ü-key"]
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["dir/", "dir2/", "photos/"]


def test_delete_markers_are_not_listed(s3, filled):
    s3.put_bucket_versioning(Bucket=filled, VersioningConfiguration={"Status": "Enabled"})
    s3.delete_object(Bucket=filled, Key="zeta")
    s3.delete_object(Bucket=filled, Key="dir/one")
    remaining = [k for k in ORDER if k not in ("zeta", "dir/one")]
    assert [o["Key"] for o in s3.list_objects(Bucket=filled)["Contents"]] == remaining
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=filled)["Contents"]] == remaining
    paged = s3.get_paginator("list_objects").paginate(Bucket=filled, PaginationConfig={"PageSize": 1})
    assert [o["Key"] for p in paged for o in p.get("Contents", [])] == remaining


def test_v2_fetch_owner(s3, filled):
    assert all("Owner" not in o for o in s3.list_objects_v2(Bucket=filled)["Contents"])
    owned = s3.list_objects_v2(Bucket=filled, FetchOwner=True)["Contents"]
    assert {o["Owner"]["ID"] for o in owned} == {s3.list_buckets()["Owner"]["ID"]}


ODD_KEYS = ["sp ace", "plus+sign", "per%cent", "amp&eq=?", "tab\there", "ünï/cödé"]


@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2"])
def test_url_encoding(s3, bucket, operation):
    for key in ODD_KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    listing = getattr(s3, operation)
    expected = sorted(ODD_KEYS, key=lambda k: k.encode())
    assert [o["Key"] for o in listing(Bucket=bucket)["Contents"]] == expected  # boto3 decodes for itself
    raw = listing(Bucket=bucket, EncodingType="url", Delimiter="/", Prefix="")
    assert raw["EncodingType"] == "url"
    assert [o["Key"] for o in raw["Contents"]] == [quote(k) for k in expected if "/" not in k]
    assert raw["CommonPrefixes"] == [{"Prefix": quote("ünï/")}]
    if operation == "list_objects":
        assert listing(Bucket=bucket, EncodingType="url", Marker="plus+sign")["Marker"] == "plus%2Bsign"


@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2"])
def test_bad_arguments(s3, filled, operation):
    listing = getattr(s3, operation)
    with pytest.raises(ClientError) as exc:
        listing(Bucket=filled, MaxKeys=-1)
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"
    with pytest.raises(ClientError) as exc:
        listing(Bucket=filled, EncodingType="base64")
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"
    assert exc.value.response["Error"]["ArgumentName"] == "encoding-type"
    with pytest.raises(ClientError) as exc:
        listing(Bucket="no-such-bucket-anywhere")
    assert exc.value.response["Error"]["Code"] == "NoSuchBucket"
    big = listing(Bucket=filled, MaxKeys=5000)  # more than a page holds: the page is capped, not refused
    assert len(big["Contents"]) == len(KEYS)
    assert listing(Bucket=filled, MaxKeys=0)["IsTruncated"] is False


def test_cli_list_objects_and_ls(s3, filled, aws_cli):
    out = aws_cli("s3api", "list-objects", "--bucket", filled)
    assert [o["Key"] for o in out["Contents"]] == ORDER
    assert all("ID" in o["Owner"] for o in out["Contents"])
    paged = aws_cli("s3api", "list-objects", "--bucket", filled, "--page-size", "2", "--delimiter", "/")
    assert [p["Prefix"] for p in paged["CommonPrefixes"]] == ["dir/", "dir2/", "photos/"]
    top = aws_cli("s3", "ls", f"s3://{filled}/", check=False)
    assert top.returncode == 0, top.stderr
    lines = top.stdout.splitlines()
    assert sorted(line.split()[-1] for line in lines if "PRE" in line) == ["dir/", "dir2/", "photos/"]
    assert sorted(line.split()[-1] for line in lines if "PRE" not in line) == ["a.txt", "zeta", "ü-key"]
    everything = aws_cli("s3", "ls", f"s3://{filled}/", "--recursive", check=False)
    assert everything.returncode == 0, everything.stderr
    assert [line.split(maxsplit=3)[-1] for line in everything.stdout.splitlines()] == ORDER
