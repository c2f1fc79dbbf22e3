"""S3 Inventory reports really delivered: as the cloud clock passes midnight, an enabled
configuration writes its gzip CSV, manifest.json, manifest.checksum and Hive symlink.txt to
the destination bucket in S3's layout; daily or weekly; and after a restart."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from urllib.parse import unquote_plus

import pytest

DAY = 86400


@pytest.fixture
def advance(server):
    def move(seconds: float) -> None:
        server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())

    return move


def _inventory(config_id="daily", frequency="Daily", versions="Current", fields=None, prefix="inv", **extra):
    document = {"Destination": {"S3BucketDestination": {"Bucket": "arn:aws:s3:::reports", "Format": "CSV",
                                                        "Prefix": prefix}},
                "IsEnabled": True, "Id": config_id, "IncludedObjectVersions": versions,
                "Schedule": {"Frequency": frequency}, **extra}
    if fields:
        document["OptionalFields"] = fields
    return document


def _keys(s3, bucket, prefix=""):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


def _body(s3, bucket, key) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def _reports(s3, base):
    """(manifest, rows) of every report under ``base`` in bucket ``reports``, oldest first,
    after checking each manifest's checksum, each data file's MD5 and the Hive symlink."""
    found = []
    for key in _keys(s3, "reports", base):
        if not key.endswith("/manifest.json"):
            continue
        text = _body(s3, "reports", key)
        checksum = _body(s3, "reports", key[: -len("manifest.json")] + "manifest.checksum").decode()
        assert checksum.strip() == hashlib.md5(text).hexdigest()
        manifest = json.loads(text)
        rows = []
        for entry in manifest["files"]:
            data = _body(s3, "reports", entry["key"])
            assert (len(data), hashlib.md5(data).hexdigest()) == (entry["size"], entry["MD5checksum"])
            rows += list(csv.reader(io.StringIO(gzip.decompress(data).decode())))
        stamp = key.split("/")[-2]  # YYYY-MM-DDTHH-MMZ
        hive = f"{base}/hive/dt={stamp[:10]}-{stamp[11:16]}/symlink.txt"
        assert _body(s3, "reports", hive).decode().split() == [f"s3://reports/{e['key']}" for e in manifest["files"]]
        found.append((manifest, rows))
    return found


def test_daily_csv_report_after_midnight(s3, advance):
    s3.create_bucket(Bucket="source")
    s3.create_bucket(Bucket="reports")
    s3.put_object(Bucket="source", Key="data/a b+c.txt", Body=b"hello")
    s3.put_object(Bucket="source", Key="data/é/x", Body=b"12345678", StorageClass="STANDARD_IA")
    s3.put_object(Bucket="source", Key="skipped", Body=b"not under the prefix")
    fields = ["Size", "ETag", "StorageClass", "LastModifiedDate", "IsMultipartUploaded", "EncryptionStatus"]
    s3.put_bucket_inventory_configuration(Bucket="source", Id="daily", InventoryConfiguration=_inventory(
        fields=fields, Filter={"Prefix": "data/"}))
    assert _keys(s3, "reports") == []
    advance(DAY)
    reports = _reports(s3, "inv/source/daily")
    assert len(reports) == 1
    manifest, rows = reports[0]
    assert manifest["sourceBucket"] == "source"
    assert manifest["destinationBucket"] == "arn:aws:s3:::reports"
    assert (manifest["version"], manifest["fileFormat"]) == ("2016-11-30", "CSV")
    assert manifest["creationTimestamp"].isdigit()
    assert manifest["fileSchema"] == ("Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, "
                                      "EncryptionStatus")
    assert all(entry["key"].startswith("inv/source/daily/data/") and entry["key"].endswith(".csv.gz")
               for entry in manifest["files"])
    heads = {key: s3.head_object(Bucket="source", Key=key) for key in ("data/a b+c.txt", "data/é/x")}
    assert [[row[0], unquote_plus(row[1])] + row[2:] for row in rows] == [
        ["source", key, str(head["ContentLength"]), head["LastModified"].strftime("%Y-%m-%dT%H:%M:%S.000Z"),
         head["ETag"].strip('"'), head.get("StorageClass", "STANDARD"), "false", "SSE-S3"]
        for key, head in heads.items()]
    assert rows[0][1] == "data/a+b%2Bc.txt"  # keys are URL-encoded
    # the CSV quotes every field, as S3's does
    data = _body(s3, "reports", manifest["files"][0]["key"])
    assert gzip.decompress(data).decode().splitlines()[0].startswith('"source","data/a+b%2Bc.txt","5",')
    # the next day brings the next report
    advance(DAY)
    assert len(_reports(s3, "inv/source/daily")) == 2


def test_all_versions_lists_versions_and_delete_markers(s3, advance):
    s3.create_bucket(Bucket="source")
    s3.create_bucket(Bucket="reports")
    s3.put_bucket_versioning(Bucket="source", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="source", Key="k", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket="source", Key="k", Body=b"two!")["VersionId"]
    marker = s3.delete_object(Bucket="source", Key="k")["VersionId"]
    s3.put_bucket_inventory_configuration(Bucket="source", Id="all", InventoryConfiguration=_inventory(
        config_id="all", versions="All", fields=["Size"], prefix=""))
    advance(DAY)
    [(manifest, rows)] = _reports(s3, "source/all")
    assert manifest["fileSchema"] == "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size"
    assert rows == [["source", "k", marker, "true", "true", ""], ["source", "k", second, "false", "false", "4"],
                    ["source", "k", first, "false", "false", "3"]]


def test_weekly_disabled_and_deleted_configurations(s3, advance):
    s3.create_bucket(Bucket="source")
    s3.create_bucket(Bucket="reports")
    s3.put_object(Bucket="source", Key="k", Body=b"v")
    s3.put_bucket_inventory_configuration(Bucket="source", Id="weekly",
                                          InventoryConfiguration=_inventory(config_id="weekly", frequency="Weekly"))
    s3.put_bucket_inventory_configuration(Bucket="source", Id="off", InventoryConfiguration={
        **_inventory(config_id="off"), "IsEnabled": False})
    s3.put_bucket_inventory_configuration(Bucket="source", Id="gone", InventoryConfiguration=_inventory(
        config_id="gone"))
    s3.delete_bucket_inventory_configuration(Bucket="source", Id="gone")
    advance(DAY)
    assert len(_reports(s3, "inv/source/weekly")) == 1
    advance(3 * DAY)
    assert len(_reports(s3, "inv/source/weekly")) == 1
    advance(4 * DAY)
    assert len(_reports(s3, "inv/source/weekly")) == 2
    assert _keys(s3, "reports", "inv/source/off") == [] and _keys(s3, "reports", "inv/source/gone") == []


def test_empty_source_and_missing_destination(s3, advance):
    s3.create_bucket(Bucket="source")
    s3.put_bucket_inventory_configuration(Bucket="source", Id="daily", InventoryConfiguration=_inventory())
    advance(DAY)  # no destination bucket: nothing written, nothing broken
    s3.create_bucket(Bucket="reports")
    advance(DAY)
    [(manifest, rows)] = _reports(s3, "inv/source/daily")
    assert (manifest["files"], rows) == ([], [])


def test_reports_resume_after_a_restart(tmp_path):
    """The configuration and its delivery state are S3's own rows and the clock's offset is
    persisted: after a kill -9, the report that falls due is delivered."""
    import boto3
    from botocore.config import Config
    from serverproc import ServerProcess

    proc = ServerProcess(str(tmp_path / "data")).start()
    try:
        s3 = boto3.session.Session().client(
            "s3", endpoint_url=proc.endpoint, region_name="us-east-1", aws_access_key_id="test",
            aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))
        s3.create_bucket(Bucket="source")
        s3.create_bucket(Bucket="reports")
        s3.put_object(Bucket="source", Key="k", Body=b"v")
        s3.put_bucket_inventory_configuration(Bucket="source", Id="daily", InventoryConfiguration=_inventory())
        proc.kill()
        proc.start()
        assert s3.get_bucket_inventory_configuration(Bucket="source", Id="daily")["InventoryConfiguration"] \
            == _inventory()
        assert _keys(s3, "reports") == []
        proc.post("/_overcast/clock", json.dumps({"advance": DAY}).encode())
        [(manifest, rows)] = _reports(s3, "inv/source/daily")
        assert rows == [["source", "k"]]
    finally:
        proc.stop()
