"""Versioned migrations: applied in order, once each, each in a transaction; data survives upgrades."""

from __future__ import annotations

import pytest

from overcast.storage import Storage, StorageError

V1 = "CREATE TABLE queues (account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, " \
     "PRIMARY KEY (account, region, name));"
V2 = "ALTER TABLE queues ADD COLUMN delay INTEGER NOT NULL DEFAULT 0; CREATE INDEX queues_delay ON queues (delay);"


def _open(tmp_path, migrations):
    storage = Storage(str(tmp_path))
    return storage, storage.database("sqs", migrations)


def versions(db):
    return [v for (v,) in db.query("SELECT version FROM schema_version ORDER BY version")]


def test_new_database_gets_every_migration_in_order(tmp_path):
    storage, db = _open(tmp_path, (V1, V2))
    assert versions(db) == [1, 2]
    db.execute("INSERT INTO queues (account, region, name, delay) VALUES ('1', 'r', 'q', 5)")
    storage.close()


def test_upgrade_keeps_old_data(tmp_path):
    storage, db = _open(tmp_path, (V1,))
    db.execute("INSERT INTO queues (account, region, name) VALUES ('1', 'us-east-1', 'orders')")
    assert versions(db) == [1]
    storage.close()

    storage, db = _open(tmp_path, (V1, V2))
    assert versions(db) == [1, 2]
    assert db.query("SELECT account, region, name, delay FROM queues") == [("1", "us-east-1", "orders", 0)]
    storage.close()


def test_reopening_applies_nothing_twice(tmp_path):
    storage, _ = _open(tmp_path, (V1, V2))
    storage.close()
    storage, db = _open(tmp_path, (V1, V2))  # would fail if V1 ran again (table exists)
    assert versions(db) == [1, 2]
    storage.close()


def test_failing_migration_leaves_previous_version_and_data(tmp_path):
    storage, db = _open(tmp_path, (V1,))
    db.execute("INSERT INTO queues (account, region, name) VALUES ('1', 'r', 'q')")
    storage.close()

    broken = "ALTER TABLE queues ADD COLUMN half INTEGER; CREATE TABLE oops (;"
    with pytest.raises(StorageError):
        _open(tmp_path, (V1, broken))

    storage, db = _open(tmp_path, (V1,))
    assert versions(db) == [1]
    columns = [row[1] for row in db.query("PRAGMA table_info(queues)")]
    assert "half" not in columns  # the first statement of the failed step was rolled back
    assert db.query("SELECT name FROM queues") == [("q",)]
    storage.close()


def test_python_migration_runs_in_the_same_transaction(tmp_path):
    def backfill(db):
        db.execute("UPDATE queues SET delay = 7")

    storage, db = _open(tmp_path, (V1,))
    db.execute("INSERT INTO queues (account, region, name) VALUES ('1', 'r', 'q')")
    storage.close()
    storage, db = _open(tmp_path, (V1, V2, backfill))
    assert db.query("SELECT delay FROM queues") == [(7,)]
    assert versions(db) == [1, 2, 3]
    storage.close()


def test_data_dir_newer_than_this_code_is_refused(tmp_path):
    storage, _ = _open(tmp_path, (V1, V2))
    storage.close()
    with pytest.raises(StorageError, match="newer"):
        _open(tmp_path, (V1,))
