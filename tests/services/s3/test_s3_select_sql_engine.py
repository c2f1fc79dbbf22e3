"""The S3 Select SQL engine without a server: semantics over CSV, Parquet-like and JSON input."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pyarrow as pa
import pytest

from overcast.services.s3.select.sql import MISSING, SelectError, compile_select


def csv_batch(rows, names=None):
    width = len(rows[0])
    names = names or [f"_{i + 1}" for i in range(width)]
    return pa.record_batch(
        [pa.array([r[i] for r in rows], pa.string()) for i in range(width)], names=names
    )


PEOPLE = [
    ["Alice", "30", "Seattle", "alice@example.com"],
    ["Bob", "25", "Portland", ""],
    ["carol", "41", "Seattle", "carol@example.com"],
    ["Dan", "9", "Boise", "dan@x.org"],
]
HEADER = ["name", "age", "city", "email"]


def run_csv(sql, rows=PEOPLE, header=None, batches=1):
    query = compile_select(sql, "csv")
    size = max(1, len(rows) // batches)
    parts = [rows[i : i + size] for i in range(0, len(rows), size)]
    out = []
    for records in query.run((csv_batch(p, header) for p in parts), header=header):
        out.extend(records)
    return out


def values(records):
    return [[v for _, v in r] for r in records]


def run_json(sql, docs):
    query = compile_select(sql, "json")
    return [r for records in query.run([docs]) for r in records]


def test_star_keeps_every_column_with_positional_names():
    out = run_csv("SELECT * FROM S3Object")
    assert out[0] == [("_1", "Alice"), ("_2", "30"), ("_3", "Seattle"), ("_4", "alice@example.com")]
    assert len(out) == 4


def test_header_names_case_insensitive_unless_quoted_and_positional_still_works():
    out = run_csv('SELECT NAME, s."age", s._3 FROM S3Object s', header=HEADER)
    assert out[0] == [("NAME", "Alice"), ("age", "30"), ("_3", "Seattle")]
    with pytest.raises(SelectError) as err:
        run_csv('SELECT s."NAME" FROM S3Object s', header=HEADER)
    assert err.value.code == "MissingHeaders"


def test_csv_text_needs_a_cast_to_compare_with_numbers():
    cast = values(run_csv("SELECT s._1 FROM S3Object s WHERE CAST(s._2 AS INT) > 26"))
    assert cast == [["Alice"], ["carol"]]
    # AWS does not read CSV text as numbers: ordering text against a number cannot be
    # evaluated, and text is simply never equal to a number
    for sql in ("SELECT s._1 FROM S3Object s WHERE s._2 > 26", "SELECT s._2 + 1 FROM S3Object s",
                "SELECT SUM(s._2) FROM S3Object s"):
        with pytest.raises(SelectError) as err:
            run_csv(sql)
        assert (err.value.code, err.value.message) == (
            "ExternalEvalException",
            "The query cannot be evaluated. Please check the query and file and try again.",
        )
    assert run_csv("SELECT s._1 FROM S3Object s WHERE s._2 = 30") == []
    assert len(run_csv("SELECT s._1 FROM S3Object s WHERE s._2 <> 30")) == 4
    # text against text compares as text: '9' > '26'
    assert values(run_csv("SELECT _1 FROM S3Object WHERE _2 > '26'")) == [
        ["Alice"], ["carol"], ["Dan"]
    ]  # fmt: skip


def test_like_escape_between_in_and_null_tests():
    assert values(run_csv("SELECT _1 FROM S3Object WHERE _4 LIKE '%@example.com'")) == [
        ["Alice"], ["carol"]
    ]  # fmt: skip
    rows = [["10%", "a"], ["100", "b"]]
    assert values(run_csv("SELECT _2 FROM S3Object WHERE _1 LIKE '%!%' ESCAPE '!'", rows)) == [
        ["a"]
    ]
    assert values(run_csv("SELECT _1 FROM S3Object WHERE CAST(_2 AS INT) BETWEEN 9 AND 25")) == [
        ["Bob"], ["Dan"]
    ]  # fmt: skip
    assert values(run_csv("SELECT _1 FROM S3Object WHERE _3 NOT IN ('Seattle', 'Boise')")) == [
        ["Bob"]
    ]
    assert len(run_csv("SELECT _1 FROM S3Object WHERE _4 IS NOT NULL")) == 4


def test_arithmetic_concat_case_and_functions():
    out = run_csv(
        "SELECT CAST(_2 AS INT) * 2 + 1 AS twice, UPPER(_1) || '-' || LOWER(_3), "
        "CASE WHEN CAST(_2 AS INT) < 18 THEN 'minor' ELSE 'adult' END AS kind, "
        "CHAR_LENGTH(_1), SUBSTRING(_3 FROM 2 FOR 3), TRIM(LEADING 'S' FROM _3) "
        "FROM S3Object WHERE _1 = 'Dan' OR _1 = 'Alice'"
    )
    assert values(out) == [
        [61, "ALICE-seattle", "adult", 5, "eat", "eattle"],
        [19, "DAN-boise", "minor", 3, "ois", "Boise"],
    ]
    assert [n for n, _ in out[0]] == ["twice", "_2", "kind", "_4", "_5", "_6"]


def test_substring_follows_aws_examples():
    def sub(args):
        return run_csv(f"SELECT SUBSTRING('123456789', {args}) FROM S3Object LIMIT 1")[0][0][1]

    assert sub("0") == "123456789"
    assert sub("1") == "123456789"
    assert sub("2") == "23456789"
    assert sub("-4") == "123456789"
    assert sub("0, 999") == "123456789"
    assert sub("1, 5") == "12345"


def test_aggregates_one_record_after_last_batch():
    out = run_csv(
        "SELECT COUNT(*), SUM(CAST(_2 AS INT)), AVG(CAST(_2 AS INT)), MIN(_1), MAX(CAST(_2 AS INT)) "
        "FROM S3Object WHERE _3 <> 'Boise'",
        batches=3,
    )
    assert out == [[("_1", 3), ("_2", 96), ("_3", Decimal(32)), ("_4", "Alice"), ("_5", 41)]]
    assert run_csv("SELECT COUNT(*) FROM S3Object WHERE _1 = 'nobody'") == [[("_1", 0)]]
    assert run_csv("SELECT SUM(CAST(_2 AS INT)) FROM S3Object WHERE _1 = 'x'") == [[("_1", None)]]


def test_limit_stops_consuming_batches():
    pulled = []

    def batches():
        for i in range(100):
            pulled.append(i)
            yield csv_batch([[str(i), "x"]])

    query = compile_select("SELECT _1 FROM S3Object LIMIT 3", "csv")
    out = [r for records in query.run(batches()) for r in records]
    assert values(out) == [["0"], ["1"], ["2"]]
    assert len(pulled) == 3


def test_cast_failure_is_castfailed_with_aws_text():
    with pytest.raises(SelectError) as err:
        run_csv("SELECT CAST(_1 AS INT) FROM S3Object")
    assert err.value.code == "CastFailed"
    assert err.value.message == (
        "Attempt to convert from one data type to another failed: cast from STRING to INT."
    )


def test_casts_to_every_type():
    out = run_csv(
        "SELECT CAST('12.5' AS DECIMAL), CAST('1e2' AS FLOAT), CAST(7 AS STRING), "
        "CAST('TRUE' AS BOOL), CAST('2007-04-05T14:30Z' AS TIMESTAMP), CAST(12.9 AS INTEGER) "
        "FROM S3Object LIMIT 1"
    )
    row = values(out)[0]
    assert row[:4] == [Decimal("12.5"), 100.0, "7", True]
    assert row[4] == datetime(2007, 4, 5, 14, 30, tzinfo=timezone.utc)
    assert str(row[4]) == "2007-04-05T14:30Z"
    assert row[5] == 12


def test_date_functions_follow_aws_examples():
    def one(expr):
        return run_csv(f"SELECT {expr} FROM S3Object LIMIT 1")[0][0][1]

    assert str(one("DATE_ADD(year, 5, `2010-01-01T`)")) == "2015-01-01"
    assert str(one("DATE_ADD(month, 1, `2010T`)")) == "2010-02T"
    assert str(one("DATE_ADD(day, -1, `2017-01-10T`)")) == "2017-01-09"
    assert str(one("DATE_ADD(hour, 1, `2017T`)")) == "2017-01-01T01:00-00:00"
    assert str(one("DATE_ADD(hour, 1, `2017-01-02T03:04Z`)")) == "2017-01-02T04:04Z"
    assert str(one("DATE_ADD(minute, 1, `2017-01-02T03:04:05.006Z`)")) == (
        "2017-01-02T03:05:05.006Z"
    )
    assert one("DATE_DIFF(year, `2010-01-01T`, `2011-01-01T`)") == 1
    assert one("DATE_DIFF(month, `2010T`, `2010-05T`)") == 4
    assert one("DATE_DIFF(month, `2011T`, `2010T`)") == -12
    assert one("DATE_DIFF(day, `2010-01-01T23:00Z`, `2010-01-02T01:00Z`)") == 0
    assert one("EXTRACT(YEAR FROM `2010-01-01T`)") == 2010
    assert one("EXTRACT(TIMEZONE_HOUR FROM `2017-01-02T03:04:05+07:08`)") == 7
    assert one("EXTRACT(TIMEZONE_MINUTE FROM `2017-01-02T03:04:05+07:08`)") == 8
    assert str(one("TO_TIMESTAMP('2007T')")) == "2007T"
    assert isinstance(one("UTCNOW()"), datetime)


def test_to_string_patterns_follow_aws_examples():
    def fmt(ts, pattern):
        return run_csv(f"SELECT TO_STRING(`{ts}`, '{pattern}') FROM S3Object LIMIT 1")[0][0][1]

    assert fmt("1969-07-20T20:18Z", "MMMM d, y") == "July 20, 1969"
    assert fmt("1969-07-20T20:18Z", "MMM d, yyyy") == "Jul 20, 1969"
    assert fmt("1969-07-20T20:18Z", "M-d-yy") == "7-20-69"
    assert fmt("1969-07-20T20:18Z", "MM-d-y") == "07-20-1969"
    assert fmt("1969-07-20T20:18Z", "MMMM d, y h:m a") == "July 20, 1969 8:18 PM"
    assert fmt("1969-07-20T20:18Z", "y-MM-dd''T''H:m:ssX") == "1969-07-20T20:18:00Z"
    assert fmt("1969-07-20T20:18+08:00", "y-MM-dd''T''H:m:ssXXXX") == "1969-07-20T20:18:00+0800"
    assert fmt("1969-07-20T20:18+08:00", "y-MM-dd''T''H:m:ssXXXXX") == (
        "1969-07-20T20:18:00+08:00"
    )


def test_coalesce_nullif_and_missing():
    docs = [{"a": None, "b": 2}, {"b": 3, "c": "x"}]
    out = run_json("SELECT COALESCE(s.a, s.c, s.b) AS v, NULLIF(s.b, 2) AS n, s.c FROM S3Object s", docs)
    assert out == [[("v", 2), ("n", None), ("c", MISSING)], [("v", "x"), ("n", 3), ("c", "x")]]


def test_json_paths_wildcards_and_from_paths():
    docs = [
        {"name": "Susan", "projects": [{"project_name": "p1"}, {"project_name": "p2", "done": True}]},
        {"Rules": [{"id": "1"}, {"expr": "y > x"}, {"id": "2", "expr": "z = DEBUG"}]},
        {"created": "June 27", "modified": "July 6"},
    ]
    assert run_json("SELECT s.projects[0].project_name FROM S3Object s WHERE s.name = 'Susan'", docs) == [
        [("project_name", "p1")]
    ]
    assert run_json("SELECT s.projects[*].project_name AS names FROM S3Object s LIMIT 1", docs) == [
        [("names", ["p1", "p2"])]
    ]
    rules = run_json("SELECT id FROM S3Object[*].Rules[*].id", docs)
    assert rules == [[("id", MISSING)], [("id", "1")], [("id", MISSING)], [("id", "2")], [("id", MISSING)]]
    aliased = run_json("SELECT r.id FROM S3Object[*].Rules[*] r WHERE r.expr IS NOT MISSING", docs)
    assert aliased == [[("id", MISSING)], [("id", "2")]]
    star = run_json("SELECT * FROM S3Object s WHERE s.created = 'June 27'", docs)
    assert star == [[("created", "June 27"), ("modified", "July 6")]]
    assert run_json("SELECT COUNT(s.projects) FROM S3Object s", docs) == [[("_1", 1)]]


def test_parquet_typed_columns_and_nulls():
    batch = pa.record_batch(
        [pa.array([1, 2, None, 4]), pa.array([1.5, None, 3.0, 4.25]), pa.array(["a", "b", "c", None])],
        names=["id", "score", "tag"],
    )
    query = compile_select("SELECT id, tag FROM S3Object WHERE score > 2 OR tag IS NULL", "parquet")
    assert [r for recs in query.run([batch]) for r in recs] == [
        [("id", None), ("tag", "c")],
        [("id", 4), ("tag", None)],
    ]
    assert query.columns_needed == {"id", "tag", "score"}
    assert query.columns_for(["id", "score", "tag", "other"]) == ["id", "score", "tag"]
    assert compile_select("SELECT * FROM S3Object", "parquet").columns_needed is None
    total = compile_select("SELECT SUM(score), COUNT(id), MAX(tag) FROM S3Object", "parquet")
    assert [r for recs in total.run([batch]) for r in recs] == [[("_1", 8.75), ("_2", 3), ("_3", "c")]]


def test_alias_star_is_the_whole_row():
    assert run_csv("SELECT s.* FROM S3Object s LIMIT 1") == run_csv("SELECT * FROM S3Object LIMIT 1")


def test_aggregates_skip_the_missing_rows_a_wildcard_emits():
    docs = [{"books": [{"price": 10}, {"price": 5}]}, {"other": 1}, {"books": []}]
    assert run_json("SELECT COUNT(*), SUM(b.price) FROM S3Object[*].books[*] b", docs) == [
        [("_1", 2), ("_2", 15)]
    ]
    # without aggregates each MISSING row is still a record (written as an empty one)
    assert run_json("SELECT b.price FROM S3Object[*].books[*] b", docs) == [
        [("price", 10)], [("price", 5)], [("price", MISSING)], [("price", MISSING)]
    ]  # fmt: skip


def test_integer_sums_stay_exact_past_int64_partial_sums():
    big = str(2**62)
    rows = [[big], [big], ["-" + big], ["5"]]
    assert values(run_csv("SELECT SUM(CAST(_1 AS INT)) FROM S3Object", rows)) == [[2**62 + 5]]


def test_columns_for_maps_positions_of_a_headed_csv_to_its_names():
    query = compile_select("SELECT s._2, city FROM S3Object s WHERE s._9 = 'x'", "csv")
    assert query.columns_for(HEADER) == ["age", "city"]
    # the reader read only those columns; _2 still resolves through the full header
    projected = csv_batch([[row[1], row[2]] for row in PEOPLE[:2]], ["age", "city"])
    out = [r for recs in query.run([projected], header=HEADER) for r in recs]
    assert out == []  # _9 is beyond the header: MISSING, never equal to 'x'
    query = compile_select("SELECT s._2, city FROM S3Object s", "csv")
    out = [r for recs in query.run([projected], header=HEADER) for r in recs]
    assert out == [[("_2", "30"), ("city", "Seattle")], [("_2", "25"), ("city", "Portland")]]


def test_parquet_dates_and_naive_timestamps_compare_as_utc_timestamps():
    from datetime import date

    batch = pa.record_batch(
        [pa.array([date(2020, 1, 1), date(2021, 6, 1)]),
         pa.array([datetime(2020, 1, 1, 12), datetime(2021, 6, 1, 0, 30)], pa.timestamp("us"))],
        names=["d", "t"],
    )  # fmt: skip
    query = compile_select(
        "SELECT EXTRACT(YEAR FROM d) AS y, DATE_DIFF(hour, d, t) AS h FROM S3Object "
        "WHERE d > `2020-06-01T` AND t < CAST('2021-06-01T01:00Z' AS TIMESTAMP)",
        "parquet",
    )
    assert [r for recs in query.run([batch]) for r in recs] == [[("y", 2021), ("h", 0)]]


def test_a_statement_may_end_with_one_semicolon():
    assert run_csv("SELECT COUNT(*) FROM S3Object;") == [[("_1", 4)]]
    with pytest.raises(SelectError) as err:
        run_csv("SELECT COUNT(*) FROM S3Object; SELECT 1 FROM S3Object")
    assert err.value.code == "ParseUnexpectedToken"


def test_only_ascii_digits_are_numbers():
    with pytest.raises(SelectError) as err:
        run_csv("SELECT CAST(_1 AS INT) FROM S3Object", [["\uff11\uff12"]])
    assert err.value.code == "CastFailed"
    assert values(run_csv("SELECT CAST(_1 AS INT) FROM S3Object", [[" 12\t"]])) == [[12]]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # AWS's documented examples of the conditional functions
        ("COALESCE(1)", 1), ("COALESCE(null)", None), ("COALESCE(null, null)", None),
        ("COALESCE(missing)", None), ("COALESCE(missing, missing)", None),
        ("COALESCE(1, null)", 1), ("COALESCE(null, null, 1)", 1),
        ("COALESCE(null, 'string')", "string"), ("COALESCE(missing, 1)", 1),
        ("NULLIF(1, 1)", None), ("NULLIF(1, 2)", 1), ("NULLIF(1.0, 1)", None),
        ("NULLIF(1, '1')", 1), ("NULLIF([1], [1])", None), ("NULLIF(1, NULL)", 1),
        ("NULLIF(NULL, 1)", None), ("NULLIF(null, null)", None),
        ("NULLIF(missing, null)", None), ("NULLIF(missing, missing)", None),
    ],
)  # fmt: skip
def test_conditional_functions_follow_aws_examples(expression, expected):
    out = run_csv(f"SELECT {expression} AS v FROM S3Object LIMIT 1")
    assert out == [[("v", expected)]]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # AWS's documented examples of the string functions
        ("CHAR_LENGTH('')", 0), ("CHAR_LENGTH('abcdefg')", 7),
        ("LOWER('AbCdEfG!@#$')", "abcdefg!@#$"), ("UPPER('AbCdEfG!@#$')", "ABCDEFG!@#$"),
        ("TRIM('       foobar         ')", "foobar"),
        ("TRIM(LEADING FROM '       foobar         ')", "foobar         "),
        ("TRIM(TRAILING FROM '       foobar         ')", "       foobar"),
        ("TRIM(BOTH FROM '       foobar         ')", "foobar"),
        ("TRIM(BOTH '12' FROM '1112211foobar22211122')", "foobar"),
        ("SUBSTRING('123456789', 0, 5)", "1234"), ("SUBSTRING('123456789', -4, 3)", ""),
        ("SUBSTRING('123456789' FROM 3 FOR 2)", "34"),
    ],
)  # fmt: skip
def test_string_functions_follow_aws_examples(expression, expected):
    assert run_csv(f"SELECT {expression} AS v FROM S3Object LIMIT 1") == [[("v", expected)]]
