"""Versioned schema migrations, the same for every backend.

A service declares ``migrations = (sql_v1, sql_v2, ...)``; the tuple only ever grows. The
database records each applied version in ``schema_version``; opening it applies the versions
it has not seen, in order, each in its own transaction together with its version row. So an
upgraded Overcast keeps the data of the old one, and a migration that fails leaves the
schema at the previous version.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Sequence

from overcast.storage.errors import StorageError

if TYPE_CHECKING:
    from overcast.storage.database import Database, Migration

SCHEMA_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)"
)


def schema_version(db: "Database") -> int:
    """The highest migration applied to ``db`` (0 for a new database)."""
    row = db.query_one("SELECT MAX(version) FROM schema_version")
    return int(row[0]) if row and row[0] is not None else 0


def apply_migrations(db: "Database", migrations: Sequence["Migration"]) -> int:
    """Bring ``db`` to ``len(migrations)``; returns the resulting version."""
    db.execute(SCHEMA_TABLE_SQL)
    target = len(migrations)
    current = schema_version(db)
    if current > target:
        # Opening newer data with an older Overcast would silently misread it.
        raise StorageError(
            f"the {db.service} database is at schema version {current}, newer than this "
            f"Overcast knows ({target}); upgrade Overcast or use another --data-dir"
        )
    for version in range(current + 1, target + 1):
        step = migrations[version - 1]
        with db.transaction():
            if schema_version(db) >= version:  # applied meanwhile by another process
                continue
            if callable(step):
                step(db)
            else:
                db.execute_script(step)
            db.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, time.time())
            )
    return target
