"""Object versions in SQLite, their bytes in the blob store (or, for a small object, in the
version's own row: ``ROW_BODY_LIMIT``): the one place that writes them.

Every operation that creates, replaces or removes an object version goes through
``ObjectStore.put`` / ``ObjectStore.delete`` / ``ObjectStore.remove_version``, which apply the
bucket's versioning state the way S3 does:

- unversioned (never enabled): one version per key, id ``null``, replaced in place;
- Enabled: every write adds a version with a new id; a plain DELETE adds a delete marker;
- Suspended: a write (or a plain DELETE's marker) gets the id ``null`` and replaces the
  previous ``null`` version, other versions stay.

Order of effects, for crash safety: the new blob is already whole on disk; the row change is
committed; only then are blobs no longer referenced deleted (a crash in between leaves
orphans, swept at start). After the commit every change is announced to the subscribers
(``subscribe``): the hook that notifications, replication or a console build on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from overcast.storage.blobs import BlobStore, ChunkStream, InlineReader, new_blob_id

from .at_rest import AtRest, DecryptingReader
from .current_rows import CurrentRows

# version ids carry their version's seq and a check value (version_ids.py)
from .version_ids import NULL_VERSION, is_version_id, new_version_id  # noqa: F401

_COLUMNS = ("key, version, seq, latest, marker, blob, size, etag, modified, headers, meta, "
            "storage_class, attrs, body")
# A body of at most this many (sealed) bytes is kept in its version's row (``versions.body``)
# instead of the inline blobs' table: an overwriting PUT then dirties one page of one b-tree,
# where a row and an index entry of the blobs' table added two more pages to every commit.
# Why this size: the row (about 0.5 KB of columns besides) must stay within one b-tree page
# (4 KiB, about 4,061 bytes of payload): a longer row spills into overflow pages, which an
# overwrite frees and allocates anew (more pages, not fewer).
ROW_BODY_LIMIT = 3 * 1024


@dataclass(slots=True)
class ObjectVersion:
    """One version of an object (or a delete marker)."""

    key: str
    blob: str | None = None              # None for a delete marker or a multipart object
    size: int = 0
    etag: str = ""
    modified: float = 0.0
    headers: dict = field(default_factory=dict)   # Content-Type & co, as operation members
    meta: dict = field(default_factory=dict)      # user metadata, lower-case names
    storage_class: str = "STANDARD"
    attrs: dict = field(default_factory=dict)     # checksum, tags, acl, parts, restore, sse...
    version: str = NULL_VERSION
    seq: int = 0
    latest: bool = True
    marker: bool = False
    # The (sealed) bytes of a small object read together with its row: held in the row itself
    # (``in_row``: the blob store has no blob ``blob``, only the row holds them), or read from
    # the inline blobs' table with it (``current(with_bytes=True)``, objects written before).
    data: bytes | None = field(default=None, repr=False, compare=False)
    in_row: bool = False

    @property
    def parts(self) -> list | None:
        """``[[blob, size, etag, checksum-or-None], ...]`` of a multipart object."""
        return self.attrs.get("parts")

    def segments(self) -> list[tuple[str, int]]:
        """The (blob, size) pieces holding the object's bytes, in order."""
        if self.blob is not None:
            return [(self.blob, self.size)]
        return [(part[0], part[1]) for part in self.parts or ()]

    def sealed_segments(self) -> list[tuple[str, int, str | None]]:
        """(blob, size, envelope) of each piece: the envelope opens its encryption at rest
        (``at_rest.py``); None for a blob written before it (plain bytes)."""
        if self.blob is not None:
            return [(self.blob, self.size, self.attrs.get("enc"))]
        return [(part[0], part[1], part[4] if len(part) > 4 else None) for part in self.parts or ()]

    def blob_ids(self) -> list[str]:
        """The blobs of the blob store holding the bytes (none for a body held in its row)."""
        if self.in_row:
            return []
        return [blob for blob, _ in self.segments()]


@dataclass(frozen=True, slots=True)
class ObjectEvent:
    """A committed change: ``kind`` as S3 event names it (``ObjectCreated:Put``...)."""

    kind: str
    partition: str
    bucket: str
    key: str
    version: str | None
    size: int
    etag: str
    time: float


def _to_json(value: dict) -> str:
    return json.dumps(value) if value else "{}"  # most objects have no metadata: skip the encoder


def _from_json(text: str) -> dict:
    return {} if text == "{}" else json.loads(text)


def _row_to_version(row) -> ObjectVersion:
    key, version, seq, latest, marker, blob, size, etag, modified, headers, meta, storage_class, attrs, body = row
    return ObjectVersion(key=key, blob=blob, size=size, etag=etag, modified=modified, headers=_from_json(headers),
                         meta=_from_json(meta), storage_class=storage_class, attrs=_from_json(attrs),
                         version=version, seq=seq, latest=bool(latest), marker=bool(marker),
                         data=body, in_row=body is not None)


_REPLACE_NULL = ("UPDATE versions SET marker = ?, blob = ?, size = ?, etag = ?, modified = ?, headers = ?, "
                 "meta = ?, storage_class = ?, attrs = ?, body = ? WHERE partition = ? AND bucket = ? AND key = ? "
                 "AND version = 'null'")
_OLD_NULL = ("SELECT seq, latest, blob, body IS NOT NULL, CASE WHEN blob IS NULL THEN attrs ELSE '{}' END "
             "FROM versions WHERE partition = ? AND bucket = ? AND key = ? AND version = 'null'")
_REPLACE_NULL_SET_LATEST = _REPLACE_NULL.replace("SET ", "SET latest = 1, ", 1)


class ObjectStore:
    def __init__(self, db, blobs: BlobStore, at_rest: AtRest | None = None):
        self.db = db
        self.blobs = blobs
        self.at_rest = at_rest
        self._subscribers: list[Callable[[ObjectEvent], None]] = []
        self._attrs_subscribers: list[Callable[[str, str, str, str, tuple], None]] = []
        self._seq = None
        self._current_rows = CurrentRows()  # GET's query saved (current_rows.py)

    # -- events ----------------------------------------------------------------------------

    def subscribe(self, callback: Callable[[ObjectEvent], None]) -> None:
        """Call ``callback(event)`` after every committed object change (it must not raise)."""
        self._subscribers.append(callback)

    def subscribe_attrs(self, callback: Callable[[str, str, str, str, tuple], None]) -> None:
        """Call ``callback(partition, bucket, key, version, names)`` after ``update_attrs``
        changed members ``names`` of a version's attrs (tags, ACL...) in place."""
        self._attrs_subscribers.append(callback)

    def _emit(self, event: ObjectEvent) -> None:
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:  # a failing subscriber never fails the write it observes
                pass

    # -- reading ---------------------------------------------------------------------------

    def current(self, partition: str, bucket: str, key: str, with_bytes: bool = False) -> ObjectVersion | None:
        """The current version of ``key`` (possibly a delete marker), or None. ``with_bytes``:
        a small object's bytes come in the same query (``ObjectVersion.data``; a GET's second
        read saved), when the blob store keeps them in this database."""
        row = self._current_rows.get(partition, bucket, key)
        if row is None:
            table = self.blobs.inline_table_in(self.db) if with_bytes else None
            if table is None:
                row = self.db.query_one(f"SELECT {_COLUMNS} FROM versions WHERE partition = ? AND bucket = ? "
                                        "AND key = ? AND latest = 1", (partition, bucket, key))
                return None if row is None else _row_to_version(row)
            # the bytes of a small object written before V6 (schema.py) are in the inline blobs'
            # table; the subquery runs only for such a row
            row = self.db.query_one(f"SELECT {_COLUMNS}, CASE WHEN body IS NULL THEN (SELECT data FROM {table} "
                                    f"WHERE {table}.id = versions.blob) END FROM versions WHERE partition = ? "
                                    "AND bucket = ? AND key = ? AND latest = 1", (partition, bucket, key))
            if row is None:
                return None
            if not self.db.holds_uncommitted:  # committed: safe to remember (current_rows.py)
                self._current_rows.remember(partition, bucket, key, row)
        found = _row_to_version(row[:-1])
        if with_bytes and found.data is None:
            found.data = row[-1]
        return found

    def version(self, partition: str, bucket: str, key: str, version: str) -> ObjectVersion | None:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM versions WHERE partition = ? AND bucket = ? AND key = ? "
                                "AND version = ?", (partition, bucket, key, version))
        return None if row is None else _row_to_version(row)

    def versions_of(self, partition: str, bucket: str, key: str) -> list[ObjectVersion]:
        """Every version of ``key``, newest first."""
        rows = self.db.query(f"SELECT {_COLUMNS} FROM versions WHERE partition = ? AND bucket = ? AND key = ? "
                             "ORDER BY seq DESC", (partition, bucket, key))
        return [_row_to_version(row) for row in rows]

    def has_any(self, partition: str, bucket: str) -> bool:
        """Whether the bucket holds any version or delete marker (it cannot be deleted then)."""
        return self.db.query_one("SELECT 1 FROM versions WHERE partition = ? AND bucket = ? LIMIT 1",
                                 (partition, bucket)) is not None

    def read(self, version: ObjectVersion, offset: int = 0, length: int | None = None,
             customer_key: bytes | None = None):
        """An async iterator over the object's plain bytes from ``offset`` (``length`` of
        them), decrypted with the service key or, for SSE-C, ``customer_key`` (checked by the
        caller against the object's fingerprint: ``customer_keys.key_for_read``)."""
        if version.data is not None:
            reader = InlineReader(version.data, offset, length)
            envelope = version.attrs.get("enc")
            if envelope is None:
                return reader
            return DecryptingReader(reader, self.at_rest.decryptor(envelope, customer_key, offset))
        segments = version.sealed_segments()
        if len(segments) == 1:
            blob, _, envelope = segments[0]
            return self._open(blob, offset, length, envelope, customer_key)
        return _SegmentsReader(lambda blob, start, n, envelope: self._open(blob, start, n, envelope, customer_key),
                               segments, offset, version.size - offset if length is None else length)

    def _open(self, blob: str, offset: int, length: int | None, envelope: str | None, customer_key: bytes | None):
        reader = self.blobs.read(blob, offset, length)
        if envelope is None:
            return reader
        return DecryptingReader(reader, self.at_rest.decryptor(envelope, customer_key, offset))

    def referenced_blobs(self):
        """Every blob id a row holds (for the sweep at start)."""
        for blob, attrs in self.db.query("SELECT blob, attrs FROM versions WHERE body IS NULL"):
            if blob is not None:
                yield blob
            elif attrs != "{}":
                for part in json.loads(attrs).get("parts") or ():
                    yield part[0]
        for (blob,) in self.db.query("SELECT blob FROM parts"):
            yield blob

    # -- writing ---------------------------------------------------------------------------

    def forget_cache(self) -> None:
        """After a reset wiped the rows: recount from the database, remember no row."""
        self._seq = None
        self._current_rows.clear()

    def _next_seq(self) -> int:
        if self._seq is None:
            row = self.db.query_one("SELECT MAX(seq) FROM versions")
            self._seq = int(row[0] or 0) if row else 0
        self._seq += 1
        return self._seq

    def put(self, partition: str, bucket: str, new: ObjectVersion, versioning: str | None,
            event: str = "ObjectCreated:Put", within: Callable[[], list[str]] | None = None) -> ObjectVersion:
        """Store ``new`` as the current version of its key under the bucket's ``versioning``
        state (None, "Enabled", "Suspended"); fills in its version id and seq. Blobs it
        replaces are deleted after the commit. ``within`` (optional) runs inside the same
        transaction, so its row changes commit or roll back with the version (multipart
        Complete removes the upload's rows there); it returns more blob ids to delete after
        the commit."""
        freed = self._put_rows(partition, bucket, new, versioning, within)
        self._free(freed)
        self._emit(ObjectEvent(event, partition, bucket, new.key, self._public_version(new, versioning),
                               new.size, new.etag, new.modified))
        return new

    def _put_rows(self, partition: str, bucket: str, new: ObjectVersion, versioning: str | None,
                  within: Callable[[], list[str]] | None = None) -> list[str]:
        """The row changes of ``put`` in one transaction; returns blob ids no longer referenced."""
        freed: list[str] = []
        new.version = NULL_VERSION
        new.latest = True
        self._hold_body_in_row(new)  # before the transaction: its start writes waiting blobs
        with self.db.transaction():
            if versioning is None:
                # An unversioned bucket holds one (null) version per key: overwrite it in
                # place, keeping its seq (a key's place among its versions; it has no
                # other), which dirties one page where a delete and an insert dirty five.
                replaced = self._replace_null(partition, bucket, new)
                if replaced is not None:
                    freed += replaced
                else:
                    new.seq = self._next_seq()
                    self._insert(partition, bucket, new)
            else:
                new.seq = self._next_seq()
                if versioning == "Enabled":
                    new.version = new_version_id(new.seq)
                self._demote(partition, bucket, new.key)
                if versioning == "Suspended":
                    freed += self._drop(partition, bucket, new.key, NULL_VERSION)
                self._insert(partition, bucket, new)
            if within is not None:
                freed += within()
        return freed

    def put_replica(self, partition: str, bucket: str, new: ObjectVersion) -> bool:
        """Store a replica (of an object or a delete marker) in a versioned bucket under the
        version id it has in its source, as the key's current version. False (and nothing
        stored) when that version is already there: replication is at least once."""
        self._hold_body_in_row(new)  # before the transaction: its start writes waiting blobs
        with self.db.transaction():
            if self.version(partition, bucket, new.key, new.version) is not None:
                return False
            new.seq, new.latest = self._next_seq(), True
            self._demote(partition, bucket, new.key)
            self._insert(partition, bucket, new)
        kind = "ObjectRemoved:DeleteMarkerCreated" if new.marker else "ObjectCreated:Put"
        self._emit(ObjectEvent(kind, partition, bucket, new.key, new.version, new.size, new.etag, new.modified))
        return True

    def delete(self, partition: str, bucket: str, key: str, versioning: str | None, now: float,
               family: str = "ObjectRemoved") -> ObjectVersion | None:
        """A DELETE without a version id: removes the object (unversioned) or adds a delete
        marker (Enabled / Suspended) — returned, so its id can be reported. None when
        nothing was there to delete in an unversioned bucket. ``family`` names the event
        (``LifecycleExpiration`` when a lifecycle rule deletes)."""
        if versioning is None:
            with self.db.transaction():
                freed = self._drop(partition, bucket, key, NULL_VERSION)
            self._free(freed)
            self._emit(ObjectEvent(f"{family}:Delete", partition, bucket, key, None, 0, "", now))
            return None
        marker = ObjectVersion(key=key, marker=True, modified=now)
        freed = self._put_rows(partition, bucket, marker, versioning)
        self._free(freed)
        self._emit(ObjectEvent(f"{family}:DeleteMarkerCreated", partition, bucket, key, marker.version, 0, "", now))
        return marker

    def remove_version(self, partition: str, bucket: str, key: str, version: str, now: float,
                       family: str = "ObjectRemoved") -> ObjectVersion | None:
        """Permanently remove one version (or delete marker); the next newest becomes current.
        Returns the removed version, or None if there was no such version. ``family`` as for
        ``delete``."""
        with self.db.transaction():
            removed = self.version(partition, bucket, key, version)
            if removed is None:
                return None
            freed = self._drop(partition, bucket, key, version)  # forgets the key's row
            if removed.latest:
                self.db.execute(
                    "UPDATE versions SET latest = 1 WHERE partition = ? AND bucket = ? AND key = ? AND seq = "
                    "(SELECT MAX(seq) FROM versions WHERE partition = ? AND bucket = ? AND key = ?)",
                    (partition, bucket, key, partition, bucket, key))
        self._free(freed)
        self._emit(ObjectEvent(f"{family}:Delete", partition, bucket, key, version, 0, "", now))
        return removed

    def update_attrs(self, partition: str, bucket: str, key: str, version: str, **changes) -> None:
        """Set (or, with a None value, remove) members of a version's ``attrs`` in place
        (tags, ACL, restore status): these do not make a new version."""
        self._current_rows.forget(partition, bucket, key)
        with self.db.transaction():
            row = self.db.query_one("SELECT attrs FROM versions WHERE partition = ? AND bucket = ? AND key = ? "
                                    "AND version = ?", (partition, bucket, key, version))
            if row is None:
                return
            attrs = json.loads(row[0])
            for name, value in changes.items():
                if value is None:
                    attrs.pop(name, None)
                else:
                    attrs[name] = value
            self.db.execute("UPDATE versions SET attrs = ? WHERE partition = ? AND bucket = ? AND key = ? "
                            "AND version = ?", (json.dumps(attrs), partition, bucket, key, version))
        for callback in list(self._attrs_subscribers):
            try:
                callback(partition, bucket, key, version, tuple(changes))
            except Exception:  # as for _emit: an observer never fails the change it observes
                pass

    def update_storage_class(self, partition: str, bucket: str, key: str, version: str, storage_class: str) -> None:
        self._current_rows.forget(partition, bucket, key)
        self.db.execute("UPDATE versions SET storage_class = ? WHERE partition = ? AND bucket = ? AND key = ? "
                        "AND version = ?", (storage_class, partition, bucket, key, version))

    def _hold_body_in_row(self, new: ObjectVersion) -> None:
        """Take a small new body out of the blob store, to be written in the version's row
        (``ROW_BODY_LIMIT``), when its blob is still waiting for this write (the usual case:
        written just before, with no write since). If the row then fails to commit, the bytes
        go with it, as the blob's would have with the same transaction."""
        if new.in_row or new.blob is None:
            return
        data = self.blobs.claim_unwritten(new.blob, self.db, ROW_BODY_LIMIT)
        if data is not None:
            new.data, new.in_row = data, True

    def link_body(self, source: ObjectVersion, new: ObjectVersion) -> bool:
        """Give ``new`` (a copy) the body of ``source`` when ``source`` holds it in its row:
        the new row holds the same bytes under a blob id of its own. False for a body in the
        blob store (the caller links its blobs)."""
        if not source.in_row:
            return False
        new.blob, new.data, new.in_row = new_blob_id(), source.data, True
        return True

    def _insert(self, partition: str, bucket: str, new: ObjectVersion) -> None:
        self._current_rows.forget(partition, bucket, new.key)
        self.db.execute(
            f"INSERT INTO versions ({_COLUMNS}, partition, bucket) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new.key, new.version, new.seq, 1, int(new.marker), new.blob, new.size, new.etag, new.modified,
             _to_json(new.headers), _to_json(new.meta), new.storage_class, _to_json(new.attrs),
             new.data if new.in_row else None, partition, bucket))

    def _replace_null(self, partition: str, bucket: str, new: ObjectVersion) -> list[str] | None:
        """Overwrite the key's null version with ``new``; the blob ids it held, or None when
        the key has no null version."""
        where = (partition, bucket, new.key)
        self._current_rows.forget(*where)
        # only what the overwrite needs: no body, and the attrs (JSON) only of a multipart
        # object, whose parts are its blobs
        old = self.db.query_one(_OLD_NULL, where)
        if old is None:
            return None
        new.seq, latest, blob, in_row, parts_attrs = old
        # Naming ``latest`` (the condition of the versions_current index) makes SQLite
        # rewrite that index's entry too: one more page per commit. It is set only when it
        # changes (a null version that was not the current one).
        self.db.execute(
            _REPLACE_NULL_SET_LATEST if not latest else _REPLACE_NULL,
            (int(new.marker), new.blob, new.size, new.etag, new.modified, _to_json(new.headers),
             _to_json(new.meta), new.storage_class, _to_json(new.attrs), new.data if new.in_row else None, *where))
        if in_row:
            return []
        if blob is not None:
            return [blob]
        return ObjectVersion(key=new.key, attrs=_from_json(parts_attrs)).blob_ids()  # a multipart object's parts

    def _demote(self, partition: str, bucket: str, key: str) -> None:
        self._current_rows.forget(partition, bucket, key)
        self.db.execute("UPDATE versions SET latest = 0 WHERE partition = ? AND bucket = ? AND key = ? AND latest = 1",
                        (partition, bucket, key))

    def _drop(self, partition: str, bucket: str, key: str, version: str) -> list[str]:
        self._current_rows.forget(partition, bucket, key)
        rows = self.db.query(f"DELETE FROM versions WHERE partition = ? AND bucket = ? AND key = ? AND version = ? "
                             f"RETURNING {_COLUMNS}", (partition, bucket, key, version))
        return [blob for row in rows for blob in _row_to_version(row).blob_ids()]

    def _free(self, blob_ids) -> None:
        for blob in blob_ids:  # ids out of rows just replaced or dropped: no existence check needed
            self.blobs.discard(blob)

    def wipe_bucket_rows(self, partition: str, bucket: str) -> None:
        """Forget a (deleted, empty) bucket's configurations."""
        self.db.execute("DELETE FROM bucket_configs WHERE partition = ? AND bucket = ?", (partition, bucket))

    @staticmethod
    def _public_version(version: ObjectVersion, versioning: str | None) -> str | None:
        return None if versioning is None else version.version


class _SegmentsReader(ChunkStream):
    """Reads a byte range across several blobs (a multipart object's parts) in order.

    The first part is opened at once (a missing blob fails before the response starts), the
    others as the read reaches them, so a 10,000-part object holds one file open at a time.
    """

    def __init__(self, open_segment, segments, offset: int, length: int):
        self._open_segment = open_segment  # (blob, start, n, envelope) -> a reader of its plain bytes
        self._plan = []
        position = 0
        end = offset + max(0, length)
        for blob, size, envelope in segments:
            lo, hi = max(offset, position), min(end, position + size)
            if lo < hi:
                self._plan.append((blob, lo - position, hi - lo, envelope))
            position += size
        self.length = sum(plan[2] for plan in self._plan)
        self._reader = self._open_next()

    def _open_next(self):
        if not self._plan:
            return None
        return self._open_segment(*self._plan.pop(0))


    def read_chunk(self) -> bytes:
        while self._reader is not None:
            data = self._reader.read_chunk()
            if data:
                return data
            self._reader.close()
            self._reader = self._open_next()
        return b""

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._plan = []

    async def aclose(self) -> None:
        self.close()
