"""The service graph cache against a real SQLite segments table: it follows new documents,
replaced documents, expiry (whole and partly expired traces), a reset, and documents received
with an older time (the cloud clock set back), always agreeing with a graph built from every
stored document."""

from __future__ import annotations

import json

import pytest
from xray_traces_fixture import fixture_traces

from overcast.services.xray.graph import GraphBuilder
from overcast.services.xray.graph_cache import GraphCache
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
    db = SqliteDatabase(str(tmp_path / "xray.db"), "xray", fsync=False)
    db.migrate(MIGRATIONS)
    yield SegmentStore(db)
    db.close()


def _expected(store) -> list[dict]:
    ids = [row[0] for row in store.db.query("SELECT DISTINCT trace_id FROM segments")]
    builder = GraphBuilder()
    for trace_id, docs in load_traces(store.db, ACCOUNT, REGION, ids).items():
        builder.add(TraceView(trace_id, docs))
    return builder.services(WINDOW)


def _cached(cache) -> list[dict]:
    return cache.graph(ACCOUNT, REGION, *WINDOW).services(WINDOW)


def _names(services) -> set[str]:
    return {s["Name"] for s in services}


def _add(store, trace_docs, received):
    store.add(ACCOUNT, REGION, [json.loads(json.dumps(d)) for d in trace_docs], received)


def test_cache_follows_arrivals_replacements_expiry_reset_and_clock(store):
    traces = fixture_traces(BASE)
    cache = GraphCache(store.db)
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
    assert cache.full_loads == 1  # arrivals, replacements and expiry were followed trace by trace

    _add(store, traces["slow_ok"], received=350.0)  # received between known times: the clock was set back
    assert "reports" in _names(_cached(cache)) and _cached(cache) == _expected(store)
    _add(store, traces["partial"], received=50.0)  # and before every known one
    assert _cached(cache) == _expected(store)

    store.db.execute("DELETE FROM segments")  # a reset
    assert _cached(cache) == []
    _add(store, traces["error_404"], received=10.0)
    assert _cached(cache) == _expected(store) and _names(_cached(cache)) == {"web"}


def test_async_refresh_reduces_in_a_thread_and_agrees(store):
    import asyncio

    traces = fixture_traces(BASE)
    cache = GraphCache(store.db)
    for n, name in enumerate(traces):
        _add(store, traces[name], received=100.0 + n)

    async def both():
        # two queries at once: one refresh, both answers complete
        return await asyncio.gather(cache.graph_async(ACCOUNT, REGION, *WINDOW), cache.graph_async(ACCOUNT, REGION, *WINDOW))

    first, second = asyncio.run(both())
    assert first.services(WINDOW) == second.services(WINDOW) == _expected(store)
    assert cache.full_loads == 1
    _add(store, [dict(traces["ok_get"][0], error=True)], received=500.0)
    assert asyncio.run(cache.graph_async(ACCOUNT, REGION, *WINDOW)).services(WINDOW) == _expected(store)
    assert cache.full_loads == 1
