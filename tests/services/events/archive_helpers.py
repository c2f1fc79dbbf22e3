"""Helpers of the archive and replay tests: the default bus's ARN, putting events, waiting
(bounded) for an archive to hold what its rule matched, and the cloud clock."""

from __future__ import annotations

import json
import time

ACCOUNT = "000000000000"


def bus_arn(events, name: str = "default") -> str:
    return events.describe_event_bus(Name=name)["Arn"]


def put(events, *details, source: str = "test.app", bus: str = "default") -> None:
    entries = [{"Source": source, "DetailType": "Test Event", "Detail": json.dumps(d), "EventBusName": bus}
               for d in details]
    for start in range(0, len(entries), 10):
        result = events.put_events(Entries=entries[start:start + 10])
        assert result["FailedEntryCount"] == 0, result


def wait_archived(events, archive: str, count: int, timeout: float = 10.0) -> dict:
    """DescribeArchive once it counts ``count`` events (or after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        described = events.describe_archive(ArchiveName=archive)
        if described["EventCount"] >= count or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def advance_clock(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def wait_replay(events, name: str, states=("COMPLETED", "CANCELLED", "FAILED"), timeout: float = 10.0) -> dict:
    """DescribeReplay once the replay reached one of ``states`` (or after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        described = events.describe_replay(ReplayName=name)
        if described["State"] in states or time.monotonic() > deadline:
            return described
        time.sleep(0.05)
