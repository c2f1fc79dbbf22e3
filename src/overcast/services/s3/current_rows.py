"""The committed current-version rows of recently read keys, remembered (``ObjectStore.current``).

Why: a GET of a small object is one indexed query (its row joined with its inline bytes),
and that query was the largest single cost of the request once everything else was lean
(about 20-30 us of CPU on the benchmark VM). Objects are read again and again, so the row
as SQLite returned it (an immutable tuple: every read still builds its own ``ObjectVersion``
from it, so no caller can change what the next one gets) is kept until its key changes.

Correctness rests on two rules, both kept by ``ObjectStore``, the one writer of versions:
- every statement that changes a key's rows forgets that key first (a reset forgets all);
- a row is remembered only when the connection holds no uncommitted write
  (``Database.holds_uncommitted``): what was read is then committed, so a rolled-back
  batch can never leave a row behind that the database does not have.

Bounded in entries and in bytes (small objects' bodies ride along); when either bound is
reached the whole memory is dropped, which is simpler than an LRU and as safe.
"""

from __future__ import annotations

_MAX_ENTRIES = 4096
_MAX_BYTES = 8 * 1024 * 1024
_MAX_BODY = 8 * 1024  # a bigger inline body is not remembered (read from SQLite each time)


class CurrentRows:
    """(partition, bucket, key) -> the current version's row (the object's bytes in it, or last
    for one whose bytes are in the inline blobs' table)."""

    __slots__ = ("_rows", "_bytes")

    def __init__(self):
        self._rows: dict[tuple[str, str, str], tuple] = {}
        self._bytes = 0

    def get(self, partition: str, bucket: str, key: str) -> tuple | None:
        return self._rows.get((partition, bucket, key))

    def remember(self, partition: str, bucket: str, key: str, row: tuple) -> None:
        body = max((len(value) for value in row if type(value) is bytes), default=0)  # in its row or inline
        if body > _MAX_BODY:
            return
        size = len(key) + body
        if len(self._rows) >= _MAX_ENTRIES or self._bytes + size > _MAX_BYTES:
            self.clear()
        self._rows[(partition, bucket, key)] = row
        self._bytes += size

    def forget(self, partition: str, bucket: str, key: str) -> None:
        self._rows.pop((partition, bucket, key), None)  # its bytes stay counted until a clear

    def clear(self) -> None:
        self._rows = {}
        self._bytes = 0
