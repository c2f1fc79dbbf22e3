"""The acceptance test of durability: every acknowledged write survives ``kill -9``.

A child process writes through ``Database`` / ``BlobStore`` and acknowledges each committed
write on stdout; we SIGKILL it mid-load, reopen the data dir and check every acknowledged row
is there exactly once and every acknowledged blob is byte-identical, with no partial blob
visible.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from crash_writer import MIGRATIONS, blob_content  # noqa: E402

from overcast.storage import Storage  # noqa: E402

WRITER = os.path.join(os.path.dirname(__file__), "crash_writer.py")
LOAD_SECONDS = 0.6  # of acknowledged writes before the kill
MIN_ACKS = 5


def run_and_kill(data_dir: str, mode: str, fsync: bool) -> list[list[str]]:
    """Run the writer, SIGKILL it mid-load; returns every acknowledgement it printed.

    The kill comes from a timer, not right after reading an acknowledgement, so it lands
    anywhere in the writer's loop (often mid-write), not just after a commit.
    """
    args = [sys.executable, WRITER, data_dir, mode] + (["--fsync"] if fsync else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(30, proc.kill)  # bounded even if something hangs
    watchdog.start()
    acks: list[list[str]] = []

    def pump() -> None:
        for line in proc.stdout:
            if line.startswith("ack"):
                acks.append(line.split()[1:])

    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        deadline = time.monotonic() + 20
        while len(acks) < MIN_ACKS and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        time.sleep(LOAD_SECONDS)
        proc.send_signal(signal.SIGKILL)  # mid-load: the writer never stops by itself this early
        proc.wait(10)
        reader.join(10)  # acknowledgements printed before the kill still count
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert len(acks) >= MIN_ACKS
    return acks


@pytest.mark.parametrize("fsync", [False, True], ids=["default", "fsync"])
def test_acknowledged_rows_survive_kill_9(tmp_path, fsync):
    acks = run_and_kill(str(tmp_path), "rows", fsync)
    acked = [int(a[0]) for a in acks]

    storage = Storage(str(tmp_path))
    try:
        db = storage.database("crash", MIGRATIONS)
        counts = dict(db.query("SELECT seq, COUNT(*) FROM acks GROUP BY seq"))
        assert all(counts.get(seq) == 1 for seq in acked), "an acknowledged row is missing or doubled"
        assert set(counts.values()) == {1}
        # Writes are sequential: what is there is a prefix, reaching at least the last ack
        # (one more write may have committed without its ack being printed).
        assert sorted(counts) == list(range(len(counts)))
        assert len(counts) - 1 >= max(acked)
        # Each transaction's two statements landed together (or, unbatched, the insert
        # may lead its counter update by one row).
        total = db.query_one("SELECT n FROM totals WHERE id = 1")[0]
        assert total in (len(counts), len(counts) - 1)
    finally:
        storage.close()


@pytest.mark.parametrize("fsync", [False, True], ids=["default", "fsync"])
def test_acknowledged_blobs_survive_kill_9_and_no_partial_blob_is_visible(tmp_path, fsync):
    acks = run_and_kill(str(tmp_path), "blobs", fsync)
    blob_dir = tmp_path / "blobs" / "crash"

    # Before the store is reopened (which cleans up): every visible blob is whole.
    visible = [entry for entry in os.scandir(blob_dir) if entry.is_file()]
    for entry in visible:
        with open(entry.path, "rb") as f:
            data = f.read()
        assert len(data) >= 8, f"partial blob {entry.name} visible"
        assert data == blob_content(int.from_bytes(data[:8], "big")), f"partial blob {entry.name} visible"

    storage = Storage(str(tmp_path))
    try:
        blobs = storage.blobs("crash")
        assert os.listdir(blobs.partial_dir) == []  # the interrupted write was cleaned up
        rows = dict(storage.database("crash", MIGRATIONS).query("SELECT seq, blob_id FROM blobs"))
        for seq_text, blob_id in acks:
            seq = int(seq_text)
            assert rows.get(seq) == blob_id
            assert blobs.read_bytes(blob_id) == blob_content(seq)
        assert len(visible) >= len(acks)
    finally:
        storage.close()
