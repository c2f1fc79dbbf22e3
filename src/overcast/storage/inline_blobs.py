"""Small blobs kept in SQLite instead of a file each.

Why: creating a file is the dearest step of storing a small object, and on ext4 it grows
dearer still under churn (with many recently deleted inodes around, measured from about
15 us to over 500 us per create on the benchmark VM), so a stream of small PUTs that
overwrite each other would be bound by inode allocation.

Where: in the service's own database (``shared``), in a table of their own. A blob written
there is held in memory until the next write on that connection, and written inside that
write's transaction (``SqliteDatabase.pre_write``): the service's row that references the
blob commits together with it, one commit for both. Durability is unchanged: a row is
never committed before the blob it references (WAL, ``synchronous=NORMAL``: survives the
process being killed at any instant; ``--fsync``: power loss too). A blob whose row never
commits (a crash, a failed upload) is at worst an orphan row, removed by the start-up
sweep as orphan files are. Without a shared database (a store used on its own) the blobs
get a database file of their own, ``<root>/.inline/blobs.db``, and each write commits at once.

Removal: a deleted blob is gone for readers at once; its row is deleted with a later write,
once ``REMOVAL_BATCH`` removals wait (or at a sweep, at close). Why: overwrites free blobs
written about as long ago as each other, whose rows are neighbours in the table and its
index; deleted one per commit they dirtied two pages of every commit (of five for a small
overwriting PUT), deleted together a few pages for the whole batch. A crash before the batch
is written leaves orphan rows only, which the start-up sweep removes (and drains at once).

Claimed: a service that keeps a small blob's bytes in its own row (S3's small objects, in the
version row) takes them back before they are written (``claim``): the row, written in the
same transaction the blob would have been, then holds the only copy.

Blobs are written from the event loop and, for copies, from worker threads (which only put
into memory and read): a lock guards the in-memory part.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Iterator

from overcast.storage.sqlite import SqliteDatabase

# a folder of its own, so the blob folder lists blob files only
FOLDER, FILE_NAME = ".inline", "blobs.db"
TABLE = "overcast_inline_blobs"
# A rowid table: measured twice as fast as WITHOUT ROWID for 1 KiB rows, as SQLite's
# documentation predicts for rows this large.
# removals written together (see above): a few KiB of ids held in memory at most
REMOVAL_BATCH = 64
_SCHEMA = f"CREATE TABLE IF NOT EXISTS {TABLE} (id TEXT PRIMARY KEY, data BLOB NOT NULL)"


class InlineBlobs:
    """Blob id -> bytes, in ``shared`` (a service's ``SqliteDatabase``) or a file of its own."""

    def __init__(self, root: str, fsync: bool = False, shared: SqliteDatabase | None = None):
        if shared is None:
            folder = os.path.join(root, FOLDER)
            os.makedirs(folder, exist_ok=True)
            self.db = SqliteDatabase(os.path.join(folder, FILE_NAME), "inline-blobs", fsync=fsync)
        else:
            self.db = shared
        self._own = shared is None
        self._own_lock = threading.Lock()
        self._lock = threading.Lock()
        self._unwritten: dict[str, bytes] = {}  # written, not yet in the table
        self._removed: set[str] = set()  # removed, still in the table
        self._removal_batch = REMOVAL_BATCH  # 1 while draining
        self.ensure_table()
        self.db.pre_write = self

    def ensure_table(self) -> None:
        """Create the table (again, after a reset dropped the database's tables)."""
        self.db._conn.execute(_SCHEMA)

    @property
    def pending(self) -> bool:
        """Whether writes wait for the next write on the database (``SqliteDatabase``)."""
        return bool(self._unwritten) or len(self._removed) >= self._removal_batch

    def flush(self, conn: sqlite3.Connection) -> None:
        """Write what waits, inside the caller's open transaction on ``conn``."""
        with self._lock:
            unwritten, removed = self._unwritten, self._removed
            self._unwritten = {}
            if len(removed) >= self._removal_batch:
                self._removed = set()
            else:  # not yet a batch: they wait on
                removed = set()
        try:
            if unwritten:
                conn.executemany(f"INSERT INTO {TABLE} (id, data) VALUES (?, ?)", unwritten.items())
            if removed:
                conn.executemany(f"DELETE FROM {TABLE} WHERE id = ?", [(blob_id,) for blob_id in removed])
        except BaseException:
            with self._lock:  # the transaction fails: they wait for the next one
                self._unwritten.update(unwritten)
                self._removed |= removed
            raise

    def _commit_now(self) -> None:
        if self._own and self.pending:  # nothing else writes to this database: commit at once
            with self._own_lock:  # a copy in a worker thread may write too
                self.db.execute(f"DELETE FROM {TABLE} WHERE 0")  # a write: flushes first

    def put(self, blob_id: str, data: bytes) -> None:
        """Store ``data`` under a new id."""
        with self._lock:
            self._unwritten[blob_id] = data
        self._commit_now()

    def claim(self, blob_id: str, limit: int) -> bytes | None:
        """The bytes of a blob of at most ``limit`` bytes still waiting for the next write,
        handed over and forgotten here; None (and nothing changed) otherwise. For a caller
        that stores them in its own row in this database, in the write that would have
        flushed them: that row then holds the only copy, committed with it."""
        with self._lock:
            data = self._unwritten.get(blob_id)
            if data is None or len(data) > limit:
                return None
            del self._unwritten[blob_id]
        return data

    def _select(self, sql: str, blob_id: str):
        return self.db._conn.execute(sql, (blob_id,)).fetchone()

    def get(self, blob_id: str) -> bytes | None:
        with self._lock:
            if blob_id in self._removed:
                return None
            data = self._unwritten.get(blob_id)
        if data is not None:
            return data
        row = self._select(f"SELECT data FROM {TABLE} WHERE id = ?", blob_id)
        return None if row is None else row[0]

    def size(self, blob_id: str) -> int | None:
        data = self._unwritten.get(blob_id)
        if data is not None:
            return len(data)
        if blob_id in self._removed:
            return None
        row = self._select(f"SELECT length(data) FROM {TABLE} WHERE id = ?", blob_id)
        return None if row is None else row[0]

    def copy(self, blob_id: str, new_id: str) -> int | None:
        """A copy of ``blob_id`` under ``new_id``; its size, or None if there is no such blob."""
        data = self.get(blob_id)
        if data is None:
            return None
        self.put(new_id, data)
        return len(data)

    def delete(self, blob_id: str) -> bool:
        """Remove a blob; returns whether it was here."""
        with self._lock:
            if self._unwritten.pop(blob_id, None) is not None:
                return True
            if blob_id in self._removed:
                return False
        if self._select(f"SELECT 1 FROM {TABLE} WHERE id = ?", blob_id) is None:
            return False
        with self._lock:
            self._removed.add(blob_id)
        self._commit_now()
        return True

    def discard(self, blob_id: str) -> None:
        """Remove a blob that may not be here, without finding out (no query: an overwriting
        PUT frees the body it replaces on the hot path). Removing an id the table does not
        hold costs one row-less DELETE in the next write's batch."""
        with self._lock:
            if self._unwritten.pop(blob_id, None) is not None:
                return
            self._removed.add(blob_id)
        self._commit_now()

    def ids(self) -> Iterator[str]:
        rows = self.db._conn.execute(f"SELECT id FROM {TABLE}").fetchall()
        with self._lock:
            removed, unwritten = set(self._removed), list(self._unwritten)
        for (blob_id,) in rows:
            if blob_id not in removed:
                yield blob_id
        yield from unwritten

    def clear(self) -> int:
        """Remove every inline blob; returns how many there were."""
        self.ensure_table()
        with self._lock:
            removed = len(self._unwritten) - len(self._removed)
            self._unwritten.clear()
            self._removed.clear()
        return removed + self.db._conn.execute(f"DELETE FROM {TABLE}").rowcount

    def drain(self) -> None:
        """Write every waiting blob and removal now (after a sweep, at close)."""
        self._removal_batch = 1
        try:
            if self.pending:
                with self._own_lock:
                    self.db.execute(f"DELETE FROM {TABLE} WHERE 0")  # a write: flushes first
        finally:
            self._removal_batch = REMOVAL_BATCH

    def close(self) -> None:
        """Write what waits; close the database if it is the blobs' own."""
        self.drain()
        if self.db.pre_write is self:
            self.db.pre_write = None
        if self._own:
            self.db.close()
