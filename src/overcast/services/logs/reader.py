"""Reads that scan many events (FilterLogEvents, Insights, exports, tail) run off the event
loop: ``await provider.read(fn, *args)`` runs ``fn(conn, *args)`` in a worker thread on a
read-only ``sqlite3.Connection`` to the Logs database. WAL mode lets it see every committed
write while the event loop keeps writing.

This is the analytics exception to DESIGN's portable-SQL rule: inside ``fn``, SQLite functions
(``instr``, ``json_extract``, Python UDFs registered on that connection) are allowed; nothing
else in Logs uses SQLite-only SQL. Each worker thread keeps one connection; ``conn`` must not
be kept beyond the call.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

# scans are CPU bound; the machine's cores are shared with the event loop
READER_THREADS = 2


class ReaderOperations:
    _reader_pool: ThreadPoolExecutor | None = None
    _reader_local: threading.local | None = None

    async def read(self, fn, *args):
        """``fn(conn, *args)`` on a read-only connection in a worker thread; its result."""
        self.db.commit_pending()  # what this request wrote is visible to the reader
        if self._reader_pool is None:
            self._reader_pool = ThreadPoolExecutor(READER_THREADS, thread_name_prefix="logs-reader")
            self._reader_local = threading.local()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader_pool, self._read_in_thread, fn, args)

    def _read_in_thread(self, fn, args):
        local = self._reader_local
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.db.path}?mode=ro", uri=True, isolation_level=None,
                                   check_same_thread=False)
            local.conn = conn
        return fn(conn, *args)

    def close_readers(self) -> None:
        pool, self._reader_pool = self._reader_pool, None
        if pool is not None:
            pool.shutdown(wait=True)
