"""Group commit: the transactions of one turn of the event loop share one commit, each
request is answered only after it, and a failing transaction or commit is reported to its
own waiters (``overcast.storage.group_commit``)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from overcast.storage import IntegrityError, Storage, StorageError, group_commit

SCHEMA = ("CREATE TABLE items (name TEXT PRIMARY KEY, size INTEGER NOT NULL);",)


@pytest.fixture
def storage(tmp_path):
    store = Storage(str(tmp_path))
    yield store
    store.close()


@pytest.fixture
def db(storage):
    return storage.database("things", SCHEMA)


def committed_names(path) -> set[str]:
    """What another connection sees: only committed rows."""
    conn = sqlite3.connect(path)
    try:
        return {name for (name,) in conn.execute("SELECT name FROM items")}
    finally:
        conn.close()


async def request(db, name: str, batches: list, seen_before_settle: list | None = None, path=None):
    """One request as the gateway runs it: write, then wait for the commit."""
    with group_commit.tracking():
        with db.transaction():
            db.execute("INSERT INTO items (name, size) VALUES (?, 1)", (name,))
            batches.append(db._batch)
        if seen_before_settle is not None:
            seen_before_settle.append(committed_names(path))
        await group_commit.settle()


def test_requests_of_one_turn_share_one_commit(db, tmp_path):
    path = str(tmp_path / "things.db")
    batches, seen = [], []

    async def main():
        await asyncio.gather(*(request(db, f"r{i}", batches, seen, path) for i in range(8)))

    asyncio.run(main())
    assert len(batches) == 8 and len({id(b) for b in batches}) == 1  # one commit for all eight
    assert all(names == set() for names in seen)  # not on disk before the commit...
    assert committed_names(path) == {f"r{i}" for i in range(8)}  # ...all of it after


def test_a_failing_transaction_rolls_back_alone(db, tmp_path):
    db.execute("INSERT INTO items (name, size) VALUES ('taken', 1)")
    outcomes = {}

    async def insert(name: str):
        with group_commit.tracking():
            try:
                with db.transaction():
                    db.execute("INSERT INTO items (name, size) VALUES ('fine-' || ?, 1)", (name,))
                    db.execute("INSERT INTO items (name, size) VALUES (?, 1)", (name,))
                await group_commit.settle()
                outcomes[name] = "ok"
            except IntegrityError:
                outcomes[name] = "conflict"

    async def main():
        await asyncio.gather(insert("a"), insert("taken"), insert("b"))

    asyncio.run(main())
    assert outcomes == {"a": "ok", "taken": "conflict", "b": "ok"}
    assert committed_names(str(tmp_path / "things.db")) == {"taken", "a", "fine-a", "b", "fine-b"}


def test_a_statement_outside_a_transaction_joins_the_commit(db, tmp_path):
    path = str(tmp_path / "things.db")

    async def main():
        with group_commit.tracking():
            db.execute("INSERT INTO items (name, size) VALUES ('plain', 1)")
            before = committed_names(path)
            await group_commit.settle()
            return before

    assert asyncio.run(main()) == set()
    assert committed_names(path) == {"plain"}


def test_without_an_event_loop_each_write_commits_at_once(db, tmp_path):
    db.execute("INSERT INTO items (name, size) VALUES ('sync', 1)")
    assert db._batch is None
    assert committed_names(str(tmp_path / "things.db")) == {"sync"}


class _FailingCommits:
    """The connection, except that COMMIT fails as on a full disk."""

    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql, *args):
        if sql == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_a_failed_commit_is_raised_to_every_waiter_and_nothing_is_written(db, tmp_path):
    real = db._conn
    db._conn = _FailingCommits(real)
    errors = []

    async def write(name):
        with group_commit.tracking():
            with db.transaction():
                db.execute("INSERT INTO items (name, size) VALUES (?, 1)", (name,))
            try:
                await group_commit.settle()
            except StorageError as exc:
                errors.append((name, str(exc)))

    async def main():
        await asyncio.gather(write("x"), write("y"))

    try:
        asyncio.run(main())
    finally:
        db._conn = real
    assert sorted(errors) == [("x", "database or disk is full"), ("y", "database or disk is full")]
    assert committed_names(str(tmp_path / "things.db")) == set()
    db.execute("INSERT INTO items (name, size) VALUES ('later', 1)")  # the database goes on
    assert committed_names(str(tmp_path / "things.db")) == {"later"}


def test_close_commits_what_the_last_turn_wrote(tmp_path):
    storage = Storage(str(tmp_path))
    db = storage.database("things", SCHEMA)

    async def main():
        db.execute("INSERT INTO items (name, size) VALUES ('last', 1)")
        storage.close()  # before the turn ends

    asyncio.run(main())
    assert committed_names(str(tmp_path / "things.db")) == {"last"}
