"""Live Tail and tail pieces without a server: a session's filters and sampling, the stream's
end on an unexpected failure, the JSON event stream read back by botocore's own parser, and
the tail command's ``--since``, formats and polling."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import botocore.session
import pytest
from botocore.parsers import create_parser

from overcast.protocols.json_eventstream import serialize_event_stream
from overcast.services.logs import live_tail
from overcast.services.logs.filter_pattern import compile_pattern
from overcast.services.logs.live_tail import LiveTailOperations
from overcast.services.logs.live_tail_session import MAX_RESULTS, LiveTailListener, LiveTailSession
from overcast.services.logs.models import GroupRow, IngestedBatch, IngestedEvent
from overcast.services.logs.tail_command import Tail, TailError, format_event, since_ms
from overcast.storage.scope import Scope

SCOPE = Scope("000000000000", "us-east-1")


def _group(group_id: int, name: str = "g") -> GroupRow:
    return GroupRow(group_id, SCOPE.account, SCOPE.region, name, 0, None, None, "STANDARD", False, None, 0)


def _batch(group_id: int, stream: str, messages: list[str], first_seq: int = 1) -> IngestedBatch:
    events = [IngestedEvent(1000 + i, 2000, message, first_seq + i) for i, message in enumerate(messages)]
    return IngestedBatch(SCOPE, _group(group_id), stream, 7, events=events)


def _session(groups=None, names=None, prefixes=None, pattern=None) -> LiveTailSession:
    return LiveTailSession(scope=SCOPE, request_id="r", groups=groups or {1: "arn-1"}, stream_names=names,
                           stream_prefixes=prefixes, pattern=compile_pattern(pattern) if pattern else None, started=0.0)


def _take(session: LiveTailSession) -> dict:
    """The one update of a session read in time."""
    updates = session.take_updates()
    assert len(updates) == 1
    return updates[0]


def test_a_session_keeps_only_its_groups_streams_and_matches():
    listener = LiveTailListener()
    by_name = _session(names=frozenset({"web"}))
    by_prefix = _session(prefixes=("work",), pattern="ERROR")
    for session in (by_name, by_prefix):
        listener.add(session)
    listener.after_commit(_batch(1, "web", ["ERROR a", "INFO b"]))
    listener.after_commit(_batch(1, "worker-1", ["ERROR c", "INFO d"], first_seq=10))
    listener.after_commit(_batch(2, "web", ["other group"], first_seq=20))
    assert [r["message"] for r in _take(by_name)["sessionResults"]] == ["ERROR a", "INFO b"]
    update = _take(by_prefix)
    assert update == {"sessionMetadata": {"sampled": False}, "sessionResults": [
        {"logStreamName": "worker-1", "logGroupIdentifier": "arn-1", "message": "ERROR c", "timestamp": 1000,
         "ingestionTime": 2000}]}
    assert _take(by_prefix)["sessionResults"] == []  # taken once
    listener.remove(by_name)
    listener.after_commit(_batch(1, "web", ["after removal"], first_seq=30))
    assert _take(by_name)["sessionResults"] == []


def test_sampling_keeps_500_of_the_matches_in_ingestion_order():
    session = _session()
    session.offer(_batch(1, "s", [str(i) for i in range(2000)]))
    update = _take(session)
    numbers = [int(r["message"]) for r in update["sessionResults"]]
    assert update["sessionMetadata"]["sampled"] is True
    assert len(numbers) == MAX_RESULTS and numbers == sorted(set(numbers))
    assert numbers[-1] >= MAX_RESULTS  # drawn from the whole second


def test_a_slow_reader_gets_the_last_ten_seconds_one_update_each():
    session = _session()
    session.take_updates(now=0.0)
    for second in range(14):  # the reader takes nothing for 14 seconds
        session.offer(_batch(1, "s", [f"second {second}"], first_seq=second + 1), now=second * 1.6)
    updates = session.take_updates(now=30.0)
    assert [[r["message"] for r in u["sessionResults"]] for u in updates] == \
        [[f"second {second}"] for second in range(4, 14)]  # the newest 10, the oldest dropped
    assert _take(session)["sessionResults"] == []
    # a reader in time gets one update a second, whatever came meanwhile
    session.take_updates(now=40.0)
    session.offer(_batch(1, "s", ["a"], first_seq=100), now=40.2)
    session.offer(_batch(1, "s", ["b"], first_seq=101), now=40.9)
    assert [r["message"] for r in _take(session)["sessionResults"]] == ["a", "b"]


class _Clock:
    def now(self) -> float:
        return 0.0


class _Provider:
    _live_tail_stream = LiveTailOperations._live_tail_stream

    def __init__(self):
        self.live_tail = LiveTailListener()
        self.clock = _Clock()


def test_an_unexpected_failure_ends_the_stream_with_session_streaming_exception(monkeypatch):
    monkeypatch.setattr(live_tail, "UPDATE_SECONDS", 0.0)
    provider = _Provider()
    session = _session()
    provider.live_tail.add(session)
    monkeypatch.setattr(session, "take_updates", lambda: 1 / 0)

    async def collect():
        return [event async for event in provider._live_tail_stream(session, {"sessionId": "s"})]

    events = asyncio.run(collect())
    assert events == [{"sessionStart": {"sessionId": "s"}},
                      {"SessionStreamingException": {"message": live_tail.STREAMING_MESSAGE}}]
    assert not provider.live_tail.sessions


def test_botocore_reads_the_json_event_stream():
    model = botocore.session.get_session().get_service_model("logs")
    operation = model.operation_model("StartLiveTail")

    async def events():
        yield {"sessionStart": {"requestId": "r", "sessionId": "s", "logGroupIdentifiers": ["arn"]}}
        yield {"sessionUpdate": {"sessionMetadata": {"sampled": True}, "sessionResults": [
            {"logStreamName": "web", "logGroupIdentifier": "arn", "message": "hi", "timestamp": 1,
             "ingestionTime": 2}]}}
        yield {"SessionTimeoutException": {"message": "over"}}

    response = serialize_event_stream(operation, {"responseStream": events()}, "application/x-amz-json-1.1", "rid")

    async def body():
        return b"".join([chunk async for chunk in response.body])

    raw = asyncio.run(body())

    class _Raw:
        def stream(self):
            yield raw

    parsed = create_parser("json").parse({"status_code": 200, "headers": response.headers, "body": _Raw(),
                                          "context": {}}, operation.output_shape)
    stream = iter(parsed["responseStream"])
    assert next(stream) == {"sessionStart": {"requestId": "r", "sessionId": "s", "logGroupIdentifiers": ["arn"]}}
    assert next(stream)["sessionUpdate"]["sessionResults"][0]["message"] == "hi"
    with pytest.raises(Exception) as info:
        next(stream)
    assert "SessionTimeoutException" in str(info.value) and "over" in str(info.value)


def test_since_takes_durations_and_times():
    now = 1_700_000_000.0
    assert since_ms("10m", now) == int((now - 600) * 1000)
    assert since_ms("2h", now) == int((now - 7200) * 1000)
    assert since_ms("1w", now) == int((now - 604800) * 1000)
    assert since_ms("2024-01-02T03:04:05", now) == int(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc).timestamp()
                                                      * 1000)
    assert since_ms("2024-01-02T03:04:05+02:00", now) == since_ms("2024-01-02T01:04:05", now)
    with pytest.raises(TailError):
        since_ms("soon", now)


def test_formats():
    event = {"timestamp": 1_700_000_000_123, "logStreamName": "web", "message": "hello", "eventId": "1",
             "ingestionTime": 1_700_000_000_200}
    assert format_event(event, "detailed") == "2023-11-14T22:13:20.123000+00:00 web hello"
    assert format_event(event, "short") == "2023-11-14T22:13:20 hello"
    assert format_event(event, "json") == "2023-11-14T22:13:20.123000+00:00 web hello"  # not JSON: as it is
    shown = format_event({**event, "message": '{"level": "ERROR", "ms": [1, 2]}'}, "json")
    assert shown == "2023-11-14T22:13:20.123000+00:00 web " + json.dumps({"level": "ERROR", "ms": [1, 2]}, indent=4)
    assert format_event({**event, "message": "{not json"}, "json").endswith(" web {not json")


class _Client:
    """FilterLogEvents over a list, two events a page, from ``startTime``."""

    def __init__(self):
        self.events: list[dict] = []
        self.calls: list[dict] = []

    def filter_log_events(self, **request):
        self.calls.append(request)
        matching = [e for e in self.events if e["timestamp"] >= request["startTime"]]
        start = int(request.get("nextToken", 0))
        page = {"events": matching[start:start + 2]}
        if start + 2 < len(matching):
            page["nextToken"] = str(start + 2)
        return page


def test_polls_print_each_event_once_across_pages_and_equal_timestamps():
    client = _Client()
    tail = Tail(client, "g", 100, pattern="ERROR", stream_prefix="web")
    client.events = [{"timestamp": t, "eventId": f"e{i}", "message": str(i)} for i, t in enumerate((100, 150, 150))]
    assert [e["eventId"] for e in tail.poll()] == ["e0", "e1", "e2"]
    assert client.calls[0] == {"logGroupName": "g", "startTime": 100, "filterPattern": "ERROR",
                               "logStreamNamePrefix": "web"}
    client.events.append({"timestamp": 150, "eventId": "e3", "message": "3"})  # same millisecond, later
    client.events.append({"timestamp": 160, "eventId": "e4", "message": "4"})
    assert [e["eventId"] for e in tail.poll()] == ["e3", "e4"]
    assert client.calls[-1]["startTime"] == 150
    assert tail.poll() == []
