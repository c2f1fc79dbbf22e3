"""The filter-pattern package on its own (no server): extracted values, JSON field lookups,
the SQL prefilter's promise (never narrower than ``match``), errors and quotas."""

from __future__ import annotations

import sqlite3

import pytest

from filter_pattern_table import INVALID, table
from overcast.services.logs.filter_pattern import FilterPatternError, compile_pattern

APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'


def test_space_delimited_extracted_values_follow_the_user_guide():
    match = compile_pattern("[..., request=*.html*, status_code=4*,]").match(APACHE)
    assert match.extracted_values() == {
        "$1": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:25:15 -0700",
        "$request": "GET /index.html HTTP/1.0", "$status_code": "404", "$7": "1534",
    }
    assert match.field("$status_code") == "404"
    assert match.field("$7") == "1534"
    assert match.field("$missing") is None


def test_json_match_reads_any_selector_of_the_document():
    match = compile_pattern('{ $.level = "ERROR" }').match(
        '{"level": "ERROR", "latency": 12.5, "ok": false, "tags": ["a", "b"], "n": null}')
    assert match.field("$.latency") == 12.5
    assert match.field("$.ok") is False
    assert match.field("$.tags[1]") == "b"
    assert match.field("$.n") is None
    assert match.field("$.absent") is None
    assert match.field("not a selector") is None
    assert match.extracted_values() == {}


def test_terms_and_empty_patterns_extract_nothing():
    assert compile_pattern("ERROR").match("ERROR here").extracted_values() == {}
    assert compile_pattern("").match("anything").field("$.a") is None
    assert compile_pattern("").kind == "all"
    assert compile_pattern("   ").match("anything") is not None


def test_kinds():
    assert compile_pattern("ERROR").kind == "terms"
    assert compile_pattern("{ $.a = 1 }").kind == "json"
    assert compile_pattern("[a, b]").kind == "space_delimited"


def test_optional_terms_beside_other_terms_are_ignored():
    pattern = compile_pattern("?ERROR -message")
    assert pattern.match("WARN only") is not None  # no ERROR, yet it matches: ?ERROR is ignored
    assert pattern.match("ERROR message") is None


def test_json_patterns_never_match_text_that_is_not_json():
    pattern = compile_pattern("{ $.a NOT EXISTS }")
    assert pattern.match('{"b": 1}') is not None
    assert pattern.match("not json") is None
    assert pattern.match('{"b": 1') is None


@pytest.mark.parametrize("page, pattern, message", INVALID, ids=[row[1] for row in INVALID])
def test_invalid_patterns_raise_aws_messages(page, pattern, message):
    with pytest.raises(FilterPatternError) as info:
        compile_pattern(pattern)
    assert str(info.value) == message


def test_metric_filter_wording_of_the_generic_error():
    with pytest.raises(FilterPatternError) as info:
        compile_pattern("{ }")
    assert info.value.message_for_metric_filter() == "Invalid metric filter pattern"
    with pytest.raises(FilterPatternError) as info:
        compile_pattern("a:b")
    assert info.value.message_for_metric_filter() == "Invalid character(s) in term ':'"


def test_regex_quota_is_two_per_pattern():
    assert compile_pattern("%a% %b%").regex_count == 2
    assert compile_pattern('{ $.a = %x% || $.b = %y% }').regex_count == 2
    for pattern in ("%a% %b% %c%", "{ $.a = %x% || $.b = %y% || $.c = %z% }", "[a = %x%, b = %y%, c = %z%]"):
        with pytest.raises(FilterPatternError):
            compile_pattern(pattern)


def test_wildcard_quotas_of_json_selectors():
    compile_pattern('{ $.a[*].b = 1 }')
    with pytest.raises(FilterPatternError):
        compile_pattern('{ $.a[*].b[*] = 1 }')  # one wildcard per selector
    with pytest.raises(FilterPatternError):
        compile_pattern('{ $.a[*] = 1 || $.b[*] = 1 || $.c.* = 1 || $.d[*] = 1 }')  # three per pattern


def test_multibyte_characters_are_refused_in_regex():
    with pytest.raises(FilterPatternError):
        compile_pattern("%caf\u00e9%")


def test_compiled_patterns_are_cached():
    assert compile_pattern("ERROR WARN") is compile_pattern("ERROR WARN")


def _samples_db(samples: dict[str, str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE log_events (name TEXT, message TEXT)")
    conn.executemany("INSERT INTO log_events VALUES (?, ?)", samples.items())
    return conn


@pytest.mark.parametrize("group, page, samples, pattern, expected", table(),
                         ids=[f"{row[0]}:{row[3]}" for row in table()])
def test_sql_prefilter_keeps_every_match(group, page, samples, pattern, expected):
    """What the prefilter lets through is a superset of what matches (match() decides)."""
    compiled = compile_pattern(pattern)
    prefilter = compiled.sql_prefilter()
    if prefilter is None:
        return
    where, params = prefilter
    conn = _samples_db(samples)
    kept = {name for (name,) in conn.execute(f"SELECT name FROM log_events WHERE {where}", params)}
    assert set(expected) <= kept


def test_prefilter_text_with_glob_characters_is_taken_literally():
    conn = _samples_db({"hit": "x a*b?[c] y", "miss": "x aXbY[c] y", "other": "a*b?c"})
    where, params = compile_pattern('"a*b?[c"').sql_prefilter()
    assert [n for (n,) in conn.execute(f"SELECT name FROM log_events WHERE {where}", params)] == ["hit"]


def test_prefilter_of_regex_terms_uses_their_literal_runs():
    where, params = compile_pattern("%timeout=[0-9]{4}%").sql_prefilter()
    assert params == ["*timeout=*"]
    assert compile_pattern("%[Ee]rror|[Ff]ail%").sql_prefilter() is None


def test_deep_nesting_is_an_invalid_pattern_or_no_match_never_a_crash():
    deep = "{" + "(" * 500 + "$.a = 1" + ")" * 500 + "}"
    with pytest.raises(FilterPatternError) as info:
        compile_pattern(deep)
    assert str(info.value) == "Invalid filter pattern"
    assert compile_pattern("{ $.a = 1 }").match("[" * 100_000 + "]" * 100_000) is None


def test_several_ellipses():
    pattern = compile_pattern("[a, ..., b = x, ..., c]")
    assert pattern.match("1 2 x 3 4").extracted_values() == {
        "$a": "1", "$2": "2", "$b": "x", "$4": "3", "$c": "4"}
    assert pattern.match("1 x 4").extracted_values() == {"$a": "1", "$b": "x", "$c": "4"}
    assert pattern.match("1 2 3 4") is None


def test_regex_runs_in_linear_time():
    """A backtracking engine would take minutes here (11 stars over 40 a's without a b)."""
    pattern = compile_pattern("%a*a*a*a*a*a*a*a*a*a*a*b%")
    assert pattern.match("a" * 40) is None
    assert pattern.match("a" * 40 + "b") is not None


def test_regex_repetition_counts_beyond_reason_are_invalid():
    with pytest.raises(FilterPatternError):
        compile_pattern("%a{99999999999}%")
