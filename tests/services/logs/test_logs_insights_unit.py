"""The Logs Insights package on its own: the query language compiled to SQL and run by SQLite
over a Logs database in memory (the core schema), each command, function and aggregate checked
against the answers Logs Insights gives; and the compile errors."""

from __future__ import annotations

import sqlite3

import pytest

from overcast.services.logs.insights import QuerySyntaxError, Source, compile_query, read_ptr, run
from overcast.services.logs.insights.udfs import sort_key
from overcast.services.logs.schema import CORE_SCHEMA

T0 = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC
MESSAGES = [
    '{"level":"ERROR","latency":120,"user":{"id":7},"tags":["a","b"]}',
    '{"level":"INFO","latency":30}',
    "plain text user=bob action=login",
    "plain text user=alice action=logout",
    '{"level":"ERROR","latency":5,"ip":"10.0.0.7","ok":true,"gone":null}',
]


@pytest.fixture(scope="module")
def conn():
    db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    db.executescript(CORE_SCHEMA)
    db.execute("INSERT INTO log_groups (group_id, account, region, name, created_ms, log_group_class) "
               "VALUES (1, '123456789012', 'us-east-1', 'app', 0, 'STANDARD'), "
               "(2, '123456789012', 'us-east-1', 'other', 0, 'STANDARD')")
    db.execute("INSERT INTO log_streams (stream_id, group_id, name, created_ms) VALUES (1, 1, 's1', 0), "
               "(2, 1, 's2', 0), (3, 2, 'x', 0)")
    events = [(i + 1, 1, 1 + i % 2, T0 + i * 30_000, T0 + i * 30_000 + 5, message) for i, message in enumerate(MESSAGES)]
    events.append((100, 2, 3, T0, T0, "in the other group"))
    # the core schema's other columns (the message's size) are filled as ingestion fills them
    extra = [row[1] for row in db.execute("PRAGMA table_info(log_events)")][6:]
    sizes = {"size": lambda message: len(message.encode())}
    marks = ", ".join("?" for _ in range(6 + len(extra)))
    db.executemany(f"INSERT INTO log_events (seq, group_id, stream_id, timestamp, ingestion_time, message"
                   f"{''.join(', ' + name for name in extra)}) VALUES ({marks})",
                   [row + tuple(sizes[name](row[5]) for name in extra) for row in events])
    return db


def query(conn, text, limit=10_000, groups=(1,), start=0, end=2**62):
    labels = {1: "123456789012:app", 2: "123456789012:other"}
    outcome = run(conn, compile_query(text), [Source(g, labels[g]) for g in groups], start, end, limit)
    return outcome


def rows(conn, text, **kwargs):
    """The answer without @ptr, as (field, value) pairs per row."""
    return [[(f["field"], f["value"]) for f in row if f["field"] != "@ptr"] for row in query(conn, text, **kwargs).results]


def column(conn, text, name, **kwargs):
    return [dict(row).get(name) for row in rows(conn, text, **kwargs)]


def test_no_command_answers_the_default_fields_newest_first_with_ptr(conn):
    outcome = query(conn, "")
    assert [f["field"] for f in outcome.results[0]] == ["@timestamp", "@message", "@logStream", "@log", "@ptr"]
    assert outcome.results[0][0]["value"] == "2023-11-14 22:15:20.000"
    assert outcome.results[0][3]["value"] == "123456789012:app"
    assert [read_ptr(row[-1]["value"])[1] for row in outcome.results] == [5, 4, 3, 2, 1]
    assert (outcome.records_scanned, outcome.records_matched) == (5, 5)
    assert outcome.bytes_scanned == sum(len(m.encode()) for m in MESSAGES)


def test_time_range_is_inclusive_and_groups_are_separate(conn):
    assert len(query(conn, "", start=T0 + 30_000, end=T0 + 90_000).results) == 3
    both = rows(conn, "fields @log, @message | filter @log like 'other'", groups=(1, 2))
    assert both == [[("@log", "123456789012:other"), ("@message", "in the other group")]]


def test_json_fields_nested_and_array_items_are_discovered(conn):
    got = rows(conn, "filter level = 'ERROR' | fields latency, user.id, tags.1, `level`")
    assert got == [[("latency", "5"), ("level", "ERROR")],
                   [("latency", "120"), ("user.id", "7"), ("tags.1", "b"), ("level", "ERROR")]]


def test_json_booleans_are_words_and_null_is_missing(conn):
    assert rows(conn, "filter ispresent(ok) | fields ok, gone") == [[("ok", "true")]]
    assert len(rows(conn, "filter ok = 'true'")) == 1
    assert len(rows(conn, "filter ispresent(gone)")) == 0


def test_filter_comparisons_boolean_logic_in_and_like(conn):
    assert column(conn, "filter latency > 20 and latency <= 120 | sort latency | fields latency", "latency") == \
        ["30", "120"]
    assert column(conn, "filter latency < 10 or level = 'INFO' | sort latency | fields latency", "latency") == \
        ["5", "30"]
    assert column(conn, "filter not (latency >= 10) | fields latency", "latency") == ["5"]
    assert column(conn, "filter level != 'ERROR' | fields level", "level") == ["INFO"]
    assert column(conn, "filter level in ['INFO', 'WARN'] | fields level", "level") == ["INFO"]
    assert column(conn, "filter latency not in [5, 30] | fields latency", "latency") == ["120"]
    assert len(rows(conn, "filter @message like 'user='")) == 2
    assert len(rows(conn, "filter @message not like 'user='")) == 3
    assert column(conn, "filter @message like /user=a\\w+/ | parse 'user=*' as u | fields u", "u") == ["alice action=logout"]
    assert len(rows(conn, "filter @message =~ /(?i)ERROR/")) == 2
    assert len(rows(conn, "filter @message like 'error'")) == 0  # like with a string is case sensitive


def test_presence_and_emptiness_functions(conn):
    assert len(rows(conn, "filter ispresent(latency)")) == 3
    assert len(rows(conn, "filter not ispresent(latency)")) == 2
    assert len(rows(conn, "filter isempty(level)")) == 2
    assert len(rows(conn, "filter isblank(level)")) == 2


def test_stats_count_by_bin_is_one_row_per_period(conn):
    got = rows(conn, "stats count(*) by bin(1m)")
    assert got == [[("bin(1m)", "2023-11-14 22:15:00.000"), ("count(*)", "1")],
                   [("bin(1m)", "2023-11-14 22:14:00.000"), ("count(*)", "2")],
                   [("bin(1m)", "2023-11-14 22:13:00.000"), ("count(*)", "2")]]
    assert rows(conn, "stats count(*) as n by bin(1h)") == [[("bin(1h)", "2023-11-14 22:00:00.000"), ("n", "5")]]
    assert rows(conn, "stats count(*) as n by bin(1mo)") == [[("bin(1mo)", "2023-11-01 00:00:00.000"), ("n", "5")]]
    assert rows(conn, "stats count(*) as n by bin(1q)") == [[("bin(1q)", "2023-10-01 00:00:00.000"), ("n", "5")]]
    assert rows(conn, "stats count(*) as n by bin(1y)") == [[("bin(1y)", "2023-01-01 00:00:00.000"), ("n", "5")]]
    assert rows(conn, "fields dateceil(@timestamp, 1mo) as c | limit 1") == [[("c", "2023-12-01 00:00:00.000")]]


def test_counts_by_bin_are_the_same_counted_bin_by_bin(conn):
    # a narrow range counts each bin on the index; a range of more than 100,000 bins groups the events
    for text in ("stats count(*) by bin(1m)", "filter ispresent(level) | stats count(*) as n, count() as m by bin(30s)",
                 "stats count(*) as c by bin(1m) | sort c desc | limit 1", "stats count(*) as c by bin(1m) | stats sum(c)"):
        assert compile_query(text).binned_sql is not None
        narrow = query(conn, text, start=T0 - 3_600_000, end=T0 + 3_600_000)
        wide = query(conn, text, start=0, end=T0 + 3_600_000)
        assert narrow.results == wide.results and narrow.records_matched == wide.records_matched
    for text in ("stats count(*) by bin(1mo)", "stats count(level) by bin(1m)", "limit 2 | stats count(*) by bin(1m)",
                 "stats count(*), avg(latency) by bin(1m)", "stats count(*) by bin(1m), level"):
        assert compile_query(text).binned_sql is None
    got = rows(conn, "filter ispresent(level) | stats count(*) as n, count() as m by bin(30s)", start=T0, end=T0 + 120_000)
    # periods count from the epoch: 22:13:20 falls in the bin of 22:13:00
    assert got == [[("bin(30s)", "2023-11-14 22:15:00.000"), ("n", "1"), ("m", "1")],
                   [("bin(30s)", "2023-11-14 22:13:30.000"), ("n", "1"), ("m", "1")],
                   [("bin(30s)", "2023-11-14 22:13:00.000"), ("n", "1"), ("m", "1")]]
    assert query(conn, "filter ispresent(level) | stats count(*) by bin(30s)", start=T0, end=T0 + 120_000) \
        .records_matched == 3


def test_stats_aggregates_by_field(conn):
    got = rows(conn, "filter ispresent(level) | stats count(*) as n, count(latency) as c, sum(latency) as s, "
                     "avg(latency) as a, min(latency) as lo, max(latency) as hi, pct(latency, 50) as p50, "
                     "stddev(latency) as sd, count_distinct(latency) as d by level | sort level")
    assert got[0] == [("level", "ERROR"), ("n", "2"), ("c", "2"), ("s", "125"), ("a", "62.5"), ("lo", "5"),
                      ("hi", "120"), ("p50", "5"), ("sd", "81.31727983645297"), ("d", "2")]
    assert got[1][:3] == [("level", "INFO"), ("n", "1"), ("c", "1")]


def test_stats_earliest_latest_and_sorts_first_last(conn):
    got = rows(conn, "stats earliest(latency) as e, latest(latency) as l, sortsFirst(level) as f, "
                     "sortsLast(level) as z, max(@timestamp) as newest")
    assert got == [[("e", "120"), ("l", "5"), ("f", "ERROR"), ("z", "INFO"), ("newest", "2023-11-14 22:15:20.000")]]


def test_stats_of_stats_and_arithmetic_over_aggregates(conn):
    assert rows(conn, "stats count(*) as c by bin(1m) | stats sum(c) as total, max(c) as most") == \
        [[("total", "5"), ("most", "2")]]
    assert rows(conn, "stats sum(latency) / count(latency) as mean") == [[("mean", "51.666666666666664")]]


def test_stats_rows_have_no_ptr_and_count_matches_after_filters(conn):
    outcome = query(conn, "filter level = 'ERROR' | stats count(*)")
    assert outcome.results == [[{"field": "count(*)", "value": "2"}]]
    assert (outcome.records_matched, outcome.records_scanned) == (2, 5)
    # counted from the groups, whatever later commands keep of them
    outcome = query(conn, "filter ispresent(latency) | stats count(*) as n by level | sort n desc", limit=1)
    assert (len(outcome.results), outcome.records_matched) == (1, 3)
    outcome = query(conn, "filter ispresent(latency) | stats count(*) as n by level | filter n > 1")
    assert (len(outcome.results), outcome.records_matched) == (1, 3)
    assert query(conn, "filter latency > 1000 | stats count(*) as n by level").records_matched == 0
    assert query(conn, "filter ispresent(level) | stats count(*) by level | stats count(*)").records_matched == 3


def test_parse_glob_and_regex(conn):
    assert rows(conn, "parse @message 'user=* action=*' as who, what | filter ispresent(who) | display who, what") == \
        [[("who", "alice"), ("what", "logout")], [("who", "bob"), ("what", "login")]]
    assert rows(conn, "parse @message /user=(?<name>\\w+) action=(?<act>\\w+)/ | stats count(*) by name, act "
                      "| filter ispresent(name) | sort name desc") == \
        [[("name", "bob"), ("act", "login"), ("count(*)", "1")], [("name", "alice"), ("act", "logout"), ("count(*)", "1")]]
    # without fields, parsed fields come after the default ones
    assert [f for f, _ in rows(conn, "parse 'user=*' as u | filter ispresent(u)")[0]] == \
        ["@timestamp", "@message", "@logStream", "@log", "u"]


def test_sort_limit_dedup_display(conn):
    assert column(conn, "fields latency | sort latency desc | limit 2", "latency") == ["120", "30"]
    # limit keeps the two newest events, sort then orders them (missing values last)
    assert column(conn, "fields latency | limit 2 | sort latency asc", "latency") == ["5", None]
    assert column(conn, "fields level | dedup level | sort level", "level") == ["ERROR", "INFO", None, None]
    got = rows(conn, "fields latency, level | display level | filter ispresent(level)")
    assert got == [[("level", "ERROR")], [("level", "INFO")], [("level", "ERROR")]]
    assert len(rows(conn, "", limit=2)) == 2


def test_natural_sort_order():
    values = ["0", "01", "@", "A", "111A", "5A", "a12345hfh", "A9876fghj", "!:", "#", "*%04", "0#", "2345_", "@_"]
    ordered = sorted(values, key=sort_key)
    # non-numbers first: by Unicode with digit runs compared by length then value; numbers last
    assert ordered == ["!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh",
                       "0", "01"]
    assert sorted(["10", "9", "-1", "2.5"], key=sort_key) == ["-1", "2.5", "9", "10"]


def test_string_functions(conn):
    got = rows(conn, "filter latency = 120 | fields strlen(level) as n, toupper(level) as up, tolower(level) as low, "
                     "concat(level, '-', latency) as c, substr(level, 1, 3) as sub, replace(level, 'RR', 'rr') as r, "
                     "strcontains(level, 'ROR') as has, trim('  x ') as t, ltrim('  x') as lt, rtrim('x  ') as rt")
    assert got == [[("n", "5"), ("up", "ERROR"), ("low", "error"), ("c", "ERROR-120"), ("sub", "RRO"),
                    ("r", "ErrOR"), ("has", "1"), ("t", "x"), ("lt", "x"), ("rt", "x")]]


def test_number_functions_and_arithmetic(conn):
    got = rows(conn, "filter latency = 30 | fields abs(-latency) as a, ceil(latency / 7) as c, floor(latency / 7) as f, "
                     "greatest(latency, 50, 7) as g, least(latency, 50, 7) as l, sqrt(latency + 6) as s, "
                     "pow(2, 10) as p, 2 ^ 3 as caret, latency % 7 as m, log(1) as ln, latency * 2 - 1 as e")
    assert got == [[("a", "30"), ("c", "5"), ("f", "4"), ("g", "50"), ("l", "7"), ("s", "6"), ("p", "1024"),
                    ("caret", "8"), ("m", "2"), ("ln", "0"), ("e", "59")]]


def test_date_functions(conn):
    got = rows(conn, "filter latency = 120 | fields datefloor(@timestamp, 1h) as fl, dateceil(@timestamp, 1h) as ce, "
                     "fromMillis(0) as epoch, toMillis(@timestamp) as ms, @ingestionTime, bin(5m) as b")
    assert got == [[("fl", "2023-11-14 22:00:00.000"), ("ce", "2023-11-14 23:00:00.000"),
                    ("epoch", "1970-01-01 00:00:00.000"), ("ms", str(T0)), ("@ingestionTime", "2023-11-14 22:13:20.005"),
                    ("b", "2023-11-14 22:10:00.000")]]


def test_ip_functions(conn):
    got = rows(conn, "filter ispresent(ip) | fields isValidIp(ip) as v, isValidIpV4(ip) as v4, isValidIpV6(ip) as v6, "
                     "isIpInSubnet(ip, '10.0.0.0/8') as inside, isIpv4InSubnet(ip, '192.168.0.0/16') as outside")
    assert got == [[("v", "1"), ("v4", "1"), ("v6", "0"), ("inside", "1"), ("outside", "0")]]


@pytest.mark.parametrize("text, message, start, end", [
    ("bogus", "unexpected symbol found bogus at line 1 and position 0", 0, 5),
    ("fields", "unexpected end of query at line 1 and position 6", 6, 6),
    ("fields @message |\n filter x = ", "unexpected end of query at line 2 and position 12", 30, 30),
    ("limit 0", "unexpected symbol found 0 at line 1 and position 6", 6, 7),
    ("fields a | | fields b", "unexpected symbol found | at line 1 and position 11", 11, 12),
    ("fields avg(x)", "the function avg can only be used in stats at line 1 and position 7", 7, 10),
    ("fields nofn(x)", "unknown function nofn at line 1 and position 7", 7, 11),
    ("filter x like 3", "unexpected symbol found 3 at line 1 and position 14", 14, 15),
    ("filter x = 'open", "unterminated string literal at line 1 and position 11", 11, 16),
    ("stats count(*) by bin(7x)", "unexpected symbol found 7x at line 1 and position 22", 22, 24),
])
def test_compile_errors_locate_the_problem(text, message, start, end):
    with pytest.raises(QuerySyntaxError) as info:
        compile_query(text)
    assert (info.value.message, info.value.start, info.value.end) == (message, start, end)
    assert info.value.compile_error() == {"location": {"startCharOffset": start, "endCharOffset": end},
                                          "message": message}


def test_unmask_leaves_messages_as_stored(conn):
    # nothing is masked at rest in Overcast: unmask answers the messages as they were sent
    assert rows(conn, "fields @message | unmask(@message) | filter @message like 'alice'") == \
        [[("@message", "plain text user=alice action=logout")]]
    assert len(rows(conn, "unmask")) == 5


def test_comments_and_case_insensitive_commands(conn):
    assert len(rows(conn, "# all errors\nFILTER level = 'ERROR' # trailing\n| LIMIT 1")) == 1


def test_a_query_nested_too_deeply_is_a_compile_error():
    with pytest.raises(QuerySyntaxError) as info:
        compile_query("filter " + "(" * 3000 + "a" + ")" * 3000)
    assert info.value.message == "the query is nested too deeply"


def test_numbers_out_of_range_answer_no_value_never_an_error():
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(CORE_SCHEMA)
    extra = [row[1] for row in db.execute("PRAGMA table_info(log_events)")][6:]
    db.execute("INSERT INTO log_streams (stream_id, group_id, name, created_ms) VALUES (1, 1, 's', 0)")
    for seq, message in enumerate(['{"a":-9223372036854775808}', '{"a":9223372036854775807}',
                                   '{"a":"99999999999999999999"}', '{"a":-4}'], start=1):
        db.execute(f"INSERT INTO log_events VALUES ({', '.join('?' * (6 + len(extra)))})",
                   (seq, 1, 1, seq, seq, message) + (len(message),) * len(extra))
    outcome = run(db, compile_query("stats sum(a) as s, max(a) as hi, count(*) as n"), [Source(1, "1:g")], 0, 10, 100)
    assert outcome.results == [[{"field": "s", "value": "1e+20"}, {"field": "hi", "value": "1e+20"},
                                {"field": "n", "value": "4"}]]
    outcome = run(db, compile_query("filter a = -4 | fields a ^ 0.5 as root, sqrt(a) as sq, log(a) as ln, abs(a) as ab"),
                  [Source(1, "1:g")], 0, 10, 100)
    assert [[f["field"] for f in row] for row in outcome.results] == [["ab", "@ptr"]]
    outcome = run(db, compile_query("fields abs(a) as ab, fromMillis(a) as t | sort @timestamp asc | limit 1"),
                  [Source(1, "1:g")], 0, 10, 100)
    assert outcome.results[0][:2] == [{"field": "ab", "value": "9.223372036854776e+18"},
                                      {"field": "t", "value": "-9223372036854775808"}]
