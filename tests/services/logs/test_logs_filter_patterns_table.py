"""The table of documented filter patterns (filter_pattern_table.py), each row naming its AWS
documentation page: through the pure matcher, and through TestMetricFilter on a real server
(one request per pattern with the row group's sample events)."""

from __future__ import annotations

import pytest

from filter_pattern_table import GROUPS, INVALID, table
from logs_helpers import error_of, logs  # noqa: F401 - fixture
from overcast.services.logs.filter_pattern import compile_pattern

ROWS = table()


def test_the_table_has_at_least_a_hundred_patterns():
    assert len(ROWS) >= 100
    assert all(page.startswith("https://docs.aws.amazon.com/") for _, page, _, _, _ in ROWS)


@pytest.mark.parametrize("group, page, samples, pattern, expected", ROWS, ids=[f"{r[0]}:{r[3]}" for r in ROWS])
def test_pure_matcher(group, page, samples, pattern, expected):
    compiled = compile_pattern(pattern)
    assert [name for name, message in samples.items() if compiled.match(message) is not None] == expected


@pytest.mark.parametrize("group, samples, rows", GROUPS, ids=[g[0] for g in GROUPS])
def test_test_metric_filter_on_a_server(logs, group, samples, rows):
    names, messages = list(samples), list(samples.values())
    wrong = []
    for page, pattern, expected in rows:
        answer = logs.test_metric_filter(filterPattern=pattern, logEventMessages=messages)
        got = [names[m["eventNumber"] - 1] for m in answer["matches"]]
        if got != expected.split() or any(m["eventMessage"] != samples[names[m["eventNumber"] - 1]]
                                          for m in answer["matches"]):
            wrong.append((pattern, page, got, expected))
    assert not wrong


@pytest.mark.parametrize("page, pattern, message", INVALID, ids=[r[1] for r in INVALID])
def test_invalid_patterns_through_filter_log_events(logs, page, pattern, message):
    logs.create_log_group(logGroupName="table")
    code, text, status = error_of(logs.filter_log_events, logGroupName="table", filterPattern=pattern)
    assert (code, text, status) == ("InvalidParameterException", message, 400)
