"""Replays in process, for the paths a real client cannot time: a replay RUNNING when the server
stopped resumes after its cursor when the cloud starts again (nothing replayed twice), and a
replay CANCELLING stops before its next batch."""

from __future__ import annotations

import asyncio
import json

from overcast.cloud import Cloud
from overcast.config import Settings
from overcast.context import RequestContext
from overcast.services.events import replays
from overcast.storage.scope import Scope

ACCOUNT = "123456789012"
SCOPE = Scope(ACCOUNT, "us-east-1")


async def _setup(cloud: Cloud, events_count: int):
    provider = await cloud.services.started("events")
    calls = RequestContext(account=ACCOUNT, region="us-east-1", service="events", registry=cloud.services).services
    bus = provider.bus_row(SCOPE, None)
    await calls.call("events", "CreateArchive", {"ArchiveName": "a", "EventSourceArn": bus.arn})
    archive = provider.archive_row(SCOPE, "a")
    now = cloud.clock.now()
    for n in range(events_count):  # as the archive sender stores them
        event = provider.build_envelope(SCOPE, source="shop", detail_type="Order", detail={"n": n})
        provider.db.execute("INSERT INTO archived_events (archive_id, ingested, size, event) VALUES (?, ?, ?, ?)",
                            (archive["id"], now - 10, 10, json.dumps(event)))
    await calls.call("events", "StartReplay", {
        "ReplayName": "r", "EventSourceArn": archive["arn"], "EventStartTime": now - 60, "EventEndTime": now,
        "Destination": {"Arn": bus.arn}})
    return provider, calls


async def _wait_state(calls, states, rounds: int = 400) -> dict:
    for _ in range(rounds):
        described = await calls.call("events", "DescribeReplay", {"ReplayName": "r"})
        if described["State"] in states:
            return described
        await asyncio.sleep(0.01)
    return described


def test_a_running_replay_resumes_after_its_cursor(tmp_path, monkeypatch):
    monkeypatch.setattr(replays, "BATCH", 2)
    sent: list[int] = []

    async def first_run():
        cloud = Cloud(Settings(data_dir=str(tmp_path)))
        await cloud.start()
        try:
            provider, calls = await _setup(cloud, 5)
            # one batch went out before the server stopped: RUNNING, cursor after it
            first = provider.db.query("SELECT seq FROM archived_events ORDER BY seq LIMIT 2")
            provider.db.execute("UPDATE replays SET state = 'RUNNING', cursor = ?", (first[-1][0],))
        finally:
            await cloud.stop()

    async def second_run():
        cloud = Cloud(Settings(data_dir=str(tmp_path)))
        provider = cloud.services.provider("events")
        original = provider.accept_events

        def counting(scope, bus, events, **kwargs):
            sent.extend(e["detail"]["n"] for e in events)
            assert kwargs.get("replay_name") == "r" and all(e["replay-name"] == "r" for e in events)
            return original(scope, bus, events, **kwargs)

        provider.accept_events = counting
        await cloud.start()
        try:
            calls = RequestContext(account=ACCOUNT, region="us-east-1", service="events",
                                   registry=cloud.services).services
            return await _wait_state(calls, ("COMPLETED", "FAILED"))
        finally:
            await cloud.stop()

    asyncio.run(first_run())
    described = asyncio.run(second_run())
    assert described["State"] == "COMPLETED"
    assert sent == [2, 3, 4]


def test_a_cancelling_replay_stops_before_its_next_batch(tmp_path):
    async def scenario():
        cloud = Cloud(Settings(data_dir=str(tmp_path)))
        await cloud.start()
        try:
            provider, calls = await _setup(cloud, 3)
            replay = provider.db.query_one("SELECT replay_id FROM replays")[0]
            provider.db.execute("UPDATE replays SET state = 'RUNNING'")
            cancelled = await calls.call("events", "CancelReplay", {"ReplayName": "r"})
            during = (await calls.call("events", "DescribeReplay", {"ReplayName": "r"}))["State"]
            more = await provider._replay_batch(replay)
            after = await calls.call("events", "DescribeReplay", {"ReplayName": "r"})
            return cancelled["State"], during, more, after
        finally:
            await cloud.stop()

    cancelled, during, more, after = asyncio.run(scenario())
    assert (cancelled, during, more) == ("CANCELLING", "CANCELLING", False)
    assert after["State"] == "CANCELLED" and "ReplayEndTime" in after and "EventLastReplayedTime" not in after
