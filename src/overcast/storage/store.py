"""``Storage``: the databases and blob stores of every service under one data dir.

``<data-dir>/<service>.db`` (SQLite, WAL) and ``<data-dir>/blobs/<service>/``. This class
is the one place that knows the backend; a PostgreSQL variant would offer the same four
methods (``database``, ``blobs``, ``reset``, ``close``) and services would not notice.
"""

from __future__ import annotations

import os
import re
from typing import Sequence

from overcast.storage.blobs import BlobStore
from overcast.storage.database import Database, Migration
from overcast.storage.sqlite import SqliteDatabase, remove_sqlite_files

# Service names become file names: keep them to what botocore names look like.
_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}\Z")
# Services storing many small bodies keep those up to this size in their own database rather
# than a file each (``inline_blobs.py``): S3 objects. 64 KiB: reads of inline blobs come
# whole into memory, and below that size SQLite reads and writes blobs at least as fast as
# the filesystem. Rows referencing such blobs must live in that same database.
INLINE_LIMITS = {"s3": 64 * 1024}


def _checked(service: str) -> str:
    if not isinstance(service, str) or not _SERVICE_NAME.match(service):
        raise ValueError(f"not a valid service name for storage: {service!r}")
    return service


class Storage:
    """Per-service databases and blob stores, opened on first use and cached."""

    def __init__(self, data_dir: str, fsync: bool = False):
        self.data_dir = os.path.abspath(data_dir)
        self.fsync = fsync
        self.blob_root = os.path.join(self.data_dir, "blobs")
        os.makedirs(self.blob_root, exist_ok=True)
        self._databases: dict[str, SqliteDatabase] = {}
        self._blobs: dict[str, BlobStore] = {}
        # Opening a blob store removes the partial files a crash left; do it for all of
        # them now, at start, before any write can be in flight.
        for entry in os.scandir(self.blob_root):
            if entry.is_dir() and _SERVICE_NAME.match(entry.name):
                self.blobs(entry.name)

    def database_path(self, service: str) -> str:
        return os.path.join(self.data_dir, f"{_checked(service)}.db")

    def _unmigrated(self, service: str) -> SqliteDatabase:
        """The service's database as it is: the blob store opens it before the service has
        said its migrations (``database`` applies them when the service asks)."""
        db = self._databases.get(service)
        if db is None:
            db = SqliteDatabase(self.database_path(service), service, fsync=self.fsync)
            self._databases[service] = db
        return db

    def database(self, service: str, migrations: Sequence[Migration] = ()) -> Database:
        """The service's database, migrated to ``migrations`` (applied once each, in order)."""
        db = self._databases.get(service)
        if db is None:
            db = SqliteDatabase(self.database_path(service), service, fsync=self.fsync)
            try:
                db.migrate(migrations)
            except BaseException:
                db.close()
                raise
            self._databases[service] = db
        elif tuple(migrations) != db.migrations and migrations:
            db.migrate(migrations)
        return db

    def blobs(self, service: str) -> BlobStore:
        """The service's blob store (partial writes of a crash are removed on first open)."""
        store = self._blobs.get(service)
        if store is None:
            limit = INLINE_LIMITS.get(service, 0)
            store = BlobStore(os.path.join(self.blob_root, _checked(service)), fsync=self.fsync,
                              inline_limit=limit, inline_db=self._unmigrated(service) if limit else None)
            self._blobs[service] = store
        return store

    def services_on_disk(self) -> set[str]:
        """Services with a database file or a blob folder in the data dir (open or not)."""
        found = set()
        for entry in os.scandir(self.data_dir):
            if entry.name.endswith(".db") and _SERVICE_NAME.match(entry.name[:-3]):
                found.add(entry.name[:-3])
        for entry in os.scandir(self.blob_root):
            if entry.is_dir() and _SERVICE_NAME.match(entry.name):
                found.add(entry.name)
        return found

    def reset(self) -> None:
        """Wipe every service's state, safely while the server runs.

        Open databases keep their connection: their tables are dropped and the migrations
        re-applied (unlinking a file under a live SQLite connection would leave it writing
        to a deleted inode). Databases not open in this process are deleted. Blobs are
        unlinked; readers with a blob open keep reading it, writes in flight finish.
        """
        for service, db in self._databases.items():
            db.wipe()
        for service in self.services_on_disk():
            if service not in self._databases and os.path.exists(self.database_path(service)):
                remove_sqlite_files(self.database_path(service))
            if service in self._blobs or os.path.isdir(os.path.join(self.blob_root, service)):
                self.blobs(service).wipe()

    def close(self) -> None:
        """Close every database and the blob stores' inline databases."""
        for store in self._blobs.values():
            store.close()  # first: inline blobs still waiting are written to their database
        self._blobs.clear()
        databases, self._databases = self._databases, {}
        for db in databases.values():
            db.close()

    def stats(self) -> dict:
        """For ``/_overcast/health``: where the data is and what is open."""
        return {
            "data_dir": self.data_dir,
            "fsync": self.fsync,
            "backend": "sqlite",
            "databases": sorted(self._databases),
        }
