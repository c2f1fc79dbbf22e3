"""Errors of the storage layer, independent of the backend (SQLite today, PostgreSQL later).

Services catch these, never ``sqlite3`` exceptions, so that swapping the backend does not
touch them. They are Overcast bugs or conflicts to translate, not client errors: a service
that expects a conflict (a duplicate name) turns ``IntegrityError`` into the AWS error the
client expects (``BucketAlreadyOwnedByYou``, ``QueueAlreadyExists``...).
"""

from __future__ import annotations


class StorageError(Exception):
    """Any failure of the database or blob store."""


class StorageUnavailable(StorageError):
    """The backend cannot store right now (disk full, a file size limit, an I/O error): the
    write fails and is not acknowledged; reads go on. Answered as the service's "try again"
    error, not as an Overcast bug."""


class IntegrityError(StorageError):
    """A constraint (primary key, unique, foreign key, not null, check) was violated."""


class TransactionMisuse(StorageError):
    """A statement ran inside another task's open transaction.

    A transaction must not span an ``await``: the connection is shared by every task on the
    event loop, so another task's statements would silently join (and commit or roll back
    with) the open transaction.
    """


class BlobNotFound(StorageError, KeyError):
    """No blob with that id exists in this store."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "blob not found"
