"""Durability, for real: every PutLogEvents acknowledged before a SIGKILL is read back after
the restart, whole, once, with the group's stored bytes matching (the events and the byte
counts are written in one transaction under the group commit)."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest

from aws_clients import make_client
from serverproc import ServerProcess

EVENTS_PER_BATCH = 500
WORKERS = 2


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def _read_all(logs, stream: str) -> list[str]:
    messages, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName="crash", logStreamName=stream, **kwargs)
        if not page["events"]:
            return messages
        messages += [e["message"] for e in page["events"]]
        token = page["nextForwardToken"]


def test_acknowledged_events_survive_kill_9(own_server):
    logs = make_client(own_server.endpoint, "logs")
    logs.create_log_group(logGroupName="crash")
    for worker in range(WORKERS):
        logs.create_log_stream(logGroupName="crash", logStreamName=f"w{worker}")
    now_ms = int(float(json.loads(urllib.request.urlopen(own_server.endpoint + "/_overcast/clock").read())["now"])
                 * 1000)
    acknowledged: list[list[int]] = [[] for _ in range(WORKERS)]
    enough = threading.Event()

    def put_loop(worker: int) -> None:
        client = make_client(own_server.endpoint, "logs")
        batch = 0
        while True:
            events = [{"timestamp": now_ms, "message": f"w{worker}-b{batch}-e{i}"} for i in range(EVENTS_PER_BATCH)]
            try:
                client.put_log_events(logGroupName="crash", logStreamName=f"w{worker}", logEvents=events)
            except Exception:  # the kill cuts a request short: it was never acknowledged
                return
            acknowledged[worker].append(batch)
            batch += 1
            if sum(len(a) for a in acknowledged) >= 30:
                enough.set()

    threads = [threading.Thread(target=put_loop, args=(w,)) for w in range(WORKERS)]
    for thread in threads:
        thread.start()
    enough.wait(120)
    own_server.kill()
    for thread in threads:
        thread.join(30)
    own_server.start()
    logs = make_client(own_server.endpoint, "logs")
    total_bytes = 0
    for worker in range(WORKERS):
        stored = _read_all(logs, f"w{worker}")
        assert len(stored) == len(set(stored))  # nothing twice
        batches = {int(m.split("-")[1][1:]) for m in stored}
        acked = set(acknowledged[worker])
        # every acknowledged batch is there, whole; at most the one in flight at the kill besides
        assert acked <= batches and len(batches - acked) <= 1
        for batch in batches:
            assert sum(1 for m in stored if m.startswith(f"w{worker}-b{batch}-")) == EVENTS_PER_BATCH
        total_bytes += sum(len(m) for m in stored)
    assert logs.describe_log_groups(logGroupNamePrefix="crash")["logGroups"][0]["storedBytes"] == total_bytes
