"""The blob store: atomic writes, ranged reads, opaque ids, crash leftovers cleaned."""

from __future__ import annotations

import asyncio
import os
import tracemalloc

import pytest

from overcast.storage import BlobNotFound, BlobStore, Storage


@pytest.fixture
def store(tmp_path):
    return Storage(str(tmp_path)).blobs("s3")


async def chunks(*parts: bytes, fail_after: int | None = None):
    for index, part in enumerate(parts):
        if fail_after is not None and index == fail_after:
            raise ConnectionResetError("client went away")
        yield part
        await asyncio.sleep(0)


def visible_files(store: BlobStore) -> list[str]:
    return sorted(entry.name for entry in os.scandir(store.root) if entry.is_file())


def partial_files(store: BlobStore) -> list[str]:
    return os.listdir(store.partial_dir)


def test_write_bytes_and_read_back(store, tmp_path):
    info = asyncio.run(store.write(b"hello world"))
    assert info.size == 11 and len(info.id) == 32
    assert store.read_bytes(info.id) == b"hello world"
    assert store.size(info.id) == 11
    assert store.path(info.id) == os.path.join(str(tmp_path), "blobs", "s3", info.id)
    assert visible_files(store) == [info.id] and partial_files(store) == []


def test_write_from_async_stream(store):
    info = asyncio.run(store.write(chunks(b"a" * 1000, b"", b"b" * 3_000_000, b"c")))
    assert info.size == 3_001_001
    data = store.read_bytes(info.id)
    assert data == b"a" * 1000 + b"b" * 3_000_000 + b"c"


def test_write_from_plain_iterable_and_empty_blob(store):
    assert store.read_bytes(store.write_bytes([b"x", b"y"]).id) == b"xy"
    empty = asyncio.run(store.write(b""))
    assert empty.size == 0 and store.read_bytes(empty.id) == b""


def test_ids_are_unique(store):
    ids = {store.write_bytes(b"same").id for _ in range(50)}
    assert len(ids) == 50


def test_failed_stream_leaves_nothing_visible(store):
    with pytest.raises(ConnectionResetError):
        asyncio.run(store.write(chunks(b"x" * 2_000_000, b"y" * 10, fail_after=1)))
    assert visible_files(store) == []
    assert partial_files(store) == []


def test_cancelled_write_leaves_nothing(store):
    async def main():
        async def endless():
            while True:
                yield b"z" * 65536
                await asyncio.sleep(0)

        task = asyncio.create_task(store.write(endless()))
        for _ in range(20):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert visible_files(store) == [] and partial_files(store) == []


def test_ranges(store):
    blob_id = store.write_bytes(bytes(range(256)) * 4).id
    assert store.read_bytes(blob_id, 10, 5) == bytes(range(10, 15))
    assert store.read_bytes(blob_id, 1020) == bytes(range(252, 256))
    assert store.read_bytes(blob_id, 1020, 100) == bytes(range(252, 256))  # cut at the end
    assert store.read_bytes(blob_id, 5000) == b""
    assert store.read_bytes(blob_id, 0, 0) == b""
    with pytest.raises(ValueError):
        store.read(blob_id, -1)


def test_async_read_in_chunks(store):
    payload = os.urandom(1_000_003)
    blob_id = store.write_bytes(payload).id

    async def collect():
        reader = store.read(blob_id, 3, 900_000, chunk_size=65536)
        assert reader.size == len(payload) and reader.length == 900_000
        return [chunk async for chunk in reader]

    parts = asyncio.run(collect())
    assert max(len(p) for p in parts) == 65536
    assert b"".join(parts) == payload[3:900_003]


def test_missing_blob(store):
    missing = "0" * 32
    with pytest.raises(BlobNotFound):
        store.read(missing)
    with pytest.raises(BlobNotFound):
        store.size(missing)
    with pytest.raises(BlobNotFound):
        store.path(missing)
    assert not store.exists(missing)
    assert store.delete(missing) is False


def test_delete_while_reading_still_reads_to_the_end(store):
    blob_id = store.write_bytes(b"q" * 600_000).id
    reader = store.read(blob_id, chunk_size=100_000)
    first = reader.read_chunk()
    assert store.delete(blob_id) is True
    assert not store.exists(blob_id)
    assert len(first + b"".join(reader)) == 600_000


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "..", "a/b", "0" * 31, "0" * 32 + "/..", "G" * 32,
             "../" + "0" * 29, "", None, 42],
)
def test_names_never_escape_the_store(store, name):
    with pytest.raises((ValueError, BlobNotFound)):
        store.read(name)
    with pytest.raises((ValueError, BlobNotFound)):
        store.path(name)
    with pytest.raises(ValueError):
        store.delete(name)
    assert store.exists(name) is False


def test_partial_files_of_a_crash_are_removed_on_open(tmp_path):
    # a store of files only: an inline blob (S3's small ones) commits with its service's next
    # write, which this test never makes before its "crash"
    store = Storage(str(tmp_path)).blobs("artifacts")
    kept = store.write_bytes(b"whole").id
    leftover = os.path.join(store.partial_dir, "f" * 32)
    with open(leftover, "wb") as f:
        f.write(b"half a blo")
    Storage(str(tmp_path))  # the start of the next process: cleaned before any use
    assert not os.path.exists(leftover)
    reopened = Storage(str(tmp_path)).blobs("artifacts")
    assert reopened.read_bytes(kept) == b"whole"


def test_sweep_removes_unreferenced_blobs(store):
    keep = store.write_bytes(b"keep").id
    orphan = store.write_bytes(b"orphan").id
    assert store.sweep([keep]) == 1
    assert store.exists(keep) and not store.exists(orphan)


def test_fsync_mode_writes_the_same(tmp_path):
    store = Storage(str(tmp_path), fsync=True).blobs("s3")
    info = asyncio.run(store.write(chunks(b"d" * 100_000, b"e")))
    assert store.read_bytes(info.id) == b"d" * 100_000 + b"e"
    assert store.read_bytes(store.write_bytes(b"f").id) == b"f"


def test_memory_stays_flat_for_a_large_stream(store):
    chunk = b"m" * 65536
    count = 1024  # 64 MiB through the store

    async def source():
        for _ in range(count):
            yield chunk

    tracemalloc.start()
    try:
        info = asyncio.run(store.write(source()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.size == count * len(chunk)
    assert peak < 8 * 1024 * 1024  # the write buffer and a chunk or two, not the stream

    tracemalloc.start()
    try:
        total = sum(len(part) for part in store.read(info.id))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == info.size
    assert peak < 4 * 1024 * 1024
