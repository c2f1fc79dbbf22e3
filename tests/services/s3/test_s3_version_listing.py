"""ListObjectVersions through boto3 and the AWS CLI: order, markers, prefixes, pagination."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def history(s3, bucket):
    """A bucket with a null version from before versioning, several versions and markers.

    Returns the bucket and the expected listing as (key, version id, is marker, is latest),
    in S3's order: by key, newest first."""
    s3.put_object(Bucket=bucket, Key="z-old", Body=b"from before versioning")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    expected = []
    a = [s3.put_object(Bucket=bucket, Key="a", Body=b"a%d" % i)["VersionId"] for i in range(3)]
    expected += [("a", a[2], False, True), ("a", a[1], False, False), ("a", a[0], False, False)]
    b = s3.put_object(Bucket=bucket, Key="b", Body=b"bee")["VersionId"]
    b_marker = s3.delete_object(Bucket=bucket, Key="b")["VersionId"]
    expected += [("b", b_marker, True, True), ("b", b, False, False)]
    x = [s3.put_object(Bucket=bucket, Key="dir/x", Body=b"x%d" % i)["VersionId"] for i in range(2)]
    expected += [("dir/x", x[1], False, True), ("dir/x", x[0], False, False)]
    y = s3.put_object(Bucket=bucket, Key="dir/y", Body=b"y")["VersionId"]
    expected += [("dir/y", y, False, True)]
    expected += [("z-old", "null", False, True)]
    return bucket, expected


def entries(page: dict) -> list[tuple]:
    """A page's versions and markers in S3's order (by key, newest first)."""
    rows = [(v["Key"], v["VersionId"], False, v["IsLatest"], v["LastModified"]) for v in page.get("Versions", [])]
    rows += [(m["Key"], m["VersionId"], True, m["IsLatest"], m["LastModified"]) for m in page.get("DeleteMarkers", [])]
    return rows


def test_every_version_and_marker_in_order(s3, history):
    bucket, expected = history
    out = s3.list_object_versions(Bucket=bucket)
    assert out["IsTruncated"] is False and out["Name"] == bucket and out["MaxKeys"] == 1000
    assert out["KeyMarker"] == "" and out["VersionIdMarker"] == ""
    versions = [(k, v, m, latest) for k, v, m, latest in expected if not m]
    markers = [(k, v, m, latest) for k, v, m, latest in expected if m]
    assert [(v["Key"], v["VersionId"], False, v["IsLatest"]) for v in out["Versions"]] == versions
    assert [(d["Key"], d["VersionId"], True, d["IsLatest"]) for d in out["DeleteMarkers"]] == markers
    newest_a = out["Versions"][0]
    assert newest_a["ETag"] == '"%s"' % hashlib.md5(b"a2").hexdigest()
    assert newest_a["Size"] == 2 and newest_a["StorageClass"] == "STANDARD"
    assert newest_a["Owner"]["ID"] and "LastModified" in newest_a
    assert out["DeleteMarkers"][0]["Owner"]["ID"] == newest_a["Owner"]["ID"]


def test_prefix_and_delimiter(s3, history):
    bucket, expected = history
    top = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["dir/"]
    assert {v["Key"] for v in top["Versions"]} == {"a", "b", "z-old"} and top["Delimiter"] == "/"
    inside = s3.list_object_versions(Bucket=bucket, Prefix="dir/")
    assert [(v["Key"], v["VersionId"]) for v in inside["Versions"]] == [
        (k, v) for k, v, _, _ in expected if k.startswith("dir/")]
    assert inside["Prefix"] == "dir/" and "DeleteMarkers" not in inside
    assert "Versions" not in s3.list_object_versions(Bucket=bucket, Prefix="nothing-here")


@pytest.mark.parametrize("delimiter", ["", "/"])
@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_pages_with_next_markers_add_up_to_the_whole(s3, history, page_size, delimiter):
    bucket, _ = history
    whole = s3.list_object_versions(Bucket=bucket, Delimiter=delimiter)
    seen, prefixes, kwargs = [], [], {}
    for _ in range(20):
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=page_size, Delimiter=delimiter, **kwargs)
        listed = len(page.get("Versions", [])) + len(page.get("DeleteMarkers", [])) + len(
            page.get("CommonPrefixes", []))
        assert listed <= page_size
        seen += entries(page)
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"]}
        if "NextVersionIdMarker" in page:
            kwargs["VersionIdMarker"] = page["NextVersionIdMarker"]
    assert page["IsTruncated"] is False
    assert sorted(seen) == sorted(entries(whole)) and len(seen) == len(entries(whole))
    assert prefixes == [p["Prefix"] for p in whole.get("CommonPrefixes", [])]


def test_paginator(s3, history):
    bucket, expected = history
    paginator = s3.get_paginator("list_object_versions")
    pages = list(paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 5
    listed = [(k, v, m, latest) for page in pages for k, v, m, latest, _ in entries(page)]
    assert sorted(listed) == sorted(expected)
    built = paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 3}).build_full_result()
    assert [v["VersionId"] for v in built["Versions"]] == [v for _, v, m, _ in expected if not m]


def test_key_marker_and_version_id_marker(s3, history):
    bucket, expected = history
    after_a = s3.list_object_versions(Bucket=bucket, KeyMarker="a")
    assert after_a["KeyMarker"] == "a"
    assert [v["Key"] for v in after_a["Versions"]][0] == "b"  # every version of "a" skipped
    a_versions = [v for k, v, _, _ in expected if k == "a"]
    middle = s3.list_object_versions(Bucket=bucket, KeyMarker="a", VersionIdMarker=a_versions[0], MaxKeys=2)
    assert middle["VersionIdMarker"] == a_versions[0]
    assert [v["VersionId"] for v in middle["Versions"]] == a_versions[1:]
    assert middle["IsTruncated"] is True
    assert (middle["NextKeyMarker"], middle["NextVersionIdMarker"]) == ("a", a_versions[2])


def test_a_page_ending_on_a_common_prefix_resumes_after_it(s3, history):
    bucket, _ = history
    first = s3.list_object_versions(Bucket=bucket, Delimiter="/", KeyMarker="b", MaxKeys=1)
    assert [p["Prefix"] for p in first["CommonPrefixes"]] == ["dir/"] and first["IsTruncated"] is True
    assert first["NextKeyMarker"] == "dir/" and "NextVersionIdMarker" not in first
    rest = s3.list_object_versions(Bucket=bucket, Delimiter="/", KeyMarker=first["NextKeyMarker"])
    assert "CommonPrefixes" not in rest and [v["Key"] for v in rest["Versions"]] == ["z-old"]


def test_marker_errors(s3, history):
    bucket, _ = history
    with pytest.raises(ClientError) as exc:
        s3.list_object_versions(Bucket=bucket, VersionIdMarker="null")
    error = exc.value.response["Error"]
    assert error["Code"] == "InvalidArgument" and exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Message"] == "A version-id marker cannot be specified without a key marker."
    assert error["ArgumentName"] == "version-id-marker"
    with pytest.raises(ClientError) as exc:
        s3.list_object_versions(Bucket=bucket, KeyMarker="a", VersionIdMarker="bogus!")
    assert exc.value.response["Error"]["Message"] == "Invalid version id specified"
    with pytest.raises(ClientError) as exc:
        s3.list_object_versions(Bucket="no-such-bucket-anywhere")
    assert exc.value.response["Error"]["Code"] == "NoSuchBucket"


def test_max_keys_zero_lists_nothing(s3, history):
    bucket, _ = history
    out = s3.list_object_versions(Bucket=bucket, MaxKeys=0)
    assert out["IsTruncated"] is False and "Versions" not in out and out["MaxKeys"] == 0


ODD_KEYS = ["sp ace", "plus+sign", "per%cent", "amp&eq=", "tab\there", "ünï/cödé", "line\nbreak"]


def test_odd_keys_round_trip_through_url_encoding(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key in ODD_KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        s3.delete_object(Bucket=bucket, Key=key)
    # boto3 asks for encoding-type=url by itself and decodes the answer
    out = s3.list_object_versions(Bucket=bucket)
    expected = sorted(ODD_KEYS, key=lambda k: k.encode())
    assert [v["Key"] for v in out["Versions"]] == expected
    assert [m["Key"] for m in out["DeleteMarkers"]] == expected
    # asked for explicitly, the answer stays encoded
    raw = s3.list_object_versions(Bucket=bucket, EncodingType="url", KeyMarker="plus+sign", Delimiter="/")
    assert raw["EncodingType"] == "url" and raw["KeyMarker"] == "plus%2Bsign"
    assert raw["CommonPrefixes"] == [{"Prefix": quote("ünï/")}]
    assert [v["Key"] for v in raw["Versions"]] == [quote(k) for k in expected if k > "plus+sign" and "/" not in k]


def test_never_versioned_bucket_lists_null_versions(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    out = s3.list_object_versions(Bucket=bucket)
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in out["Versions"]] == [("k", "null", True)]


def test_cli_list_object_versions(s3, history, aws_cli):
    bucket, expected = history
    out = aws_cli("s3api", "list-object-versions", "--bucket", bucket)
    assert [(v["Key"], v["VersionId"]) for v in out["Versions"]] == [(k, v) for k, v, m, _ in expected if not m]
    assert [d["VersionId"] for d in out["DeleteMarkers"]] == [v for _, v, m, _ in expected if m]
    # the CLI pages on its own (page size 2) and still returns everything
    paged = aws_cli("s3api", "list-object-versions", "--bucket", bucket, "--page-size", "2")
    assert [v["VersionId"] for v in paged["Versions"]] == [v["VersionId"] for v in out["Versions"]]
    only_dir = aws_cli("s3api", "list-object-versions", "--bucket", bucket, "--prefix", "dir/")
    assert {v["Key"] for v in only_dir["Versions"]} == {"dir/x", "dir/y"}
