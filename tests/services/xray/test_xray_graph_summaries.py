"""The service graph summaries against a real SQLite database: they follow new documents,
late documents of a trace, replaced documents, expiry (whole and partly expired traces), a
reset, and documents received with an older time (the cloud clock set back), always agreeing
with a graph built from every stored document; windows covering minutes whole and in part."""

from __future__ import annotations

import asyncio
import json

import pytest
from xray_traces_fixture import fixture_traces

from overcast.services.xray.graph import GraphBuilder
from overcast.services.xray.graph_summaries import GraphSummaries
from overcast.services.xray.schema import MIGRATIONS
from overcast.services.xray.store import SegmentStore
from overcast.services.xray.trace_view import TraceView
from overcast.services.xray.windows import load_traces
from overcast.storage.sqlite import SqliteDatabase

ACCOUNT, REGION = "123456789012", "us-east-1"
BASE = 1_700_000_000.0
WINDOW = (BASE - 3600, BASE + 3600)


@pytest.fixture
def store(tmp_path):
    db = SqliteDatabase(str(tmp_path / "xray.db"), "xray", fsync=False, group_commit=False)
    db.migrate(MIGRATIONS)
    yield SegmentStore(db)
    db.close()


def _expected(store, window=WINDOW) -> list[dict]:
    ids = [row[0] for row in store.db.query("SELECT DISTINCT trace_id FROM segments")]
    builder = GraphBuilder()
    for trace_id, docs in load_traces(store.db, ACCOUNT, REGION, ids).items():
        view = TraceView(trace_id, docs)
        if any(window[0] <= s["start_time"] <= window[1] for s in view.segments):
            builder.add(view)
    return builder.services(window)


def _cached(summaries, window=WINDOW) -> list[dict]:
    asyncio.run(summaries.catch_up())
    return summaries.graph(ACCOUNT, REGION, *window).services(window)


def _names(services) -> set[str]:
    return {s["Name"] for s in services}


def _add(store, trace_docs, received):
    store.add(ACCOUNT, REGION, [json.loads(json.dumps(d)) for d in trace_docs], received)


def test_summaries_follow_arrivals_replacements_expiry_reset_and_clock(store):
    traces = fixture_traces(BASE)
    cache = GraphSummaries(lambda: store.db)
    assert _cached(cache) == []

    _add(store, traces["ok_get"], received=100.0)
    _add(store, traces["throttled"], received=100.0)  # same tick: counted, not missed
    assert _cached(cache) == _expected(store) and _names(_cached(cache)) >= {"web", "gateway", "orders"}

    root, backend = traces["fault_post"]
    _add(store, [root], received=200.0)
    assert _names(_cached(cache)) >= {"backend.internal"}  # inferred from the call (its URL) until it reports
    _add(store, [backend], received=300.0)  # the callee arrives later: the trace is recomputed
    assert _cached(cache) == _expected(store)
    assert next(s for s in _cached(cache) if s["Name"] == "backend")["State"] == "active"

    replaced = dict(traces["ok_get"][0], fault=True)
    _add(store, [replaced], received=400.0)  # a document sent again replaces the stored one
    assert _cached(cache) == _expected(store)

    assert store.expire(150.0) == 1  # throttled goes; ok_get stays (sent again at 400)
    assert "gateway" not in _names(_cached(cache)) and _cached(cache) == _expected(store)

    assert store.expire(250.0) == 1  # fault_post partly expired: its root goes, the callee stays
    assert _cached(cache) == _expected(store)
    assert store.db.query("SELECT COUNT(*) FROM trace_changes") == [(0,)]  # every change followed

    _add(store, traces["slow_ok"], received=350.0)  # received between known times: the clock was set back
    assert "reports" in _names(_cached(cache)) and _cached(cache) == _expected(store)
    _add(store, traces["partial"], received=50.0)  # and before every known one
    assert _cached(cache) == _expected(store)

    cache.reset()  # a reset: the provider's, then the storage's
    store.db.wipe()
    assert _cached(cache) == []
    _add(store, traces["error_404"], received=10.0)
    assert _cached(cache) == _expected(store) and _names(_cached(cache)) == {"web"}


def test_windows_over_whole_and_partial_minutes_and_traces_spanning_minutes(store):
    summaries = GraphSummaries(lambda: store.db)
    traces = fixture_traces(BASE)
    for n, name in enumerate(traces):
        shifted = [dict(d, start_time=d["start_time"] + n * 37.0, end_time=d.get("end_time", d["start_time"]) + n * 37.0)
                   for d in traces[name]]
        _add(store, shifted, received=100.0 + n)
    # a trace whose callee segment starts two minutes after its root
    root, backend = traces["fault_post"]
    late = [dict(root, trace_id=root["trace_id"][:-1] + "f", start_time=BASE + 1000.0, end_time=BASE + 1200.0),
            dict(backend, trace_id=root["trace_id"][:-1] + "f", start_time=BASE + 1130.0, end_time=BASE + 1131.0)]
    _add(store, late, received=500.0)
    for window in (WINDOW, (BASE, BASE + 60), (BASE + 30, BASE + 200), (BASE + 61.5, BASE + 61.5),
                   (BASE + 1100, BASE + 1140), (BASE + 1000, BASE + 1020), (BASE - 60, BASE - 1)):
        assert _cached(summaries, window) == _expected(store, window), window
    assert _cached(summaries, (BASE + 1100, BASE + 1140)) != []


def test_pending_changes_survive_a_reopen_and_a_round_voided_by_reset_writes_nothing(tmp_path):
    path = str(tmp_path / "xray.db")
    db = SqliteDatabase(path, "xray", fsync=False, group_commit=False)
    db.migrate(MIGRATIONS)
    store = SegmentStore(db)
    for n, docs in enumerate(fixture_traces(BASE).values()):
        _add(store, docs, received=100.0 + n)
    db.close()  # stopped before the summarizer ran

    db = SqliteDatabase(path, "xray", fsync=False, group_commit=False)
    db.migrate(MIGRATIONS)
    store = SegmentStore(db)
    summaries = GraphSummaries(lambda: db)
    assert summaries.pending() == len(fixture_traces(BASE))
    assert _cached(summaries) == _expected(store) != []
    assert summaries.pending() == 0

    async def reset_while_reducing():
        _add(store, [dict(fixture_traces(BASE)["ok_get"][0], fault=True)], received=900.0)
        round_ = asyncio.ensure_future(summaries.catch_up())
        await asyncio.sleep(0)  # the round reads the documents, then reduces them in a thread
        summaries.reset()
        db.wipe()
        await round_

    asyncio.run(reset_while_reducing())
    assert db.query("SELECT COUNT(*) FROM trace_graphs") == [(0,)]
    assert db.query("SELECT COUNT(*) FROM minute_graphs") == [(0,)]
    db.close()
