"""The internal writer other services log through (``provider.write_log_events``), the
ingestion listeners it calls, and the reader that scans events off the event loop: a real
cloud in process, read back through the Logs API itself."""

from __future__ import annotations

import asyncio

from overcast.cloud import Cloud
from overcast.config import Settings
from overcast.context import RequestContext
from overcast.storage.scope import Scope

ACCOUNT = "000000000000"
SCOPE = Scope(ACCOUNT, "us-east-1")


class Recorder:
    """An ingestion listener keeping what it was told."""

    def __init__(self):
        self.in_transaction_batches, self.after_commit_batches = [], []

    def in_transaction(self, batch) -> None:
        self.in_transaction_batches.append((batch.group.name, batch.stream_name, batch.count))

    def after_commit(self, batch) -> None:
        self.after_commit_batches.append([(e.timestamp, e.message, e.event_id) for e in batch.events])


async def _scenario(data_dir: str) -> dict:
    cloud = Cloud(Settings(data_dir=data_dir))
    await cloud.start()
    try:
        provider = await cloud.services.started("logs")
        recorder = Recorder()
        provider.add_ingest_listener(recorder)
        now = int(cloud.clock.now() * 1000)
        # out of order, one too old to keep, one empty (dropped): the writer sorts and applies the rules
        provider.write_log_events(SCOPE, "/aws/lambda/fn", "2026/12/04/[$LATEST]abc",
                                  [(now, "second"), (now - 1, "first"), (now - 20 * 86_400_000, "too old"),
                                   (now, "")])
        calls = RequestContext(account=ACCOUNT, region="us-east-1", service="logs", registry=cloud.services).services
        got = await calls.call("logs", "GetLogEvents", {"logGroupName": "/aws/lambda/fn",
                                                        "logStreamName": "2026/12/04/[$LATEST]abc",
                                                        "startFromHead": True})
        scanned = await provider.read(lambda conn: conn.execute(
            "SELECT COUNT(*), SUM(instr(message, 'o')) FROM log_events").fetchone())
        missing = None
        try:
            provider.write_log_events(SCOPE, "/not/there", "s", [(now, "x")], create=False)
        except Exception as exc:  # noqa: BLE001 - the AwsError is the answer
            missing = getattr(exc, "code", None)
        return {"messages": [e["message"] for e in got["events"]], "recorder": recorder, "scanned": scanned,
                "missing": missing}
    finally:
        await cloud.stop()


def test_writer_creates_sorts_applies_rules_and_tells_listeners(tmp_path):
    out = asyncio.run(_scenario(str(tmp_path)))
    assert out["messages"] == ["first", "second"]
    recorder = out["recorder"]
    assert recorder.in_transaction_batches == [("/aws/lambda/fn", "2026/12/04/[$LATEST]abc", 2)]
    [events] = recorder.after_commit_batches
    assert [m for _, m, _ in events] == ["first", "second"]
    assert all(len(event_id) == 56 and event_id.isdigit() for _, _, event_id in events)
    assert out["scanned"] == (2, 4)  # the reader sees what was committed, with SQLite's own functions
    assert out["missing"] == "ResourceNotFoundException"
