"""Service graph summaries, computed as segments arrive: GetServiceGraph reads them instead of
decoding every document of its window, so its first answer after a large batch or a restart
costs what the later ones do.

The segment store files each trace whose documents changed in ``trace_changes`` (same
transaction as the documents) and wakes the summarizer. The summarizer, a background task,
takes the pending traces in rounds: it reads their documents on the event loop, reduces each
trace to its ``TraceGraph`` in a worker thread (the long part: the receive path and other
requests go on meanwhile), then in one transaction replaces each trace's stored contribution
(``trace_graphs``) and moves it within the per-minute sums (``minute_graphs``): the old
contribution taken out, the new one put in. A trace whose segments arrive over time, in any
order, is simply recomputed from all its documents each time.

A query first finishes what is pending (``catch_up``: every change committed before it
started), so an answer always reflects every acknowledged segment; usually the background has
done it already. Then a window is the sum of the minutes it covers whole, plus the traces of
the minutes it covers in part (and of earlier minutes whose traces reach into it).

Each trace's filter facts are kept beside its contribution (``filters/prefilter.py``):
GetTraceSummaries decodes only the traces whose facts may match its filter expression (and
those still pending, whose facts may be stale).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import marshal
import math
import time
from typing import Callable

from overcast.services.xray.filters.prefilter import trace_facts
from overcast.services.xray.graph import GraphBuilder, TraceGraph
from overcast.services.xray.graph_aggregate import GraphAggregate
from overcast.services.xray.trace_view import TraceView
from overcast.services.xray.windows import trace_rows
from overcast.storage import group_commit

log = logging.getLogger("overcast.xray")

# Traces per round: the database work of a round runs on the event loop (a few ms), the
# reduction (about 0.3 ms a trace) in a worker thread.
ROUND = 500
# After a wake-up, the summarizer lets this long pass before it starts, so the segments of a
# trace sent moments apart (as an SDK sends them) are reduced together, once.
GATHER_SECONDS = 0.2
# The daemon's UDP side has no back-pressure: what the kernel's buffer cannot hold is lost.
# So while datagrams arrive, each background round is followed by a pause this many times its
# length, and while they arrive faster than BUSY_DATAGRAMS_PER_SECOND (a burst: measured, a
# summarizer sharing the CPU then left 20,000/s bursts seconds behind) no round starts at all:
# the backlog is done once the burst is over, or by the next query. HTTP callers just wait for
# their answer: the summarizer shares the CPU with them.
YIELD_TO_DATAGRAMS = 4.0
BUSY_DATAGRAMS_PER_SECOND = 2000
_BUSY_PROBE_SECONDS = 0.25
_MINUTE = 60


class GraphSummaries:
    """The background summarizer and the windowed reads of what it keeps."""

    def __init__(self, database: Callable[[], object]):
        self._database = database  # the provider's database, opened on first use
        self._lock = asyncio.Lock()  # one catch-up at a time (the background's or a query's)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._generation = 0  # a reset makes the rounds in flight void
        self._datagrams_at = float("-inf")
        self._datagrams = 0  # documents stored from UDP since start
        self._failed_at = float("-inf")
        self.rounds = 0  # rounds applied since start (for tests and introspection)

    # lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Run in the background; what was pending before a restart is done first."""
        if self._task is None:
            self._loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            self._task = self._loop.create_task(self._run(), name="xray-graph-summaries")
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping anyway
                pass

    def reset(self) -> None:
        self._generation += 1

    def wake(self) -> None:
        """Documents changed (called by the segment store after its commit)."""
        if self._wake is not None and _on_loop(self._loop):
            self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(GATHER_SECONDS)
            self._wake.clear()
            try:
                await self.catch_up(background=True)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the rows stay pending; a query or a later round does them
                if time.monotonic() - self._failed_at > 60:  # one line a minute (a full disk fails every round)
                    log.exception("X-Ray graph summaries: a round failed; retrying")
                self._failed_at = time.monotonic()
                await asyncio.sleep(1.0)
                self._wake.set()

    # keeping up --------------------------------------------------------------------------------

    async def catch_up(self, background: bool = False) -> None:
        """Summarize every trace pending now, round by round (one round at a time, whoever
        runs it). In the background, a round during which UDP datagrams were stored is followed
        by a pause: see ``YIELD_TO_DATAGRAMS``."""
        generation = self._generation
        pending = self._database().query("SELECT account, region, trace_id FROM trace_changes")
        for i in range(0, len(pending), ROUND):
            if background:
                await self._while_datagrams_pour_in()
            began = time.monotonic()
            async with self._lock:
                if generation != self._generation:
                    return  # reset meanwhile: what was pending is gone
                chunk = self._still_pending(pending[i:i + ROUND])
                if not chunk:
                    continue  # done by another catch-up already
                rows = self._documents(chunk)
                graphs = await asyncio.to_thread(_reduce, rows)
                if generation != self._generation:
                    return
                self._apply(chunk, graphs)
            if background and self._datagrams_at >= began:
                await asyncio.sleep((time.monotonic() - began) * YIELD_TO_DATAGRAMS)

    async def catch_up_for_query(self) -> None:
        """``catch_up`` for a query, returning once its writes are committed: they are derived
        rows, so they run in a context of their own, outside the request's group-commit
        tracking (the answer must not fail because they could not be stored), and a commit
        that failed (a full disk) raises here, for the query to read the documents instead."""

        async def committed() -> None:
            with group_commit.tracking():
                await self.catch_up()
                await group_commit.settle()

        await asyncio.create_task(committed(), context=contextvars.Context())

    def datagrams_stored(self, count: int) -> None:
        """The daemon's UDP side stored a batch of ``count`` documents (called by its listener)."""
        self._datagrams_at = time.monotonic()
        self._datagrams += count

    async def _while_datagrams_pour_in(self) -> None:
        """Wait while the UDP side receives faster than BUSY_DATAGRAMS_PER_SECOND."""
        while time.monotonic() - self._datagrams_at < _BUSY_PROBE_SECONDS:
            seen, since = self._datagrams, time.monotonic()
            await asyncio.sleep(_BUSY_PROBE_SECONDS)
            if (self._datagrams - seen) / (time.monotonic() - since) < BUSY_DATAGRAMS_PER_SECOND:
                return

    def _still_pending(self, keys: list[tuple]) -> list[tuple]:
        """(account, region, trace id, version) of those of ``keys`` still in trace_changes."""
        db = self._database()
        out = []
        for (account, region), ids in _by_scope(keys).items():
            out += db.query(
                f"SELECT account, region, trace_id, version FROM trace_changes WHERE account = ? AND region = ? "
                f"AND trace_id IN ({','.join('?' * len(ids))})", (account, region, *ids))
        return out

    def _documents(self, chunk: list[tuple]) -> list[tuple]:
        """(account, region, trace id, document text) of every document of the chunk's traces."""
        db = self._database()
        return [(account, region, trace_id, doc) for (account, region), ids in _by_scope(chunk).items()
                for trace_id, _, doc in trace_rows(db, account, region, ids)]

    def _apply(self, chunk: list[tuple], graphs: dict[tuple, tuple]) -> None:
        """Replace the chunk's stored contributions with ``graphs`` ((TraceGraph, facts); a
        trace missing there has no document left) and move them within the minute sums, in one
        transaction."""
        db = self._database()
        old = self._stored_graphs(chunk)
        minutes: dict[tuple, GraphAggregate] = {}

        def minute_sum(account: str, region: str, minute: int) -> GraphAggregate:
            key = (account, region, minute)
            aggregate = minutes.get(key)
            if aggregate is None:
                row = db.query_one("SELECT graph FROM minute_graphs WHERE account = ? AND region = ? AND minute = ?",
                                   key)
                aggregate = minutes[key] = GraphAggregate.decoded(row[0]) if row else GraphAggregate()
            return aggregate

        stored, gone, done = [], [], []
        for account, region, trace_id, version in chunk:
            key = (account, region, trace_id)
            before = old.get(key)
            if before is not None and before[0] is not None:
                minute_sum(account, region, before[0]).remove(TraceGraph.decoded(before[1]))
            graph, facts = graphs.get(key, (None, None))
            if graph is not None:
                stored.append((*key, graph.minute, graph.encoded(), facts))
                if graph.minute is not None:
                    minute_sum(account, region, graph.minute).add(graph)
            elif before is not None:
                gone.append(key)
            # deleted only if no document came meanwhile (the version moved): else redone later
            done.append((*key, version))
        with db.transaction():
            db.executemany(
                "INSERT INTO trace_graphs (account, region, trace_id, minute, graph, facts) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, trace_id) DO UPDATE SET "
                "minute = excluded.minute, graph = excluded.graph, facts = excluded.facts", stored)
            db.executemany("DELETE FROM trace_graphs WHERE account = ? AND region = ? AND trace_id = ?", gone)
            db.executemany("DELETE FROM trace_changes WHERE account = ? AND region = ? AND trace_id = ? "
                           "AND version = ?", done)
            for key, aggregate in minutes.items():
                if aggregate:
                    db.execute(
                        "INSERT INTO minute_graphs (account, region, minute, latest_start, graph) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, region, minute) DO UPDATE SET "
                        "latest_start = excluded.latest_start, graph = excluded.graph",
                        (*key, aggregate.latest_start, aggregate.encoded()))
                else:
                    db.execute("DELETE FROM minute_graphs WHERE account = ? AND region = ? AND minute = ?", key)
        self.rounds += 1

    def _stored_graphs(self, chunk: list[tuple]) -> dict[tuple, tuple]:
        """(account, region, trace id) -> (minute, graph) stored for the chunk's traces."""
        db = self._database()
        out = {}
        for (account, region), ids in _by_scope(chunk).items():
            for trace_id, minute, graph in db.query(
                    f"SELECT trace_id, minute, graph FROM trace_graphs WHERE account = ? AND region = ? "
                    f"AND trace_id IN ({','.join('?' * len(ids))})", (account, region, *ids)):
                out[(account, region, trace_id)] = (minute, graph)
        return out

    def facts(self, account: str, region: str, trace_ids: list[str]) -> dict[str, bytes]:
        """trace id -> its filter facts (``filters/prefilter.py``, marshalled: decoded by the
        caller, off the event loop), for those whose summary is up to date (a trace still
        pending has none: its facts may be stale)."""
        out = {}
        for i in range(0, len(trace_ids), ROUND):
            ids = trace_ids[i:i + ROUND]
            for trace_id, facts in self._database().query(
                    f"SELECT g.trace_id, g.facts FROM trace_graphs g WHERE g.account = ? AND g.region = ? "
                    f"AND g.trace_id IN ({','.join('?' * len(ids))}) AND NOT EXISTS (SELECT 1 FROM trace_changes c "
                    "WHERE c.account = g.account AND c.region = g.region AND c.trace_id = g.trace_id)",
                    (account, region, *ids)):
                out[trace_id] = facts
        return out

    def pending(self) -> int:
        """Traces whose summary is not up to date yet."""
        return self._database().query_one("SELECT COUNT(*) FROM trace_changes")[0]

    # reading -------------------------------------------------------------------------------------

    def graph(self, account: str, region: str, start: float, end: float) -> GraphBuilder:
        """The merged graph of the traces with a segment starting in [start, end], from the
        summaries as they are (``catch_up`` first for an up-to-date answer)."""
        db = self._database()
        out = GraphBuilder()
        partial = []
        for minute, blob in db.query(
                "SELECT minute, graph FROM minute_graphs WHERE account = ? AND region = ? AND minute <= ? "
                "AND latest_start >= ?", (account, region, math.floor(end / _MINUTE), start)):
            if start <= minute * _MINUTE and (minute + 1) * _MINUTE <= end:  # every trace starts inside
                GraphAggregate.decoded(blob).into(out)
            else:
                partial.append(minute)
        for i in range(0, len(partial), ROUND):
            minutes = partial[i:i + ROUND]
            for (blob,) in db.query(
                    f"SELECT graph FROM trace_graphs WHERE account = ? AND region = ? "
                    f"AND minute IN ({','.join('?' * len(minutes))})", (account, region, *minutes)):
                trace = TraceGraph.decoded(blob)
                if trace.starts_within(start, end):
                    out.add(trace)
        return out


def _by_scope(keys: list[tuple]) -> dict[tuple, list[str]]:
    """(account, region) -> trace ids, from rows starting (account, region, trace id, ...)."""
    out: dict[tuple, list[str]] = {}
    for key in keys:
        out.setdefault((key[0], key[1]), []).append(key[2])
    return out


def _on_loop(loop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _reduce(rows: list[tuple]) -> dict[tuple, tuple]:
    """(account, region, trace id) -> (TraceGraph, encoded filter facts) of each trace of
    ``rows`` ((account, region, trace id, document text)): pure, so it runs in a worker thread."""
    documents: dict[tuple, list[dict]] = {}
    for account, region, trace_id, doc in rows:
        documents.setdefault((account, region, trace_id), []).append(json.loads(doc))
    out = {}
    for key, docs in documents.items():
        view = TraceView(key[2], docs)
        out[key] = (TraceGraph(view), marshal.dumps(trace_facts(view)))
    return out
