"""The database interface every service uses, independent of the backend.

Each service owns one ``Database`` (``self.db`` on a provider). SQLite implements it today
(``overcast.storage.sqlite``); a PostgreSQL backend can implement it later without touching
any service, provided services keep to the SQL subset below.

The SQL subset services may use (valid in both SQLite >= 3.35 and PostgreSQL):

- ``?`` placeholders only (a PostgreSQL backend rewrites them); never build SQL from values.
- Column types ``TEXT``, ``INTEGER`` (64-bit), ``REAL``, ``BLOB`` (small values only: large
  bodies go to the blob store), booleans as ``INTEGER`` 0/1, times as ``REAL`` epoch seconds
  from ``self.clock`` (never ``CURRENT_TIMESTAMP``: the cloud's clock can be moved).
- Explicit keys chosen by the service (ids, names, ARNs); no ``AUTOINCREMENT``, no reliance
  on ``rowid``. A generated counter is read with ``INSERT ... RETURNING``.
- Upserts as ``INSERT ... ON CONFLICT (cols) DO UPDATE SET c = excluded.c`` or
  ``ON CONFLICT DO NOTHING``; not ``INSERT OR REPLACE`` / ``REPLACE INTO``.
- ``SELECT`` with joins, ``GROUP BY``, ``ORDER BY``, ``LIMIT ? OFFSET ?``, ``COUNT``/``SUM``/
  ``MIN``/``MAX``, ``COALESCE``, ``LIKE`` (case-sensitive matching: compare with ``=`` or
  ``substr`` instead where case matters), ``IN (?, ?, ...)``; no SQLite-only functions
  (``json_extract``, ``printf``, ``datetime``...) — decode JSON columns in Python.
- ``CREATE TABLE``, ``CREATE INDEX``, ``ALTER TABLE ... ADD COLUMN`` in migrations only.
- Transactions only through ``transaction()``; never ``BEGIN``/``COMMIT`` statements.

Durability contract: a statement run outside ``transaction()`` is committed when
``execute`` returns; a ``transaction()`` block is committed when the ``with`` block exits.
A service must commit before it returns its result: the gateway sends the response after
the operation returns, so every acknowledged write is already committed (and then survives
``kill -9``; with ``--fsync`` also power loss).

Concurrency contract: one connection per service, used from the event loop thread. SQLite
calls take microseconds, so they run inline (no thread hop). A ``transaction()`` block must
not contain an ``await``: another task's statements would otherwise join it. The database
detects that and raises ``TransactionMisuse`` instead of mixing the two.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, ContextManager, Iterable, Sequence, Union

Row = tuple
Params = Union[Sequence[Any], dict]
# A migration is SQL text (one or more statements) or a function given the database,
# for data migrations that need Python. Each runs once, in its own transaction.
Migration = Union[str, Callable[["Database"], None]]


class Database(ABC):
    """One service's database. Rows come back as plain tuples, columns in SELECT order."""

    service: str

    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed (-1 for DDL)."""

    @abstractmethod
    def executemany(self, sql: str, seq_of_params: Iterable[Params]) -> int:
        """Run one statement once per parameter set; returns the rows changed in total."""

    @abstractmethod
    def query(self, sql: str, params: Params = ()) -> list[Row]:
        """All rows of a SELECT (or ``... RETURNING``) as a list of tuples."""

    @abstractmethod
    def query_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query, or None."""

    @abstractmethod
    def transaction(self) -> ContextManager["Database"]:
        """``with db.transaction():`` commits on success, rolls back on any exception.

        Nested blocks are savepoints: an inner failure rolls back only the inner block
        (if the outer block catches the exception).
        """

    @property
    @abstractmethod
    def in_transaction(self) -> bool:
        """True inside a ``transaction()`` block."""

    @property
    def holds_uncommitted(self) -> bool:
        """True while writes made on this connection are not yet committed (an open
        transaction, or group commit's batch waiting for the end of the turn): what is read
        now may still be rolled back, so it must not be remembered as committed state."""
        return self.in_transaction

    def commit_pending(self) -> None:
        """Commit now what group commit holds for the end of the event loop's turn
        (``overcast.storage.group_commit``); a no-op for backends that commit at once."""

    @abstractmethod
    def execute_script(self, sql: str) -> None:
        """Run several ``;``-separated statements (migrations); inside the caller's transaction."""

    @abstractmethod
    def migrate(self, migrations: Sequence[Migration]) -> int:
        """Apply the migrations not yet applied, in order; returns the schema version."""

    @abstractmethod
    def wipe(self) -> None:
        """Drop every table and re-apply the migrations (``POST /_overcast/reset``)."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection (after committing nothing further)."""
