"""Data written by the first S3 schema is carried over by the versioned one, unchanged."""

from __future__ import annotations

from overcast.services.s3.schema import MIGRATIONS
from overcast.services.s3.store import ObjectStore
from overcast.storage.store import Storage


def test_v1_objects_become_null_versions(tmp_path):
    storage = Storage(str(tmp_path))
    db = storage.database("s3", MIGRATIONS[:1])
    db.execute("INSERT INTO buckets VALUES ('aws', 'old', '000000000000', 'us-east-1', 1.0)")
    db.execute("INSERT INTO objects VALUES ('aws', 'old', 'a/b.txt', ?, 3, '\"etag\"', 2.0, "
               "'{\"ContentType\": \"text/plain\"}', '{\"k\": \"v\"}', 'AAAAAA==')", ("0" * 32,))
    db.execute("INSERT INTO objects VALUES ('aws', 'old', 'plain', ?, 1, '\"e2\"', 3.0, '{}', '{}', NULL)",
               ("1" * 32,))
    db.close()

    db = Storage(str(tmp_path)).database("s3", MIGRATIONS)
    store = ObjectStore(db, None)
    first = store.current("aws", "old", "a/b.txt")
    assert (first.version, first.latest, first.marker, first.blob, first.size) == ("null", True, False, "0" * 32, 3)
    assert first.headers == {"ContentType": "text/plain"} and first.meta == {"k": "v"}
    assert first.attrs == {"checksum": {"algorithm": "CRC32", "value": "AAAAAA==", "type": "FULL_OBJECT"}}
    assert store.current("aws", "old", "plain").attrs == {}
    assert db.query_one("SELECT versioning FROM buckets WHERE name = 'old'") == (None,)
    assert sorted(store.referenced_blobs()) == ["0" * 32, "1" * 32]
