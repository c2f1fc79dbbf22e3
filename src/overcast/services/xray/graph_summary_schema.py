"""The service graph summaries, kept as segments arrive so that GetServiceGraph reads a few
rows instead of decoding every document of its window (``graph_summaries.py``):

- ``trace_changes``: the traces that received (or lost) documents since their summary was
  last computed, written in the transaction that stores the documents, so a restart loses no
  pending work. ``version`` grows with every change: the summarizer deletes the row only if
  no document came while it was computing.
- ``trace_graphs``: each trace's contribution to a service graph (``TraceGraph.encoded``),
  filed under the minute its first segment starts in, and the facts GetTraceSummaries tests
  filter expressions on before it decodes a trace (``filters/prefilter.py``).
- ``minute_graphs``: the sum of the contributions of the traces of one minute
  (``GraphAggregate.encoded``), updated by taking a trace's old contribution out and putting
  its new one in.

The migration files every trace already stored as changed, so an older data dir gets its
summaries computed in the background after the upgrade.
"""

GRAPH_SUMMARY_SCHEMA = """
CREATE TABLE trace_changes (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (account, region, trace_id)
);
CREATE TABLE trace_graphs (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    minute INTEGER,
    graph BLOB NOT NULL,
    facts BLOB NOT NULL,
    PRIMARY KEY (account, region, trace_id)
);
CREATE INDEX trace_graphs_by_minute ON trace_graphs (account, region, minute);
CREATE TABLE minute_graphs (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    minute INTEGER NOT NULL,
    latest_start REAL NOT NULL,
    graph BLOB NOT NULL,
    PRIMARY KEY (account, region, minute)
);
INSERT INTO trace_changes (account, region, trace_id, version)
    SELECT DISTINCT account, region, trace_id, 0 FROM segments;
"""
