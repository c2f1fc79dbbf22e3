"""The SQLite backend: one file per service, WAL mode, one connection on the event loop.

Durability: in WAL mode a commit appends the transaction to ``<service>.db-wal`` with a
``write()`` before ``COMMIT`` returns. With ``synchronous=NORMAL`` (the default) the WAL is not
fsynced at each commit, so a commit survives the process being killed at any instant (the
data is in the OS page cache) but not necessarily a power loss; ``--fsync`` selects
``synchronous=FULL``, which fsyncs the WAL at every commit.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import weakref
from typing import Iterable, Sequence

from overcast.storage import group_commit
from overcast.storage.database import Database, Migration, Params, Row
from overcast.storage.errors import IntegrityError, StorageError, StorageUnavailable, TransactionMisuse
from overcast.storage.migrations import apply_migrations

# Page cache per database, in KiB (negative means KiB to SQLite): enough for the hot pages
# of a service's tables without letting thirty services hold hundreds of MiB.
_CACHE_KIB = 8192
# Bound the WAL file after checkpoints, so a burst of writes does not leave a huge file.
_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
# WAL checkpoints run on a thread of their own (``_Checkpointer``) this often: a checkpoint
# copies pages into the database file and fsyncs it, milliseconds that would otherwise stall
# the event loop inside whichever commit crossed SQLite's threshold (measured: a quarter of
# the wall time of a stream of small S3 PUTs). The connection's own automatic checkpoint
# stays as a backstop at this many pages (64 MiB), far above what the thread lets pile up.
_CHECKPOINT_SECONDS = 0.1
_BACKSTOP_CHECKPOINT_PAGES = 16384
_BUSY_TIMEOUT_MS = 5000


def _current_task():
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop: plain synchronous use (tools, tests)
        return None


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _is_read(sql: str) -> bool:
    """A statement that writes nothing (run outside a transaction, it needs no commit)."""
    head = sql.lstrip()[:6].upper()
    return head == "SELECT" or head == "PRAGMA"


def _retrieve(commit: asyncio.Future) -> None:
    if not commit.cancelled():
        commit.exception()  # a failure nobody awaited is not logged as "never retrieved"


# SQLite's primary result codes (the low byte) for a disk that is full or failing to write
_CANNOT_STORE = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)


def _translate(exc: sqlite3.Error) -> StorageError:
    if isinstance(exc, sqlite3.IntegrityError):
        return IntegrityError(str(exc))
    if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in _CANNOT_STORE:
        return StorageUnavailable(str(exc))
    return StorageError(str(exc))


def split_statements(script: str) -> list[str]:
    """Split SQL text into complete statements (``;`` inside strings or comments is kept)."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                statements.append(pending)
            pending = ""
    if pending.strip(" \t\r\n;"):
        statements.append(pending)
    return statements


class _Transaction:
    """Context manager of ``SqliteDatabase.transaction()``: BEGIN or SAVEPOINT, by depth."""

    __slots__ = ("_db",)

    def __init__(self, db: "SqliteDatabase"):
        self._db = db

    def __enter__(self) -> "SqliteDatabase":
        self._db._begin()
        return self._db

    def __exit__(self, exc_type, exc, tb) -> None:
        self._db._end(exc_type is None)


class SqliteDatabase(Database):
    """``Database`` over one SQLite file.

    ``pre_write`` (set by the blob store's inline blobs, ``inline_blobs.py``) holds writes
    that must be committed no later than the next write on this connection: while it has
    some ``pending``, any statement other than a SELECT first runs its ``flush(conn)``,
    inside the statement's transaction (or in one of its own for a statement outside any).
    """

    pre_write = None

    def __init__(self, path: str, service: str, fsync: bool = False, group_commit: bool = True):
        self.path = path
        self.service = service
        self.fsync = fsync
        self.migrations: tuple[Migration, ...] = ()
        self._depth = 0
        self._owner = None
        # Group commit (``overcast.storage.group_commit``): on an event loop, the open write
        # transaction the turn's transactions join, and the future its COMMIT resolves.
        self._group = group_commit
        self._batch: asyncio.Future | None = None
        self._commit_when_done = False
        try:
            self._conn = sqlite3.connect(
                path,
                isolation_level=None,  # autocommit; transactions are ours (BEGIN/SAVEPOINT)
                check_same_thread=False,  # created and used on the loop thread; tools may differ
                cached_statements=512,
                timeout=_BUSY_TIMEOUT_MS / 1000,
            )
            self._configure()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the {service} database at {path}: {exc}") from exc

    def _configure(self) -> None:
        conn = self._conn
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StorageError(f"{self.path}: WAL mode unavailable (got {mode})")
        conn.execute(f"PRAGMA synchronous={'FULL' if self.fsync else 'NORMAL'}")
        conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA foreign_keys=ON")  # as PostgreSQL would enforce them
        conn.execute(f"PRAGMA journal_size_limit={_JOURNAL_SIZE_LIMIT}")
        conn.execute(f"PRAGMA wal_autocheckpoint={_BACKSTOP_CHECKPOINT_PAGES}")
        self._checkpointer = _Checkpointer(self)

    # -- statements ------------------------------------------------------------------------

    def _check_owner(self) -> None:
        if self._owner is not _current_task():
            raise TransactionMisuse(
                f"the {self.service} database has a transaction open in another task "
                "(a transaction() block must not contain an await)"
            )

    def _flush_pre_write(self, sql: str) -> None:
        """Run the pending ``pre_write`` before statement ``sql`` (not for a read)."""
        if _is_read(sql):
            return
        conn = self._conn
        try:
            if conn.in_transaction:
                self.pre_write.flush(conn)
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                self.pre_write.flush(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    def _grouped_write(self, sql: str) -> bool:
        """Whether a statement outside any transaction must run as one (a write while group
        commit is on: it joins the turn's commit instead of committing alone)."""
        return self._group and self._depth == 0 and not _is_read(sql) and _running_loop() is not None

    def execute(self, sql: str, params: Params = ()) -> int:
        if self._depth:
            self._check_owner()
        elif self._grouped_write(sql):
            with self.transaction():
                return self.execute(sql, params)
        if self.pre_write is not None and self.pre_write.pending:
            self._flush_pre_write(sql)
        try:
            return self._conn.execute(sql, params).rowcount
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    def executemany(self, sql: str, seq_of_params: Iterable[Params]) -> int:
        if self._depth:
            self._check_owner()
        elif self._grouped_write(sql):
            with self.transaction():
                return self.executemany(sql, seq_of_params)
        if self.pre_write is not None and self.pre_write.pending:
            self._flush_pre_write(sql)
        try:
            return self._conn.executemany(sql, seq_of_params).rowcount
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        if self._depth:
            self._check_owner()
        elif self._grouped_write(sql):  # DELETE ... RETURNING
            with self.transaction():
                return self.query(sql, params)
        if self.pre_write is not None and self.pre_write.pending:
            self._flush_pre_write(sql)  # DELETE ... RETURNING is a write
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    def query_one(self, sql: str, params: Params = ()) -> Row | None:
        if self._depth:
            self._check_owner()
        elif self._grouped_write(sql):
            with self.transaction():
                return self.query_one(sql, params)
        if self.pre_write is not None and self.pre_write.pending:
            self._flush_pre_write(sql)
        try:
            return self._conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    def execute_script(self, sql: str) -> None:
        for statement in split_statements(sql):
            self.execute(statement)

    # -- transactions ----------------------------------------------------------------------

    def transaction(self) -> _Transaction:
        return _Transaction(self)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @property
    def holds_uncommitted(self) -> bool:
        conn = self._conn
        return conn is None or conn.in_transaction  # the group commit batch included

    def _begin(self) -> None:
        try:
            if self._depth == 0:
                loop = _running_loop() if self._group else None
                if loop is not None:
                    self._join_batch(loop)
                    return
                # IMMEDIATE takes the write lock now, so a second process gets a clean
                # busy-wait instead of a deadlock when upgrading a read lock.
                self._conn.execute("BEGIN IMMEDIATE")
                self._owner = _current_task()
                if self.pre_write is not None and self.pre_write.pending:
                    try:
                        self.pre_write.flush(self._conn)  # in this transaction: one commit for both
                    except BaseException:
                        self._owner = None
                        self._conn.execute("ROLLBACK")
                        raise
            else:
                self._check_owner()
                self._conn.execute(f"SAVEPOINT sp{self._depth}")
        except sqlite3.Error as exc:
            raise _translate(exc) from exc
        self._depth += 1

    # -- group commit (overcast.storage.group_commit) -----------------------------------------

    def _join_batch(self, loop) -> None:
        """Open this transaction as a savepoint of the turn's write transaction (opening that
        one, and scheduling its commit, if this is the turn's first)."""
        conn = self._conn
        batch = self._batch
        if batch is not None and not conn.in_transaction:  # an I/O error rolled it all back
            self._batch = None
            batch.set_exception(StorageError(f"the {self.service} database rolled back a transaction"))
            batch = None
        if batch is None:
            conn.execute("BEGIN IMMEDIATE")
            batch = self._batch = loop.create_future()
            batch.add_done_callback(_retrieve)
            loop.call_soon(self._commit_batch, batch)
        conn.execute("SAVEPOINT tx")
        self._owner = _current_task()
        self._depth = 1
        group_commit.wait_for(batch)
        if self.pre_write is not None and self.pre_write.pending:
            try:
                self.pre_write.flush(conn)  # in this transaction: one commit for both
            except BaseException:
                self._end(False)
                raise

    def _leave_batch(self, success: bool) -> None:
        conn = self._conn
        if not conn.in_transaction:
            return  # rolled back whole by an error: the batch's commit reports it
        try:
            if not success:
                conn.execute("ROLLBACK TO tx")
            conn.execute("RELEASE tx")
        except sqlite3.Error as exc:
            raise _translate(exc) from exc

    def _commit_batch(self, batch: asyncio.Future) -> None:
        if self._batch is not batch:
            return  # committed already (commit_pending)
        if self._depth:  # a transaction held across an await (a misuse): commit when it ends
            self._commit_when_done = True
            return
        self._batch = None
        conn = self._conn
        if conn is None or not conn.in_transaction:
            batch.set_exception(StorageError(f"the {self.service} database rolled back a transaction"))
            return
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:  # e.g. disk full: nothing of the batch was committed
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            batch.set_exception(_translate(exc))
            return
        batch.set_result(None)

    def commit_pending(self) -> None:
        """Commit the turn's write transaction now, if one is open (before a wipe or close,
        and where a caller needs its writes on disk at once)."""
        batch = self._batch
        if batch is not None and self._depth == 0:
            self._commit_batch(batch)
            if batch.done() and not batch.cancelled() and batch.exception() is not None:
                raise batch.exception()

    def _end(self, success: bool) -> None:
        self._depth -= 1
        depth = self._depth
        conn = self._conn
        if depth == 0 and self._batch is not None:
            self._owner = None
            self._leave_batch(success)
            if self._commit_when_done:
                self._commit_when_done = False
                self._commit_batch(self._batch)
            return
        if depth == 0:
            self._owner = None
            if success:
                try:
                    conn.execute("COMMIT")
                    return
                except sqlite3.Error as exc:  # e.g. disk full: nothing was committed
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise _translate(exc) from exc
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        elif conn.in_transaction:  # an I/O error may have rolled the whole transaction back
            try:
                if not success:
                    conn.execute(f"ROLLBACK TO sp{depth}")
                conn.execute(f"RELEASE sp{depth}")
            except sqlite3.Error as exc:
                raise _translate(exc) from exc

    # -- schema ----------------------------------------------------------------------------

    def migrate(self, migrations: Sequence[Migration]) -> int:
        self.migrations = tuple(migrations)
        applied = apply_migrations(self, self.migrations)
        self.commit_pending()
        return applied

    def wipe(self) -> None:
        if self._depth:
            raise TransactionMisuse(f"cannot wipe the {self.service} database inside a transaction")
        self.commit_pending()  # the pragma below is a no-op inside a transaction
        # Dropping a table referenced by a foreign key would fail mid-way with FKs on; the
        # pragma is a no-op inside a transaction, so switch it around the whole wipe.
        self._conn.execute("PRAGMA foreign_keys=OFF")
        try:
            with self.transaction():
                objects = self.query(
                    "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                    "AND type IN ('view', 'trigger', 'table')"
                )
                order = {"view": 0, "trigger": 1, "table": 2}
                for kind, name in sorted(objects, key=lambda o: order[o[0]]):
                    quoted = '"' + name.replace('"', '""') + '"'
                    self.execute(f"DROP {kind.upper()} IF EXISTS {quoted}")
                apply_migrations(self, self.migrations)
            self.commit_pending()
        finally:
            self._conn.execute("PRAGMA foreign_keys=ON")
        # No explicit checkpoint here: it fsyncs (milliseconds per database, and test suites
        # reset before every test); the automatic checkpoint reclaims the WAL soon enough.

    def close(self) -> None:
        if self._conn is None:
            return
        checkpointer = getattr(self, "_checkpointer", None)
        if checkpointer is not None:
            checkpointer.stop()
        try:
            if self._depth == 0:
                try:
                    self.commit_pending()  # writes of the last turn: nobody may have been told yet
                except StorageError:
                    pass  # its waiters were told; what failed is rolled back below
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._conn.close()
        finally:
            self._conn = None  # type: ignore[assignment]

    def journal_mode(self) -> str:
        """The journal mode SQLite reports (``wal``)."""
        return str(self._conn.execute("PRAGMA journal_mode").fetchone()[0])


class _Checkpointer:
    """Checkpoints one database's WAL from a daemon thread with a connection of its own.

    PASSIVE checkpoints never block the writer (WAL lets a checkpoint copy committed frames
    while new ones are appended); with nothing new to copy, one is a few microseconds. The
    durability of commits does not depend on checkpoints: a commit is in the WAL already.
    """

    def __init__(self, db: "SqliteDatabase"):
        self._path, self._fsync = db.path, db.fsync
        self._owner = weakref.ref(db)  # a database dropped without close() ends the thread too
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="overcast-wal-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False,
                                   timeout=_BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error:
            return  # the connection's own automatic checkpoint remains
        try:
            conn.execute(f"PRAGMA synchronous={'FULL' if self._fsync else 'NORMAL'}")
            while not self._stop.wait(_CHECKPOINT_SECONDS) and self._owner() is not None:
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    pass  # busy, or the file went away (a reset): try again next time
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


def sqlite_files(path: str) -> tuple[str, str, str]:
    """A database file and its WAL and shared-memory companions."""
    return path, path + "-wal", path + "-shm"


def remove_sqlite_files(path: str) -> None:
    """Delete a database that no connection of this process has open."""
    for name in sqlite_files(path):
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass
