"""Durable state: one SQLite database per service (WAL) and a blob folder for large bodies.

- ``Storage(data_dir, fsync)``: ``database(service, migrations)``, ``blobs(service)``,
  ``reset()``, ``close()`` (``overcast.storage.store``).
- ``Database``: the interface and the SQL subset services may use
  (``overcast.storage.database``); SQLite backend in ``overcast.storage.sqlite``.
- ``BlobStore``: immutable blobs written atomically (``overcast.storage.blobs``).
- ``Scope``: the account/region convention for tables (``overcast.storage.scope``).
"""

from overcast.storage.blobs import BlobInfo, BlobReader, BlobStore
from overcast.storage.database import Database
from overcast.storage.errors import (BlobNotFound, IntegrityError, StorageError, StorageUnavailable,
                                     TransactionMisuse)
from overcast.storage.scope import GLOBAL_REGION, Scope, partition_of
from overcast.storage.store import Storage

__all__ = [
    "Storage",
    "Database",
    "BlobStore",
    "BlobInfo",
    "BlobReader",
    "Scope",
    "GLOBAL_REGION",
    "partition_of",
    "StorageError",
    "StorageUnavailable",
    "IntegrityError",
    "TransactionMisuse",
    "BlobNotFound",
]
