"""The blob store of one service: large bodies (S3 objects, artifacts) as immutable files.

Layout: ``<data-dir>/blobs/<service>/<id>`` with in-progress writes under ``.partial/`` of the
same folder (so the final ``os.replace`` is an atomic rename on one filesystem). A blob is
visible only once it is whole: a crash mid-write leaves at most a file in ``.partial/``,
removed when the store is next opened.

Blob ids are 32 hex digits chosen here, never derived from user input: an S3 key with
``..`` or ``/`` cannot name a path, and every id given back is checked against that form.
They are time-ordered (``new_blob_id``): a new id sorts after every earlier one, so the
index of the inline blobs' table grows at its end instead of dirtying a random page per
write.

Services keep the id in their own database row. Order the two so a crash never leaves a
row pointing at nothing: write the blob, then commit the row; commit the row's removal,
then delete the blob. A crash between the steps leaves an unreferenced blob at worst,
which ``sweep()`` removes at start.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from typing import AsyncIterable, Iterable, Iterator, Union

from overcast.storage.errors import BlobNotFound
from overcast.storage.inline_blobs import TABLE as INLINE_TABLE
from overcast.storage.inline_blobs import InlineBlobs

BlobSource = Union[bytes, bytearray, memoryview, AsyncIterable[bytes], Iterable[bytes]]

_ID = re.compile(r"[0-9a-f]{32}\Z")
# 16 hex digits of order (nanoseconds at start, then a counter: later ids sort after earlier
# ones, across restarts too while the clock does not go back) and 16 random ones, which keep
# ids apart should the clock go back. Ids are never shown to clients, so a seeded generator
# serves (a system call per id for ``secrets`` measured 4 us of a 1 KiB PUT).
_ORDER = itertools.count(time.time_ns())
_RANDOM = random.Random(secrets.randbits(128))


def new_blob_id() -> str:
    """A fresh blob id: 32 hex digits, sorting after every id made before it."""
    return f"{next(_ORDER) & 0xFFFFFFFFFFFFFFFF:016x}{_RANDOM.getrandbits(64):016x}"

_PARTIAL = ".partial"
# Small incoming chunks (aws-chunked frames are often 8-64 KiB) are gathered up to this
# size before one write() call: fewer syscalls, and each call returns in well under a
# millisecond when it only fills the page cache. Measured (benchmarks/storage_bench.py):
# 256 KiB streamed at least as fast as 1 MiB and 4 MiB, with the shortest loop stalls;
# offloading each flush to a thread did not measurably help, so writes stay inline.
_WRITE_BUFFER = 256 * 1024
READ_CHUNK = 256 * 1024
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """A blob just written: its id and its size in bytes."""

    id: str
    size: int


def _write_all(fd: int, data) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_dir(path: str) -> None:
    """Make a directory's entries (a rename, a new file) durable across power loss."""
    fd = os.open(path, os.O_RDONLY | _O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _PartialFile:
    """One in-progress write: a temp file in ``.partial/``, renamed into place by ``commit``."""

    def __init__(self, store: "BlobStore"):
        self.store = store
        self.id = new_blob_id()
        self.temp_path = os.path.join(store.partial_dir, self.id)
        self.fd = os.open(self.temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC, 0o644)
        self.size = 0
        self.buffer = bytearray()

    def add(self, chunk) -> None:
        size = len(chunk)
        if not size:
            return
        self.size += size
        if not self.buffer and size >= _WRITE_BUFFER:
            _write_all(self.fd, chunk)  # big chunk: no copy
            return
        self.buffer += chunk
        if len(self.buffer) >= _WRITE_BUFFER:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            _write_all(self.fd, self.buffer)
            self.buffer.clear()

    def close_file(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def publish(self) -> BlobInfo:
        """Rename the finished (closed, and fsynced if asked) file into place."""
        os.replace(self.temp_path, self.store._path_of(self.id))
        return BlobInfo(self.id, self.size)

    def discard(self) -> None:
        self.close_file()
        try:
            os.unlink(self.temp_path)
        except FileNotFoundError:
            pass


class ChunkStream:
    """What every reader of stored bytes shares: iterated (sync or async) through its
    ``read_chunk``, which returns b"" at the end."""

    def read_chunk(self) -> bytes:
        raise NotImplementedError

    def __aiter__(self):
        return self

    async def __anext__(self) -> bytes:
        data = self.read_chunk()
        if not data:
            raise StopAsyncIteration
        return data

    def __iter__(self) -> Iterator[bytes]:
        while data := self.read_chunk():
            yield data


class BlobReader(ChunkStream):
    """An open blob (or a range of it) read as an async iterator of byte chunks.

    The file is opened when the reader is created, so a missing blob fails right away and a
    blob deleted while being read still reads to the end (POSIX keeps open files alive).
    """

    def __init__(self, path: str, blob_id: str, offset: int = 0, length: int | None = None,
                 chunk_size: int = READ_CHUNK):
        self._fd = -1
        if offset < 0 or (length is not None and length < 0) or chunk_size <= 0:
            raise ValueError("offset and length must be >= 0, chunk_size > 0")
        try:
            self._fd = os.open(path, os.O_RDONLY | _O_CLOEXEC)
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {blob_id}") from None
        self.size = os.fstat(self._fd).st_size  # of the whole blob
        self._pos = min(offset, self.size)
        self._end = self.size if length is None else min(self.size, self._pos + length)
        self.length = self._end - self._pos  # of the range read
        self._chunk = chunk_size


    def read_chunk(self) -> bytes:
        """The next chunk, or b"" (and the file closed) at the end of the range."""
        if self._fd < 0 or self._pos >= self._end:
            self.close()
            return b""
        data = os.pread(self._fd, min(self._chunk, self._end - self._pos), self._pos)
        if not data:
            self.close()
            return b""
        self._pos += len(data)
        return data

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    async def aclose(self) -> None:
        self.close()

    def __enter__(self) -> "BlobReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    async def __aenter__(self) -> "BlobReader":
        return self

    async def __aexit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        self.close()


class InlineReader(ChunkStream):
    """``BlobReader`` for a blob kept inline (``inline_blobs.py``): its bytes are in memory."""

    def __init__(self, data: bytes, offset: int = 0, length: int | None = None, chunk_size: int = READ_CHUNK):
        if offset < 0 or (length is not None and length < 0) or chunk_size <= 0:
            raise ValueError("offset and length must be >= 0, chunk_size > 0")
        self.size = len(data)
        start = min(offset, self.size)
        end = self.size if length is None else min(self.size, start + length)
        self.length = end - start
        self._data = data if (start, end) == (0, self.size) else data[start:end]
        self._pos = 0
        self._chunk = chunk_size


    def read_chunk(self) -> bytes:
        """The next chunk, or b"" at the end of the range."""
        pos = self._pos
        if pos >= self.length:
            return b""
        if pos == 0 and self.length <= self._chunk:
            self._pos = self.length
            return self._data
        self._pos = pos + self._chunk
        return self._data[pos:self._pos]

    def close(self) -> None:
        self._pos = self.length

    async def aclose(self) -> None:
        self.close()

    def __enter__(self) -> "InlineReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    async def __aenter__(self) -> "InlineReader":
        return self

    async def __aexit__(self, *exc) -> None:
        self.close()


class BlobStore:
    """Immutable blobs of one service, addressed by ids this store chooses.

    With ``inline_limit`` > 0, a blob of at most that many bytes is kept in SQLite instead of
    a file of its own: in ``inline_db`` (the service's database, where it commits with the
    row that references it) or a database file of the store's own (see ``inline_blobs.py``
    for why); every method works the same for both kinds.
    """

    def __init__(self, root: str, fsync: bool = False, inline_limit: int = 0, inline_db=None):
        self.root = root
        self.fsync = fsync
        self.partial_dir = os.path.join(root, _PARTIAL)
        os.makedirs(self.partial_dir, exist_ok=True)
        self.removed_partials = self._clean_partials()
        if fsync:
            fsync_dir(os.path.dirname(root))
        self.inline_limit = inline_limit
        self._inline = InlineBlobs(root, fsync, inline_db) if inline_limit > 0 else None

    def _clean_partials(self) -> int:
        """Remove writes a crash interrupted (nothing else writes before the store is open)."""
        removed = 0
        for entry in os.scandir(self.partial_dir):
            try:
                os.unlink(entry.path)
                removed += 1
            except (FileNotFoundError, IsADirectoryError):
                pass
        return removed

    def _path_of(self, blob_id: str) -> str:
        return os.path.join(self.root, self._checked(blob_id))

    @staticmethod
    def _checked(blob_id: str) -> str:
        if not isinstance(blob_id, str) or not _ID.match(blob_id):
            raise ValueError(f"not a blob id: {blob_id!r}")
        return blob_id

    # -- writing ---------------------------------------------------------------------------

    async def write(self, data: BlobSource) -> BlobInfo:
        """Store ``data`` (bytes, or an async or plain iterable of byte chunks) as a new blob.

        The blob becomes visible only when complete; if the source raises (a client hung up
        mid-upload), nothing is left behind and the exception propagates.
        """
        if isinstance(data, (bytes, bytearray, memoryview)) or not hasattr(data, "__aiter__"):
            return self.write_bytes(data)
        partial = None
        try:
            if self._inline is None:
                partial = _PartialFile(self)
                async for chunk in data:
                    partial.add(chunk)
            else:  # gather up to the inline limit; past it, spill to a file
                head, size, limit = [], 0, self.inline_limit
                async for chunk in data:
                    if partial is not None:
                        partial.add(chunk)
                        continue
                    head.append(chunk)
                    size += len(chunk)
                    if size > limit:
                        partial = _PartialFile(self)
                        for piece in head:
                            partial.add(piece)
                        head = None
                if partial is None:
                    return self._write_inline(b"".join(head))
            partial.flush()
            if self.fsync:  # milliseconds on a real disk: keep the loop free meanwhile
                await asyncio.to_thread(os.fsync, partial.fd)
            partial.close_file()
            info = partial.publish()
        except BaseException:
            if partial is not None:
                partial.discard()
            raise
        if self.fsync:
            await asyncio.to_thread(fsync_dir, self.root)
        return info

    def _write_inline(self, data: bytes) -> BlobInfo:
        blob_id = new_blob_id()
        self._inline.put(blob_id, data)
        return BlobInfo(blob_id, len(data))

    def write_bytes(self, data: Union[bytes, bytearray, memoryview, Iterable[bytes]]) -> BlobInfo:
        """``write`` for bytes or a plain iterable, synchronously (for small bodies)."""
        if self._inline is not None:
            if isinstance(data, (bytes, bytearray, memoryview)):
                if len(data) <= self.inline_limit:
                    return self._write_inline(bytes(data))
            elif (getattr(data, "length", None) or 0) <= self.inline_limit and hasattr(data, "read_chunk"):
                return self._write_inline(b"".join(data))  # a small blob read (a copied range)
        partial = _PartialFile(self)
        try:
            if isinstance(data, (bytes, bytearray, memoryview)):
                partial.size = len(data)
                _write_all(partial.fd, data)
            else:
                for chunk in data:
                    partial.add(chunk)
                partial.flush()
            if self.fsync:
                os.fsync(partial.fd)
            partial.close_file()
            info = partial.publish()
        except BaseException:
            partial.discard()
            raise
        if self.fsync:
            fsync_dir(self.root)
        return info

    def link(self, blob_id: str) -> BlobInfo:
        """A new blob with the same bytes as ``blob_id`` (a copy that costs no time or space:
        blobs are immutable, so a hard link to the same file is a faithful copy; where the
        filesystem has no hard links the bytes are copied)."""
        new_id = new_blob_id()
        if self._inline is not None:
            size = self._inline.copy(self._checked(blob_id), new_id)
            if size is not None:
                return BlobInfo(new_id, size)
        source = self.path(blob_id)
        target = self._path_of(new_id)
        try:
            os.link(source, target)
        except OSError:
            temp = os.path.join(self.partial_dir, new_id)
            shutil.copyfile(source, temp)
            os.replace(temp, target)
        if self.fsync:
            fsync_dir(self.root)
        return BlobInfo(new_id, os.stat(target).st_size)

    async def copy_range(self, blob_id: str, offset: int = 0, length: int | None = None) -> BlobInfo:
        """A new blob holding ``length`` bytes of ``blob_id`` from ``offset`` (streamed, in
        chunks, in a thread: memory stays flat and the event loop free for any size)."""
        reader = self.read(blob_id, offset, length)
        try:
            return await asyncio.to_thread(self.write_bytes, reader)
        finally:
            reader.close()

    # -- reading ---------------------------------------------------------------------------

    def inline_table_in(self, db) -> str | None:
        """The table holding this store's inline blobs when it lives in ``db`` (a service's
        own database), so the service can read a row and its small body in one query; None
        otherwise. A blob whose write is still pending is not in the table yet: a reader that
        finds no bytes there reads through ``read``."""
        inline = self._inline
        return INLINE_TABLE if inline is not None and inline.db is db else None

    def claim_unwritten(self, blob_id: str, db, limit: int) -> bytes | None:
        """The bytes of an inline blob of at most ``limit`` bytes that is not yet written to
        ``db`` (the service's own database), handed over: the store forgets the blob and the
        caller keeps the bytes in a row of its own, written in its next write on ``db``
        (where the blob would have been written). None, and nothing changed, for any other
        blob (bigger, in a file, already written, or kept in a database of the store's own)."""
        inline = self._inline
        if inline is None or inline.db is not db:
            return None
        return inline.claim(blob_id, limit)

    def read(self, blob_id: str, offset: int = 0, length: int | None = None,
             chunk_size: int = READ_CHUNK) -> BlobReader:
        """An async (or plain) iterator over the blob's bytes from ``offset``, ``length`` of them.

        A range past the end is cut at the end (an ``offset`` beyond it reads nothing).
        Raises ``BlobNotFound`` now if the blob does not exist.
        """
        path = self._path_of(blob_id)
        if self._inline is not None:
            data = self._inline.get(blob_id)
            if data is not None:
                return InlineReader(data, offset, length, chunk_size)
        return BlobReader(path, blob_id, offset, length, chunk_size)

    def read_bytes(self, blob_id: str, offset: int = 0, length: int | None = None) -> bytes:
        """The blob (or a range of it) in memory: for small blobs only."""
        with self.read(blob_id, offset, length) as reader:
            return b"".join(reader)

    def path(self, blob_id: str) -> str:
        """The file holding the blob, for tools that need a path (unzip, sendfile).

        Blobs are immutable: never write to this path. An inline blob is moved to a file of
        its own first.
        """
        path = self._path_of(blob_id)
        if self._inline is not None and not os.path.exists(path):
            data = self._inline.get(blob_id)
            if data is not None:
                temp = os.path.join(self.partial_dir, blob_id)
                with open(temp, "wb") as f:
                    f.write(data)
                    if self.fsync:
                        os.fsync(f.fileno())
                os.replace(temp, path)
                self._inline.delete(blob_id)  # after the file is in place: never neither
        if not os.path.exists(path):
            raise BlobNotFound(f"no blob {blob_id}")
        return path

    def size(self, blob_id: str) -> int:
        if self._inline is not None:
            size = self._inline.size(self._checked(blob_id))
            if size is not None:
                return size
        try:
            return os.stat(self._path_of(blob_id)).st_size
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {blob_id}") from None

    def exists(self, blob_id: str) -> bool:
        try:
            path = self._path_of(blob_id)
            return (self._inline is not None and self._inline.size(blob_id) is not None) or os.path.exists(path)
        except ValueError:
            return False

    # -- removing --------------------------------------------------------------------------

    def delete(self, blob_id: str) -> bool:
        """Remove a blob; returns whether it existed. Readers that have it open keep reading."""
        path = self._path_of(blob_id)
        if self._inline is not None and self._inline.delete(blob_id):
            return True
        try:
            os.unlink(path)
            return True
        except FileNotFoundError:
            return False

    def discard(self, blob_id: str) -> None:
        """Remove a blob, as ``delete``, without finding out whether it existed: no query on
        the inline blobs (for a blob id just taken out of a committed row)."""
        path = self._path_of(blob_id)
        if self._inline is not None:
            self._inline.discard(blob_id)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

    def ids(self) -> Iterator[str]:
        """Every stored blob id (in no particular order)."""
        for entry in os.scandir(self.root):
            if _ID.match(entry.name):
                yield entry.name
        if self._inline is not None:
            yield from self._inline.ids()

    def sweep(self, referenced: Iterable[str]) -> int:
        """Delete the blobs not in ``referenced`` (orphans of a crash); returns how many.

        Call only when no write is in flight (at start), with every id the service's rows
        hold.
        """
        keep = set(referenced)
        removed = 0
        for blob_id in list(self.ids()):
            if blob_id not in keep and self.delete(blob_id):
                removed += 1
        if removed and self._inline is not None:
            self._inline.drain()  # orphans do not wait for a batch of removals
        return removed

    def wipe(self) -> int:
        """Delete every blob (``POST /_overcast/reset``); in-flight writes are left to finish."""
        removed = self._inline.clear() if self._inline is not None else 0
        return removed + self.sweep(())

    def close(self) -> None:
        """Close the inline blobs' database (the store is not used afterwards)."""
        if self._inline is not None:
            self._inline.close()
