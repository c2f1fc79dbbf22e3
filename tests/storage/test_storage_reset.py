"""Storage.reset (POST /_overcast/reset) while connections stay open; the scope convention."""

from __future__ import annotations

import os
from types import SimpleNamespace

from overcast.storage import GLOBAL_REGION, Scope, Storage, partition_of

SCHEMA = (
    "CREATE TABLE parents (id TEXT PRIMARY KEY);"
    "CREATE TABLE children (id TEXT PRIMARY KEY, parent TEXT NOT NULL REFERENCES parents (id));"
    "CREATE VIEW child_count AS SELECT COUNT(*) AS n FROM children;",
)


def test_reset_wipes_open_databases_and_keeps_them_usable(tmp_path):
    storage = Storage(str(tmp_path))
    db = storage.database("svc", SCHEMA)
    db.execute("INSERT INTO parents (id) VALUES ('p')")
    db.execute("INSERT INTO children (id, parent) VALUES ('c', 'p')")
    db.execute("CREATE TABLE stray (x INTEGER)")  # not from a migration: goes too
    inode = os.stat(tmp_path / "svc.db").st_ino

    storage.reset()

    assert storage.database("svc", SCHEMA) is db
    assert os.stat(tmp_path / "svc.db").st_ino == inode  # same file under the live connection
    assert db.query("SELECT id FROM parents") == []
    assert db.query("SELECT n FROM child_count") == [(0,)]
    tables = {name for (name,) in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"parents", "children", "schema_version"}
    db.execute("INSERT INTO parents (id) VALUES ('again')")  # same connection, still working
    assert db.query_one("SELECT MAX(version) FROM schema_version") == (1,)
    storage.close()


def test_reset_removes_databases_and_blobs_not_open_in_this_process(tmp_path):
    earlier = Storage(str(tmp_path))
    earlier.database("old", SCHEMA).execute("INSERT INTO parents (id) VALUES ('p')")
    earlier.blobs("old").write_bytes(b"old bytes")
    earlier.close()

    storage = Storage(str(tmp_path))
    storage.reset()
    assert not (tmp_path / "old.db").exists()
    assert list(storage.blobs("old").ids()) == []
    assert storage.database("old", SCHEMA).query("SELECT id FROM parents") == []
    storage.close()


def test_reset_wipes_blobs_of_open_stores(tmp_path):
    storage = Storage(str(tmp_path))
    blobs = storage.blobs("s3")
    blob_id = blobs.write_bytes(b"x").id
    reader = blobs.read(blob_id)  # a GetObject in flight
    storage.reset()
    assert not blobs.exists(blob_id)
    assert b"".join(reader) == b"x"
    assert blobs.read_bytes(blobs.write_bytes(b"y").id) == b"y"


def test_services_on_disk(tmp_path):
    storage = Storage(str(tmp_path))
    storage.database("sqs", ())
    storage.blobs("s3")
    assert storage.services_on_disk() == {"sqs", "s3"}
    storage.close()


def test_scope_helpers():
    ctx = SimpleNamespace(account="123456789012", region="eu-west-1")
    scope = Scope.of(ctx)
    assert scope == ("123456789012", "eu-west-1")
    assert (*scope, "name") == ("123456789012", "eu-west-1", "name")
    assert Scope.global_of(ctx) == ("123456789012", GLOBAL_REGION)
    assert Scope.WHERE == "account = ? AND region = ?"
    assert scope.partition == "aws"
    assert partition_of("cn-north-1") == "aws-cn"
    assert partition_of("us-gov-west-1") == "aws-us-gov"


def test_scoped_tables_keep_accounts_apart(tmp_path):
    storage = Storage(str(tmp_path))
    db = storage.database("sqs", (
        "CREATE TABLE queues (account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, "
        "PRIMARY KEY (account, region, name));",
    ))
    a, b = Scope("111111111111", "us-east-1"), Scope("222222222222", "us-east-1")
    for scope in (a, b, Scope("111111111111", "eu-west-1")):
        db.execute("INSERT INTO queues (account, region, name) VALUES (?, ?, ?)", (*scope, "orders"))
    assert db.query(f"SELECT account FROM queues WHERE {Scope.WHERE} AND name = ?", (*a, "orders")) == [
        ("111111111111",)
    ]
    storage.close()
