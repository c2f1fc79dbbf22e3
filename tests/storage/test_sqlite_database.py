"""The SQLite backend: pragmas, statements, transactions, errors."""

from __future__ import annotations

import asyncio

import pytest

from overcast.storage import IntegrityError, Storage, StorageError, TransactionMisuse
from overcast.storage.sqlite import split_statements

SCHEMA = ("CREATE TABLE items (name TEXT PRIMARY KEY, size INTEGER NOT NULL);",)


@pytest.fixture
def storage(tmp_path):
    store = Storage(str(tmp_path))
    yield store
    store.close()


@pytest.fixture
def db(storage):
    return storage.database("things", SCHEMA)


def test_one_file_per_service_in_wal_mode(storage, tmp_path):
    db = storage.database("things", SCHEMA)
    assert (tmp_path / "things.db").exists()
    assert db.journal_mode() == "wal"
    assert db.query_one("PRAGMA synchronous") == (1,)  # NORMAL
    assert db.query_one("PRAGMA foreign_keys") == (1,)
    assert db.query_one("PRAGMA temp_store") == (2,)  # MEMORY
    assert db.query_one("PRAGMA busy_timeout")[0] >= 1000


def test_fsync_setting_selects_synchronous_full(tmp_path):
    storage = Storage(str(tmp_path), fsync=True)
    try:
        assert storage.database("things", SCHEMA).query_one("PRAGMA synchronous") == (2,)  # FULL
    finally:
        storage.close()


def test_database_is_cached_per_service(storage):
    assert storage.database("things", SCHEMA) is storage.database("things", SCHEMA)
    assert storage.database("other", SCHEMA) is not storage.database("things", SCHEMA)


@pytest.mark.parametrize("name", ["../etc", "a/b", "", "UPPER", ".hidden", "x" * 80, None])
def test_service_names_cannot_name_paths(storage, name):
    with pytest.raises(ValueError):
        storage.database(name, SCHEMA)
    with pytest.raises(ValueError):
        storage.blobs(name)


def test_execute_query_and_rowcounts(db):
    assert db.execute("INSERT INTO items (name, size) VALUES (?, ?)", ("a", 1)) == 1
    assert db.executemany("INSERT INTO items (name, size) VALUES (?, ?)", [("b", 2), ("c", 3)]) == 2
    assert db.query("SELECT name, size FROM items ORDER BY name") == [("a", 1), ("b", 2), ("c", 3)]
    assert db.query_one("SELECT size FROM items WHERE name = ?", ("b",)) == (2,)
    assert db.query_one("SELECT size FROM items WHERE name = ?", ("zz",)) is None
    assert db.execute("UPDATE items SET size = size + 1 WHERE size >= ?", (2,)) == 2
    assert db.query("INSERT INTO items (name, size) VALUES (?, ?) RETURNING size", ("d", 9)) == [(9,)]


def test_upsert_subset_works(db):
    sql = ("INSERT INTO items (name, size) VALUES (?, ?) "
           "ON CONFLICT (name) DO UPDATE SET size = excluded.size")
    db.execute(sql, ("a", 1))
    db.execute(sql, ("a", 5))
    assert db.query("SELECT name, size FROM items") == [("a", 5)]


def test_constraint_violation_is_integrity_error(db):
    db.execute("INSERT INTO items (name, size) VALUES ('a', 1)")
    with pytest.raises(IntegrityError):
        db.execute("INSERT INTO items (name, size) VALUES ('a', 2)")
    with pytest.raises(IntegrityError):
        db.execute("INSERT INTO items (name, size) VALUES ('b', NULL)")


def test_bad_sql_is_storage_error(db):
    with pytest.raises(StorageError):
        db.query("SELECT nothing FROM nowhere")


def test_transaction_commits(db):
    with db.transaction():
        db.execute("INSERT INTO items (name, size) VALUES ('a', 1)")
        db.execute("INSERT INTO items (name, size) VALUES ('b', 2)")
        assert db.in_transaction
    assert not db.in_transaction
    assert db.query_one("SELECT COUNT(*) FROM items") == (2,)


def test_transaction_rolls_back_on_exception(db):
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.execute("INSERT INTO items (name, size) VALUES ('a', 1)")
            raise RuntimeError("boom")
    assert db.query_one("SELECT COUNT(*) FROM items") == (0,)
    assert not db.in_transaction


def test_transaction_rolls_back_on_constraint_violation(db):
    db.execute("INSERT INTO items (name, size) VALUES ('a', 1)")
    with pytest.raises(IntegrityError):
        with db.transaction():
            db.execute("INSERT INTO items (name, size) VALUES ('b', 2)")
            db.execute("INSERT INTO items (name, size) VALUES ('a', 3)")
    assert db.query("SELECT name FROM items") == [("a",)]


def test_nested_transaction_rolls_back_only_the_inner_block(db):
    with db.transaction():
        db.execute("INSERT INTO items (name, size) VALUES ('outer', 1)")
        with pytest.raises(ValueError):
            with db.transaction():
                db.execute("INSERT INTO items (name, size) VALUES ('inner', 2)")
                raise ValueError
        with db.transaction():
            db.execute("INSERT INTO items (name, size) VALUES ('second', 3)")
    assert db.query("SELECT name FROM items ORDER BY name") == [("outer",), ("second",)]


def test_nested_failure_propagating_rolls_back_everything(db):
    with pytest.raises(KeyError):
        with db.transaction():
            db.execute("INSERT INTO items (name, size) VALUES ('outer', 1)")
            with db.transaction():
                db.execute("INSERT INTO items (name, size) VALUES ('inner', 2)")
                raise KeyError("x")
    assert db.query("SELECT name FROM items") == []


def test_statement_from_another_task_inside_a_transaction_is_refused(db):
    async def main():
        entered, release = asyncio.Event(), asyncio.Event()

        async def holder():
            with db.transaction():
                db.execute("INSERT INTO items (name, size) VALUES ('held', 1)")
                entered.set()
                await release.wait()  # the misuse: an await inside a transaction

        task = asyncio.create_task(holder())
        await entered.wait()
        with pytest.raises(TransactionMisuse):
            db.execute("INSERT INTO items (name, size) VALUES ('intruder', 2)")
        with pytest.raises(TransactionMisuse):
            with db.transaction():
                pass
        release.set()
        await task

    asyncio.run(main())
    assert db.query("SELECT name FROM items") == [("held",)]


def test_committed_rows_are_seen_by_a_new_connection(tmp_path):
    first = Storage(str(tmp_path))
    first.database("things", SCHEMA).execute("INSERT INTO items (name, size) VALUES ('a', 1)")
    second = Storage(str(tmp_path))  # another connection, before the first closes
    try:
        assert second.database("things", SCHEMA).query("SELECT name FROM items") == [("a",)]
    finally:
        second.close()
        first.close()


def test_split_statements_keeps_semicolons_in_strings_and_comments():
    script = """
    CREATE TABLE a (x TEXT DEFAULT ';');  -- a comment; with a semicolon
    INSERT INTO a (x) VALUES ('one;two');
    /* block; comment */ CREATE INDEX a_x ON a (x)
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert "one;two" in statements[1]
