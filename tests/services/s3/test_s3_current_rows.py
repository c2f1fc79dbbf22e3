"""GET's remembered current-version rows (services/s3/current_rows.py) never answer stale
state: every change of a key is seen by the next read, and a row read before its write was
committed is not remembered (a rolled-back write leaves nothing behind)."""

from __future__ import annotations

import pytest

from overcast.services.s3.schema import MIGRATIONS
from overcast.services.s3.store import ObjectStore, ObjectVersion
from overcast.storage.blobs import BlobStore
from overcast.storage.store import Storage


def test_every_change_of_a_key_is_read_back(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"first"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"first"  # now remembered

    s3.put_object(Bucket=bucket, Key="k", Body=b"second")  # an overwrite in place (null version)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"

    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 1

    s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"},
                   StorageClass="STANDARD_IA", MetadataDirective="COPY")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["StorageClass"] == "STANDARD_IA" and got["Body"].read() == b"second"

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    third = s3.put_object(Bucket=bucket, Key="k", Body=b"third")["VersionId"]
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["VersionId"] == third and got["Body"].read() == b"third"

    s3.delete_object(Bucket=bucket, Key="k")  # a delete marker becomes current
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="k")

    markers = s3.list_object_versions(Bucket=bucket)["DeleteMarkers"]
    s3.delete_object(Bucket=bucket, Key="k", VersionId=markers[0]["VersionId"])  # the previous one again
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"third"

    s3.delete_object(Bucket=bucket, Key="k", VersionId=third)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"


def test_a_reset_forgets_remembered_rows(s3, bucket, server):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.get_object(Bucket=bucket, Key="k")["Body"].read()
    server.post("/_overcast/reset")
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="k")


def _store(tmp_path):
    db = Storage(str(tmp_path)).database("s3", MIGRATIONS)
    blobs = BlobStore(str(tmp_path / "blobs"), inline_limit=4096, inline_db=db)
    return db, ObjectStore(db, blobs)


def _write(store, body: bytes) -> None:
    info = store.blobs.write_bytes(body)
    store.put("aws", "b", ObjectVersion(key="k", blob=info.id, size=info.size, etag=body.decode()), None)


def test_a_row_read_before_its_commit_is_not_remembered(tmp_path):
    db, store = _store(tmp_path)
    _write(store, b"one")
    assert store.current("aws", "b", "k", with_bytes=True).data == b"one"  # committed: remembered

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack):
        with db.transaction():
            _write(store, b"two")
            assert store.current("aws", "b", "k", with_bytes=True).data == b"two"  # uncommitted
            raise RolledBack()
    found = store.current("aws", "b", "k", with_bytes=True)
    assert (found.etag, found.data) == ("one", b"one")
    db.close()


def test_a_remembered_row_gives_each_reader_its_own_version(tmp_path):
    db, store = _store(tmp_path)
    _write(store, b"one")
    first = store.current("aws", "b", "k", with_bytes=True)
    first.attrs["changed"] = True  # a caller changing what it got
    first.headers["ContentType"] = "x/y"
    again = store.current("aws", "b", "k", with_bytes=True)
    assert again.attrs == {} and again.headers == {} and again.data == b"one"
    assert store.current("aws", "b", "k").data == b"one"  # held in its row: they come with it
    db.close()
