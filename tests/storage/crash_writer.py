"""Child process of the crash tests: writes through the storage layer and acknowledges each write.

``python crash_writer.py DATA_DIR rows|blobs [--fsync]``

It prints ``ack <seq>`` (rows) or ``ack <seq> <blob id>`` (blobs) on stdout only after the
write was committed, exactly as a service answers a client only after committing. The test
SIGKILLs it mid-load and checks that every acknowledged write is there. Bounded: it stops by
itself after MAX_SECONDS or MAX_WRITES.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time

from overcast.storage import Storage, group_commit

MAX_SECONDS = 20.0
MAX_WRITES = 200_000
CHUNK = 16 * 1024

MIGRATIONS = (
    # No uniqueness on seq: the test checks "exactly once" itself.
    "CREATE TABLE acks (seq INTEGER NOT NULL, payload TEXT NOT NULL);"
    "CREATE TABLE totals (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
    "INSERT INTO totals (id, n) VALUES (1, 0);"
    "CREATE TABLE blobs (seq INTEGER NOT NULL, blob_id TEXT NOT NULL);",
)


def blob_content(seq: int) -> bytes:
    """The bytes of blob ``seq``: its number, then 0..300 KiB of bytes derived from it."""
    rng = random.Random(seq)
    return seq.to_bytes(8, "big") + rng.randbytes(rng.randrange(0, 300 * 1024))


def write_rows(storage: Storage) -> None:
    db = storage.database("crash", MIGRATIONS)
    deadline = time.monotonic() + MAX_SECONDS
    for seq in range(MAX_WRITES):
        if time.monotonic() > deadline:
            break
        if seq % 2:
            db.execute("INSERT INTO acks (seq, payload) VALUES (?, ?)", (seq, f"row {seq}"))
            db.execute("UPDATE totals SET n = n + 1 WHERE id = 1")
        else:  # half of them in a multi-statement transaction
            with db.transaction():
                db.execute("INSERT INTO acks (seq, payload) VALUES (?, ?)", (seq, f"row {seq}"))
                db.execute("UPDATE totals SET n = n + 1 WHERE id = 1")
        print(f"ack {seq}", flush=True)


async def write_blobs(storage: Storage) -> None:
    db = storage.database("crash", MIGRATIONS)
    blobs = storage.blobs("crash")
    deadline = time.monotonic() + MAX_SECONDS

    async def stream(data: bytes):
        for start in range(0, len(data), CHUNK):
            yield data[start:start + CHUNK]
            await asyncio.sleep(0)

    for seq in range(MAX_WRITES):
        if time.monotonic() > deadline:
            break
        with group_commit.tracking():  # as the gateway answers: once the commit is done
            info = await blobs.write(stream(blob_content(seq)))
            db.execute("INSERT INTO blobs (seq, blob_id) VALUES (?, ?)", (seq, info.id))
            await group_commit.settle()
        print(f"ack {seq} {info.id}", flush=True)


def main() -> None:
    data_dir, mode = sys.argv[1], sys.argv[2]
    storage = Storage(data_dir, fsync="--fsync" in sys.argv[3:])
    print("ready", flush=True)
    if mode == "rows":
        write_rows(storage)
    else:
        asyncio.run(write_blobs(storage))


if __name__ == "__main__":
    main()
