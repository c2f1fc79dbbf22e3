"""Small blobs kept inline (in the blob store's SQLite file): the same behaviour as blob files."""

from __future__ import annotations

import asyncio
import os

import pytest

from overcast.storage import BlobNotFound, BlobStore, Storage

LIMIT = 1024


@pytest.fixture
def store(tmp_path):
    return BlobStore(str(tmp_path / "blobs"), inline_limit=LIMIT)


def blob_files(store: BlobStore) -> list[str]:
    return sorted(entry.name for entry in os.scandir(store.root) if entry.is_file())


async def chunks(*parts: bytes, fail_after: int | None = None):
    for index, part in enumerate(parts):
        if fail_after is not None and index == fail_after:
            raise ConnectionResetError("client went away")
        yield part


def test_small_blobs_are_stored_without_a_file_and_read_back(store):
    from_bytes = store.write_bytes(b"hello")
    from_stream = asyncio.run(store.write(chunks(b"a" * 600, b"b" * 424)))  # exactly the limit
    assert blob_files(store) == []
    assert store.read_bytes(from_bytes.id) == b"hello"
    assert store.read_bytes(from_stream.id) == b"a" * 600 + b"b" * 424
    assert (from_stream.size, store.size(from_stream.id)) == (LIMIT, LIMIT)
    assert store.exists(from_bytes.id) and sorted(store.ids()) == sorted([from_bytes.id, from_stream.id])


def test_ranges_and_chunks_of_an_inline_blob(store):
    blob = store.write_bytes(bytes(range(200)))
    assert store.read_bytes(blob.id, 10, 5) == bytes(range(10, 15))
    assert store.read_bytes(blob.id, 190) == bytes(range(190, 200))
    assert store.read_bytes(blob.id, 500) == b""
    reader = store.read(blob.id, 0, None, chunk_size=64)
    assert [len(c) for c in reader] == [64, 64, 64, 8] and reader.length == 200

    async def collect():
        return b"".join([c async for c in store.read(blob.id, 100, 50)])

    assert asyncio.run(collect()) == bytes(range(100, 150))


def test_a_stream_over_the_limit_spills_to_a_file(store):
    info = asyncio.run(store.write(chunks(b"x" * 1000, b"y" * 1000)))
    assert blob_files(store) == [info.id]
    assert store.read_bytes(info.id) == b"x" * 1000 + b"y" * 1000


def test_a_failed_stream_leaves_nothing(store):
    with pytest.raises(ConnectionResetError):
        asyncio.run(store.write(chunks(b"x" * 10, b"y" * 10, fail_after=1)))
    with pytest.raises(ConnectionResetError):
        asyncio.run(store.write(chunks(b"x" * 1000, b"y" * 1000, b"z", fail_after=2)))
    assert list(store.ids()) == [] and os.listdir(store.partial_dir) == []


def test_a_deleted_inline_blob_is_gone_at_once_and_after_a_restart(tmp_path):
    storage = Storage(str(tmp_path))
    blobs = storage.blobs("s3")
    kept, gone = blobs.write_bytes(b"kept"), blobs.write_bytes(b"gone")
    reader = blobs.read(gone.id)  # a GET in flight keeps reading
    assert blobs.delete(gone.id) is True
    assert blobs.delete(gone.id) is False
    assert not blobs.exists(gone.id) and list(blobs.ids()) == [kept.id]
    with pytest.raises(BlobNotFound):
        blobs.read(gone.id)
    assert b"".join(reader) == b"gone"
    storage.close()
    blobs = Storage(str(tmp_path)).blobs("s3")
    assert list(blobs.ids()) == [kept.id] and blobs.read_bytes(kept.id) == b"kept"


def test_link_copies_and_path_moves_an_inline_blob_to_a_file(store):
    source = store.write_bytes(b"immutable bytes")
    copy = store.link(source.id)
    assert copy.id != source.id and copy.size == len(b"immutable bytes")
    store.delete(source.id)
    assert store.read_bytes(copy.id) == b"immutable bytes"
    path = store.path(copy.id)
    with open(path, "rb") as f:
        assert f.read() == b"immutable bytes"
    assert blob_files(store) == [copy.id] and list(store.ids()) == [copy.id]


def test_copy_range_of_a_small_part_stays_inline(store):
    big = store.write_bytes(b"0123456789" * 200)
    part = asyncio.run(store.copy_range(big.id, 5, 10))
    assert store.read_bytes(part.id) == b"5678901234"
    assert blob_files(store) == [big.id]


def test_sweep_and_wipe_cover_inline_blobs(store):
    small, large = store.write_bytes(b"s"), store.write_bytes(b"L" * 5000)
    orphan = store.write_bytes(b"o")
    assert store.sweep([small.id, large.id]) == 1
    assert sorted(store.ids()) == sorted([small.id, large.id]) and not store.exists(orphan.id)
    assert store.wipe() == 2 and list(store.ids()) == []


def test_many_deletes_are_applied_in_batches(store):
    infos = [store.write_bytes(b"%d" % i) for i in range(200)]
    for info in infos[:150]:
        store.delete(info.id)
    assert sorted(store.ids()) == sorted(i.id for i in infos[150:])
    assert [store.read_bytes(i.id) for i in infos[150:]] == [b"%d" % i for i in range(150, 200)]


def test_discard_removes_inline_and_file_blobs_and_ignores_absent_ones(tmp_path):
    storage = Storage(str(tmp_path))
    blobs = storage.blobs("s3")
    kept, inline = blobs.write_bytes(b"kept"), blobs.write_bytes(b"small")
    large = blobs.write_bytes(b"z" * (blobs.inline_limit + 1))
    assert blob_files(blobs) == [large.id]
    reader = blobs.read(inline.id)  # a GET in flight keeps reading
    for blob_id in (inline.id, large.id, inline.id, large.id):  # twice: the second finds nothing
        blobs.discard(blob_id)
    assert not blobs.exists(inline.id) and not blobs.exists(large.id)
    assert list(blobs.ids()) == [kept.id] and blob_files(blobs) == []
    assert b"".join(reader) == b"small"
    following = blobs.write_bytes(b"next")  # a write: the removals reach the table
    storage.close()
    blobs = Storage(str(tmp_path)).blobs("s3")
    assert sorted(blobs.ids()) == sorted([kept.id, following.id]) and blob_files(blobs) == []


def test_removals_wait_for_a_batch_and_a_sweep_or_close_writes_them(tmp_path):
    from overcast.storage.inline_blobs import REMOVAL_BATCH, TABLE

    root = str(tmp_path / "blobs")
    blobs = BlobStore(root, inline_limit=LIMIT)  # the blobs' own database: each write commits

    def rows() -> int:
        return blobs._inline.db._conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]

    written = [blobs.write_bytes(b"%d" % n) for n in range(REMOVAL_BATCH + 3)]
    assert rows() == len(written)
    for info in written[:REMOVAL_BATCH - 1]:
        blobs.discard(info.id)
    blobs.write_bytes(b"one more")  # a write: the removals are not yet a batch
    assert rows() == len(written) + 1 and len(list(blobs.ids())) == 5
    blobs.discard(written[REMOVAL_BATCH - 1].id)  # a batch: written at once
    assert rows() == 3 + 1
    blobs.delete(written[-1].id)
    assert blobs.sweep([info.id for info in written[-3:-1]]) == 1  # "one more"
    assert rows() == 2 and sorted(blobs.ids()) == sorted(info.id for info in written[-3:-1])
    blobs.delete(written[-2].id)
    blobs.close()
    assert list(BlobStore(root, inline_limit=LIMIT).ids()) == [written[-3].id]


def test_a_blob_waiting_for_the_write_can_be_claimed_by_a_row_of_the_same_database(tmp_path):
    storage = Storage(str(tmp_path))
    db = storage.database("svc", ())
    blobs = BlobStore(str(tmp_path / "blobs"), inline_limit=LIMIT, inline_db=db)
    claimed, too_big, written = blobs.write_bytes(b"mine"), blobs.write_bytes(b"x" * 100), blobs.write_bytes(b"w")
    assert blobs.claim_unwritten(too_big.id, db, 99) is None  # over the caller's limit: stays
    assert blobs.claim_unwritten(claimed.id, db, 99) == b"mine"
    assert blobs.claim_unwritten(claimed.id, db, 99) is None  # handed over once
    assert not blobs.exists(claimed.id)
    db.execute("CREATE TABLE t (x)")  # a write: the blobs still waiting reach the table
    assert blobs.claim_unwritten(written.id, db, 99) is None  # written already
    assert sorted(blobs.ids()) == sorted([too_big.id, written.id])
    assert blobs.read_bytes(written.id) == b"w"
    other = storage.database("other", ())
    assert blobs.claim_unwritten(blobs.write_bytes(b"o").id, other, 99) is None  # another database's row
    blobs.close()
    storage.close()


def test_nothing_is_claimed_from_a_store_with_its_own_database(store, tmp_path):
    db = Storage(str(tmp_path / "elsewhere")).database("svc", ())
    blob = store.write_bytes(b"committed at once")
    assert store.claim_unwritten(blob.id, db, LIMIT) is None and store.read_bytes(blob.id) == b"committed at once"
    db.close()
