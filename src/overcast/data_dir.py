"""One server per data dir: an exclusive lock taken at start, naming its holder.

Two servers on one ``--data-dir`` would each cache state the other changes (stale views,
timers fired twice). ``serve`` takes an ``flock`` on ``<data-dir>/overcast.lock`` for its
whole life and writes its pid and endpoint into the file; a second ``serve`` is refused with
the first one's pid, and ``overcast reset --data-dir`` uses the endpoint to reach it (or
wipes the files itself when no server holds the lock). The kernel drops the lock when the
process ends, however it ends (``kill -9`` included): no stale lock to clean up.
"""

from __future__ import annotations

import fcntl
import json
import os

LOCK_NAME = "overcast.lock"


class DataDirInUse(Exception):
    """Another process holds the data dir; ``holder`` is what it wrote (pid, endpoint)."""

    def __init__(self, path: str, holder: dict):
        pid = holder.get("pid", "unknown")
        where = f" at {holder['endpoint']}" if holder.get("endpoint") else ""
        super().__init__(f"data dir {path} is in use by another Overcast (pid {pid}{where}); "
                         "stop it or choose another --data-dir")
        self.holder = holder


def prepare(path: str) -> str:
    """Create the data dir if needed and prove it writable; raises ``OSError`` otherwise."""
    os.makedirs(path, exist_ok=True)
    probe = os.path.join(path, f".write-test-{os.getpid()}")
    with open(probe, "wb"):
        pass
    os.unlink(probe)
    return os.path.abspath(path)


def lock(path: str, endpoint: str):
    """Hold the data dir for this process (the returned file must stay open)."""
    handle = open(os.path.join(path, LOCK_NAME), "a+b")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = _parse(handle.read())
        handle.close()
        raise DataDirInUse(path, holder) from None
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "endpoint": endpoint}).encode())
    handle.flush()
    return handle


def holder(path: str) -> dict | None:
    """What the server holding ``path`` wrote (pid, endpoint), or None when none holds it."""
    file = os.path.join(path, LOCK_NAME)
    if not os.path.exists(file):
        return None
    with open(file, "rb") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _parse(handle.read())
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return None


def _parse(raw: bytes) -> dict:
    try:
        found = json.loads(raw.decode() or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
