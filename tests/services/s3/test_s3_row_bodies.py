"""A small object's bytes are held in its version row (``versions.body``, schema V6), and objects
written before, whose bytes are in the inline blobs' table, still read, copy, overwrite and
delete as before (a data dir of an older server keeps working, without a migration of bytes)."""

from __future__ import annotations

import contextlib
import os
import sqlite3

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess

from overcast.services.s3.schema import MIGRATIONS
from overcast.services.s3.store import ROW_BODY_LIMIT, ObjectStore, ObjectVersion
from overcast.storage.blobs import BlobStore
from overcast.storage.inline_blobs import TABLE as INLINE_TABLE
from overcast.storage.store import Storage

# -- the store alone ----------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    db = Storage(str(tmp_path)).database("s3", MIGRATIONS)
    blobs = BlobStore(str(tmp_path / "blobs"), inline_limit=64 * 1024, inline_db=db)
    yield ObjectStore(db, blobs)
    blobs.close()
    db.close()


def _put(store: ObjectStore, key: str, body: bytes, versioning: str | None = None) -> ObjectVersion:
    info = store.blobs.write_bytes(body)
    return store.put("aws", "b", ObjectVersion(key=key, blob=info.id, size=info.size, etag="e"), versioning)


def _inline_ids(store: ObjectStore) -> set[str]:
    return {row[0] for row in store.db.query(f"SELECT id FROM {INLINE_TABLE}")}


def _body_of(store: ObjectStore, key: str):
    return store.db.query_one("SELECT body FROM versions WHERE key = ? AND latest = 1", (key,))[0]


def test_a_small_body_is_written_in_its_row_not_in_the_blob_store(store):
    put = _put(store, "k", b"small")
    assert _body_of(store, "k") == b"small" and _inline_ids(store) == set()
    assert not store.blobs.exists(put.blob)
    found = store.current("aws", "b", "k")
    assert found.in_row and found.blob == put.blob and found.blob_ids() == []
    assert b"".join(store.read(found)) == b"small"
    assert b"".join(store.read(found, 1, 3)) == b"mal"
    assert list(store.referenced_blobs()) == []  # nothing of the blob store's is referenced


def test_a_body_over_the_row_limit_stays_in_the_blob_store(store):
    big = os.urandom(ROW_BODY_LIMIT + 1)
    put = _put(store, "k", big)
    assert _body_of(store, "k") is None and _inline_ids(store) == {put.blob}
    assert b"".join(store.read(store.current("aws", "b", "k", with_bytes=True))) == big
    assert b"".join(store.read(store.current("aws", "b", "k"))) == big  # without the bytes: by blob id


def test_overwrites_move_a_body_between_the_row_and_the_blob_store(store):
    big = os.urandom(ROW_BODY_LIMIT + 1)
    first = _put(store, "k", big)
    _put(store, "k", b"now small")  # the inline blob it replaces is freed
    assert _body_of(store, "k") == b"now small" and not store.blobs.exists(first.blob)
    third = _put(store, "k", big)  # the row's own bytes go with the overwrite; nothing to free
    assert _body_of(store, "k") is None and set(store.blobs.ids()) == {third.blob}
    assert b"".join(store.read(store.current("aws", "b", "k", with_bytes=True))) == big


def test_an_overwrite_frees_the_parts_of_a_multipart_object(store):
    parts = [store.blobs.write_bytes(os.urandom(ROW_BODY_LIMIT + 1)).id, store.blobs.write_bytes(b"tail").id]
    store.put("aws", "b", ObjectVersion(key="k", size=ROW_BODY_LIMIT + 5, etag="e-2",
                                        attrs={"parts": [[blob, 0, "e", None] for blob in parts]}), None)
    _put(store, "k", b"small again")
    assert [store.blobs.exists(blob) for blob in parts] == [False, False]
    assert _body_of(store, "k") == b"small again"


def test_versions_of_a_key_each_hold_their_own_body(store):
    one = _put(store, "k", b"one", "Enabled")
    two = _put(store, "k", b"two", "Enabled")
    assert b"".join(store.read(store.version("aws", "b", "k", one.version))) == b"one"
    assert b"".join(store.read(store.current("aws", "b", "k", with_bytes=True))) == b"two"
    store.remove_version("aws", "b", "k", two.version, 0.0)
    assert b"".join(store.read(store.current("aws", "b", "k", with_bytes=True))) == b"one"


def test_a_write_rolled_back_leaves_neither_row_nor_bytes(store):
    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack):
        with store.db.transaction():
            _put(store, "k", b"never")
            raise RolledBack()
    assert store.current("aws", "b", "k") is None
    assert _inline_ids(store) == set() and list(store.blobs.ids()) == []


def test_a_copy_of_a_row_held_body_holds_the_bytes_under_its_own_id(store):
    source = store.current("aws", "b", _put(store, "src", b"copied bytes").key)
    new = ObjectVersion(key="dst", size=source.size, etag=source.etag)
    assert store.link_body(source, new)
    store.put("aws", "b", new, None)
    assert new.blob != source.blob and _body_of(store, "dst") == b"copied bytes"
    store.delete("aws", "b", "src", None, 0.0)
    assert b"".join(store.read(store.current("aws", "b", "dst"))) == b"copied bytes"


def test_a_database_of_schema_v5_reads_its_inline_bodies_after_the_upgrade(tmp_path):
    db = Storage(str(tmp_path)).database("s3", MIGRATIONS[:5])
    blobs = BlobStore(str(tmp_path / "blobs"), inline_limit=64 * 1024, inline_db=db)
    blob = blobs.write_bytes(b"written by an older server").id
    db.execute("INSERT INTO versions (partition, bucket, key, version, seq, latest, blob, size, etag, modified, "
               "headers, meta) VALUES ('aws', 'b', 'k', 'null', 1, 1, ?, 26, 'e', 1.0, '{}', '{}')", (blob,))
    blobs.close()
    db.close()
    db = Storage(str(tmp_path)).database("s3", MIGRATIONS)
    blobs = BlobStore(str(tmp_path / "blobs"), inline_limit=64 * 1024, inline_db=db)
    store = ObjectStore(db, blobs)
    found = store.current("aws", "b", "k", with_bytes=True)
    assert not found.in_row and found.data == b"written by an older server"
    assert b"".join(store.read(store.current("aws", "b", "k"))) == b"written by an older server"
    assert list(store.referenced_blobs()) == [blob]
    blobs.close()
    db.close()


# -- through a server, on a data dir an older server wrote -------------------------------------------


def _client(endpoint: str):
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def _as_before_v6(data_dir: str) -> None:
    """Move every row-held body into the inline blobs' table, as a server before V6 kept them."""
    with contextlib.closing(sqlite3.connect(os.path.join(data_dir, "s3.db"))) as db, db:
        moved = db.execute(f"INSERT INTO {INLINE_TABLE} (id, data) SELECT blob, body FROM versions "
                           "WHERE body IS NOT NULL").rowcount
        assert moved and db.execute("UPDATE versions SET body = NULL").rowcount


def _inline_and_row_bodies(data_dir: str) -> tuple[set[str], set[str]]:
    with contextlib.closing(sqlite3.connect(os.path.join(data_dir, "s3.db"))) as db:
        inline = {row[0] for row in db.execute(f"SELECT id FROM {INLINE_TABLE}")}
        in_rows = {row[0] for row in db.execute("SELECT key FROM versions WHERE body IS NOT NULL")}
    return inline, in_rows


def test_objects_of_an_older_data_dir_read_copy_overwrite_and_delete(own_server):
    s3 = _client(own_server.endpoint)
    s3.create_bucket(Bucket="older")
    bodies = {key: os.urandom(1000 + n) for n, key in enumerate(("kept", "copied", "overwritten", "deleted"))}
    for key, body in bodies.items():
        s3.put_object(Bucket="older", Key=key, Body=body, ContentType="text/x-older")
    s3.put_object(Bucket="older", Key="kms", Body=b"under kms", ServerSideEncryption="aws:kms")
    own_server.stop()
    _as_before_v6(own_server.data_dir)
    own_server.start()  # the start-up sweep must keep the bodies it finds in the table
    s3 = _client(own_server.endpoint)
    for key, body in bodies.items():
        got = s3.get_object(Bucket="older", Key=key)
        assert got["Body"].read() == body and got["ContentType"] == "text/x-older"
    assert s3.get_object(Bucket="older", Key="kept", Range="bytes=10-19")["Body"].read() == bodies["kept"][10:20]
    assert s3.head_object(Bucket="older", Key="kept")["ContentLength"] == len(bodies["kept"])
    assert s3.get_object(Bucket="older", Key="kms")["Body"].read() == b"under kms"
    s3.copy_object(Bucket="older", Key="copy", CopySource="older/copied")
    s3.put_object(Bucket="older", Key="overwritten", Body=b"new bytes")
    s3.delete_object(Bucket="older", Key="deleted")
    assert s3.get_object(Bucket="older", Key="copy")["Body"].read() == bodies["copied"]
    assert s3.get_object(Bucket="older", Key="overwritten")["Body"].read() == b"new bytes"
    own_server.stop()  # the freed inline blobs' removals are written at close
    inline, in_rows = _inline_and_row_bodies(own_server.data_dir)
    assert in_rows == {"copy", "overwritten"}  # what this server wrote is held in rows
    assert len(inline) == 3  # kept, copied, kms: the overwritten and the deleted bodies are gone
    own_server.start()
    s3 = _client(own_server.endpoint)
    for key in ("kept", "copied", "copy"):
        assert s3.get_object(Bucket="older", Key=key)["Body"].read() == bodies["kept" if key == "kept" else "copied"]
