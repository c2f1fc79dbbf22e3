"""FilterLogEvents' scan on a SQLite file of its own (no server): a page cut by the search
budget or by 1 MB resumes where it stopped, and walking the pages finds each match once."""

from __future__ import annotations

import sqlite3

import pytest

from overcast.services.logs import filter_scan
from overcast.services.logs.filter_pattern import compile_pattern
from overcast.services.logs.filter_scan import FilterScan, scan
from overcast.services.logs.schema import CORE_SCHEMA


@pytest.fixture
def conn(tmp_path):
    db = sqlite3.connect(tmp_path / "logs.db")
    db.executescript(CORE_SCHEMA)
    db.executemany("INSERT INTO log_streams (stream_id, group_id, name, created_ms) VALUES (?, 1, ?, 0)",
                   [(1, "a"), (2, "b")])
    # 6,000 events, 3 to a millisecond (ties in timestamp), every 7th one a match
    db.executemany("INSERT INTO log_events (seq, group_id, stream_id, timestamp, ingestion_time, message) "
                   "VALUES (?, 1, ?, ?, 0, ?)",
                   [(i, 1 + i % 2, 1000 + i // 3, f"{'ERROR' if i % 7 == 0 else 'INFO'} event {i}")
                    for i in range(1, 6001)])
    db.commit()
    return db


def walk(conn, pattern: str, **overrides) -> tuple[list[int], int]:
    found, after, pages = [], None, 0
    while True:
        job = FilterScan(**{"group_id": 1, "start": None, "end": None, "after": after, "stream_names": None,
                            "stream_prefix": None, "limit": 10_000, "pattern": compile_pattern(pattern),
                            **overrides})
        events, after = scan(conn, job)
        pages += 1
        found += [int(e["message"].split()[-1]) for e in events]
        if after is None:
            return found, pages


def test_a_spent_budget_ends_pages_early_and_nothing_is_lost(conn, monkeypatch):
    monkeypatch.setattr(filter_scan, "SEARCH_BUDGET_SECONDS", -1.0)  # every page stops at its first check
    found, pages = walk(conn, "%ERROR|XYZ%")  # no literal to prefilter on: every row judged
    assert found == [i for i in range(1, 6001) if i % 7 == 0]
    assert pages > 5


def test_pages_end_at_a_megabyte(conn, monkeypatch):
    monkeypatch.setattr(filter_scan, "PAGE_BYTES", 2000)
    found, pages = walk(conn, "ERROR")
    assert found == [i for i in range(1, 6001) if i % 7 == 0]
    assert pages >= len(found) * 40 // 2000


def test_limit_pages_resume_within_a_millisecond(conn):
    found, pages = walk(conn, "", limit=4)
    assert found == list(range(1, 6001))
    assert pages == 1501 or pages == 1500


def test_streams_by_name_and_prefix(conn):
    assert walk(conn, "ERROR", stream_names=("b",))[0] == [i for i in range(1, 6001) if i % 7 == 0 and i % 2 == 1]
    assert walk(conn, "ERROR", stream_prefix="zz")[0] == []


def test_a_prefix_selecting_hundreds_of_streams(conn):
    conn.executemany("INSERT INTO log_streams (stream_id, group_id, name, created_ms) VALUES (?, 1, ?, 0)",
                     [(100 + i, f"many-{i:03d}") for i in range(600)])
    conn.executemany("INSERT INTO log_events (seq, group_id, stream_id, timestamp, ingestion_time, message) "
                     "VALUES (?, 1, ?, ?, 0, ?)",
                     [(10_000 + i, 100 + i, 5000 + i, f"ERROR many {10_000 + i}") for i in range(600)])
    conn.commit()
    found, _ = walk(conn, "ERROR", stream_prefix="many-")
    assert found == list(range(10_000, 10_600))
