"""The S3 Select query table through boto3: >=150 queries with their expected output over CSV,
JSON LINES, JSON DOCUMENT and Parquet objects made here, each CSV/JSON query also over the
gzip- and bzip2-compressed copy of its object. Expected rows are computed from the source data
in plain Python (the table's oracle), not by the engine."""

from __future__ import annotations

import bz2
import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

BUCKET = "select-table"

PEOPLE = [
    dict(id=1, name="Alice", age=30, city="Seattle", email="alice@example.com", joined="2019-03-01T", score=88.5),
    dict(id=2, name="Bob", age=25, city="Portland", email="", joined="2020-07-15T", score=72.0),
    dict(id=3, name="carol", age=41, city="Seattle", email="carol@example.com", joined="2018-11-30T", score=91.25),
    dict(id=4, name="Dan", age=9, city="Boise", email="dan@x.org", joined="2021-01-01T", score=60.0),
    dict(id=5, name="Eve, Jr.", age=35, city="New York", email="eve@example.com", joined="2017-05-05T", score=79.5),
    dict(id=6, name="Frank", age=52, city="Boise", email="frank@example.com", joined="2016-02-29T", score=100.0),
    dict(id=7, name="grace", age=28, city="seattle", email="grace@ex_ample.com", joined="2022-12-31T", score=95.75),
    dict(id=8, name="Heidi", age=63, city="Portland", email="heidi@example.com", joined="2015-08-20T", score=55.5),
]  # fmt: skip
COLUMNS = ["id", "name", "age", "city", "email", "joined", "score"]


def text_of(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def csv_text(rows=PEOPLE) -> str:
    def cell(value):
        text = text_of(value)
        return f'"{text}"' if "," in text else text

    lines = [",".join(COLUMNS)] + [",".join(cell(r[c]) for c in COLUMNS) for r in rows]
    return "\n".join(lines) + "\n"


# CSV fields are text: the rows as the CSV reader sees them.
S = [{c: text_of(r[c]) for c in COLUMNS} for r in PEOPLE]


def json_person(r):
    extra = {
        "tags": ["t%d" % (r["id"] % 3), "x"] if r["id"] % 2 else [],
        "address": {"zip": "%05d" % (r["id"] * 1111), "geo": {"lat": r["id"] + 0.5}},
        "active": r["id"] % 2 == 1,
        "manager": None if r["id"] % 4 == 0 else "m%d" % (r["id"] % 3),
    }
    person = {**r, **extra}
    if r["id"] == 6:
        del person["email"]  # a missing field
    return person


J = [json_person(r) for r in PEOPLE]
JSON_LINES = "".join(json.dumps(p) + "\n" for p in J)
DOCS = [
    {"Rules": [{"id": "1"}, {"expr": "y > x"}, {"id": "2", "expr": "z = DEBUG"}]},
    {"created": "June 27", "modified": "July 6"},
    {"name": "Susan Smith", "org": "engineering",
     "projects": [{"project_name": "project1", "completed": False},
                  {"project_name": "project2", "completed": True}]},
    {"books": [{"title": "A", "price": 10}, {"title": "B", "price": 25.5}, {"title": "C"}]},
]  # fmt: skip
JSON_DOCUMENT = "\n".join(json.dumps(d, indent=2) for d in DOCS) + "\n"


def parquet_bytes() -> bytes:
    table = pa.table(
        {
            "id": pa.array([r["id"] for r in PEOPLE], pa.int64()),
            "name": [r["name"] for r in PEOPLE],
            "age": pa.array([r["age"] for r in PEOPLE], pa.int32()),
            "city": [None if r["id"] == 7 else r["city"] for r in PEOPLE],
            "score": [r["score"] for r in PEOPLE],
            "active": [r["id"] % 2 == 1 for r in PEOPLE],
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


P = [dict(r, city=None if r["id"] == 7 else r["city"], active=r["id"] % 2 == 1) for r in PEOPLE]

FIXTURES = {
    # name: (bytes, InputSerialization without CompressionType, compressible)
    "csv": (csv_text().encode(), {"CSV": {"FileHeaderInfo": "USE"}}, True),
    "csv_ignore": (csv_text().encode(), {"CSV": {"FileHeaderInfo": "IGNORE"}}, True),
    "csv_none": (csv_text().encode(), {"CSV": {"FileHeaderInfo": "NONE"}}, True),
    "tsv": (
        csv_text().replace(",", "\t").replace('"Eve\t Jr."', "Eve, Jr.").encode(),
        {"CSV": {"FileHeaderInfo": "USE", "FieldDelimiter": "\t"}},
        True,
    ),
    "jsonl": (JSON_LINES.encode(), {"JSON": {"Type": "LINES"}}, True),
    "jsondoc": (JSON_DOCUMENT.encode(), {"JSON": {"Type": "DOCUMENT"}}, True),
    "parquet": (parquet_bytes(), {"Parquet": {}}, False),
}


def rows(source, where=lambda r: True, pick=None):
    """Expected JSON records: ``pick`` maps a source row to the output dict."""
    return [pick(r) for r in source if where(r)]


def fields(*names, rename=None):
    rename = rename or {}
    return lambda r: {rename.get(n, n): r[n] for n in names if n in r}


def one(**record):
    return [record]


def by_age(r):
    return int(r["age"])


# (fixture, sql, expected): expected is a list of JSON records, ("csv", text) for CSV output,
# or ("error", code) for an AWS error.
TABLE = [
    # -- CSV with headers: projection, names, aliases ---------------------------------------
    ("csv", "SELECT * FROM S3Object", rows(S, pick=dict)),
    ("csv", "SELECT * FROM S3Object s LIMIT 2", rows(S[:2], pick=dict)),
    ("csv", "SELECT s.name FROM S3Object s", rows(S, pick=fields("name"))),
    ("csv", "SELECT name, city FROM S3Object", rows(S, pick=fields("name", "city"))),
    ("csv", "SELECT NAME, City FROM S3Object", rows(S, pick=lambda r: {"NAME": r["name"], "City": r["city"]})),
    ("csv", 'SELECT s."name" FROM S3Object s', rows(S, pick=fields("name"))),
    ("csv", "SELECT s.name AS who FROM S3Object AS s", rows(S, pick=fields("name", rename={"name": "who"}))),
    ("csv", "SELECT s.name who, s.age years FROM S3Object s WHERE s.id = '1'", one(who="Alice", years="30")),
    ("csv", "SELECT s._2, s._3 FROM S3Object s WHERE s.id = '2'", one(_2="Bob", _3="25")),
    ("csv", "SELECT _1 FROM S3Object LIMIT 3", [{"_1": "1"}, {"_1": "2"}, {"_1": "3"}]),
    ("csv", "SELECT s.name FROM s3object s WHERE s.city = 'Seattle'", rows(S, lambda r: r["city"] == "Seattle", fields("name"))),
    ("csv", "SELECT S3Object.name FROM S3Object WHERE S3Object.id = '3'", one(name="carol")),
    ("csv", "SELECT s.name, s.score FROM S3Object s WHERE s.email = ''", one(name="Bob", score="72")),
    # -- comparisons ---------------------------------------------------------------------------
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) > 40", rows(S, lambda r: by_age(r) > 40, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) >= 41", rows(S, lambda r: by_age(r) >= 41, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) < 28", rows(S, lambda r: by_age(r) < 28, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) <= 28", rows(S, lambda r: by_age(r) <= 28, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) <> 30", rows(S, lambda r: by_age(r) != 30, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) != 30", rows(S, lambda r: by_age(r) != 30, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.age > 40", ("error", "ExternalEvalException")),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.age = 9", []),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.age = '9'", one(name="Dan")),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.age > '40'", rows(S, lambda r: r["age"] > "40", fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.score AS FLOAT) > 90.0", rows(S, lambda r: float(r["score"]) > 90, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.score AS DECIMAL) = 91.25", one(name="carol")),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.name < 'C'", rows(S, lambda r: r["name"] < "C", fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.city = 'seattle'", one(name="grace")),
    # -- boolean logic -------------------------------------------------------------------------
    ("csv", "SELECT s.name FROM S3Object s WHERE s.city = 'Seattle' AND CAST(s.age AS INT) > 35", one(name="carol")),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.city = 'Boise' OR s.city = 'New York'", rows(S, lambda r: r["city"] in ("Boise", "New York"), fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE NOT s.city = 'Portland'", rows(S, lambda r: r["city"] != "Portland", fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE NOT (s.city = 'Portland' OR s.city = 'Boise') AND s.name <> 'grace'", rows(S, lambda r: r["city"] not in ("Portland", "Boise") and r["name"] != "grace", fields("name"))),
    ("csv", "SELECT s.id FROM S3Object s WHERE s.city = 'Seattle' OR s.city = 'Boise' AND s.name = 'Dan'", rows(S, lambda r: r["city"] == "Seattle" or (r["city"] == "Boise" and r["name"] == "Dan"), fields("id"))),
    ("csv", "SELECT s.id FROM S3Object s WHERE (s.city = 'Seattle' OR s.city = 'Boise') AND s.name = 'Dan'", one(id="4")),
    ("csv", "SELECT s.id FROM S3Object s WHERE TRUE", rows(S, pick=fields("id"))),
    ("csv", "SELECT s.id FROM S3Object s WHERE FALSE", []),
    ("csv", "SELECT s.id FROM S3Object s WHERE 1 = 1 LIMIT 1", one(id="1")),
    # -- LIKE, BETWEEN, IN, IS -----------------------------------------------------------------
    ("csv", "SELECT s.email FROM S3Object s WHERE s.email LIKE '%@example.com'", rows(S, lambda r: r["email"].endswith("@example.com"), fields("email"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.name LIKE '_a%'", rows(S, lambda r: r["name"][1:2] == "a", fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.name NOT LIKE '%e%'", rows(S, lambda r: "e" not in r["name"], fields("name"))),
    ("csv", "SELECT s.email FROM S3Object s WHERE s.email LIKE '%!_%' ESCAPE '!'", one(email="grace@ex_ample.com")),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.name LIKE 'alice'", []),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) BETWEEN 25 AND 35", rows(S, lambda r: 25 <= by_age(r) <= 35, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) NOT BETWEEN 25 AND 60", rows(S, lambda r: not 25 <= by_age(r) <= 60, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.name BETWEEN 'B' AND 'E'", rows(S, lambda r: "B" <= r["name"] <= "E", fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.city IN ('Boise', 'Portland')", rows(S, lambda r: r["city"] in ("Boise", "Portland"), fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.city NOT IN ('Boise', 'Portland', 'Seattle')", rows(S, lambda r: r["city"] not in ("Boise", "Portland", "Seattle"), fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.id AS INT) IN (2, 4, 8)", rows(S, lambda r: r["id"] in ("2", "4", "8"), fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE s.email IS NULL", []),
    ("csv", "SELECT s.id FROM S3Object s WHERE s.email IS NOT NULL LIMIT 2", [{"id": "1"}, {"id": "2"}]),
    ("csv", "SELECT s.id FROM S3Object s WHERE s.name IS NOT MISSING AND s.id = '8'", one(id="8")),
    # -- arithmetic and concatenation ----------------------------------------------------------
    ("csv", "SELECT CAST(s.age AS INT) + 1 AS next FROM S3Object s WHERE s.id = '1'", one(next=31)),
    ("csv", "SELECT CAST(s.age AS INT) - 10, CAST(s.age AS INT) * 2 FROM S3Object s WHERE s.id = '4'", one(_1=-1, _2=18)),
    ("csv", "SELECT CAST(s.age AS INT) / 4 AS q, CAST(s.age AS INT) % 4 AS r FROM S3Object s WHERE s.id = '3'", one(q=10, r=1)),
    ("csv", "SELECT CAST(s.score AS FLOAT) / 2 AS half FROM S3Object s WHERE s.id = '1'", one(half=44.25)),
    ("csv", "SELECT -CAST(s.age AS INT) AS neg FROM S3Object s WHERE s.id = '2'", one(neg=-25)),
    ("csv", "SELECT 2 + 3 * 4 AS v FROM S3Object s LIMIT 1", one(v=14)),
    ("csv", "SELECT (2 + 3) * 4 AS v FROM S3Object s LIMIT 1", one(v=20)),
    ("csv", "SELECT s.name || ' from ' || s.city AS who FROM S3Object s WHERE s.id = '5'", one(who="Eve, Jr. from New York")),
    ("csv", "SELECT s.id FROM S3Object s WHERE CAST(s.age AS INT) * 2 > 100", rows(S, lambda r: by_age(r) * 2 > 100, fields("id"))),
    ("csv", "SELECT s.id FROM S3Object s WHERE s.name || s.city = 'DanBoise'", one(id="4")),
    # -- CASE, COALESCE, NULLIF ----------------------------------------------------------------
    ("csv", "SELECT s.name, CASE WHEN CAST(s.age AS INT) < 18 THEN 'minor' WHEN CAST(s.age AS INT) < 60 THEN 'adult' ELSE 'senior' END AS band FROM S3Object s",
     rows(S, pick=lambda r: {"name": r["name"], "band": "minor" if by_age(r) < 18 else "adult" if by_age(r) < 60 else "senior"})),
    ("csv", "SELECT CASE s.city WHEN 'Seattle' THEN 'WA' WHEN 'Portland' THEN 'OR' ELSE 'other' END AS st FROM S3Object s LIMIT 4", [{"st": "WA"}, {"st": "OR"}, {"st": "WA"}, {"st": "other"}]),
    ("csv", "SELECT CASE WHEN s.id = '1' THEN 'first' END AS f FROM S3Object s LIMIT 2", [{"f": "first"}, {"f": None}]),
    ("csv", "SELECT COALESCE(NULL, s.name) AS n FROM S3Object s WHERE s.id = '1'", one(n="Alice")),
    ("csv", "SELECT NULLIF(s.city, 'Boise') AS c FROM S3Object s WHERE s.id IN ('4', '5')", [{"c": None}, {"c": "New York"}]),
    ("csv", "SELECT NULLIF(s.email, '') AS e FROM S3Object s WHERE s.id = '2'", one(e=None)),
    # -- CAST ------------------------------------------------------------------------------------
    ("csv", "SELECT CAST(s.age AS INTEGER) AS a FROM S3Object s WHERE s.id = '6'", one(a=52)),
    ("csv", "SELECT CAST(s.score AS FLOAT) AS f FROM S3Object s WHERE s.id = '7'", one(f=95.75)),
    ("csv", "SELECT CAST(s.score AS DECIMAL) AS d FROM S3Object s WHERE s.id = '3'", one(d=91.25)),
    ("csv", "SELECT CAST(s.score AS INT) AS i FROM S3Object s WHERE s.id = '3'", one(i=91)),
    ("csv", "SELECT CAST(CAST(s.age AS INT) AS STRING) AS t FROM S3Object s WHERE s.id = '4'", one(t="9")),
    ("csv", "SELECT CAST('true' AS BOOL) AS b FROM S3Object s LIMIT 1", one(b=True)),
    ("csv", "SELECT CAST(s.joined AS TIMESTAMP) AS t FROM S3Object s WHERE s.id = '1'", one(t="2019-03-01")),
    ("csv", "SELECT s.name FROM S3Object s WHERE CAST(s.joined AS TIMESTAMP) < CAST('2017-01-01T' AS TIMESTAMP)", rows(S, lambda r: r["joined"] < "2017", fields("name"))),
    ("csv", "SELECT CAST(s.name AS INT) FROM S3Object s", ("error", "CastFailed")),
    # -- string functions ---------------------------------------------------------------------
    ("csv", "SELECT UPPER(s.name) AS u, LOWER(s.city) AS l FROM S3Object s WHERE s.id = '3'", one(u="CAROL", l="seattle")),
    ("csv", "SELECT CHAR_LENGTH(s.name) AS n FROM S3Object s WHERE s.id = '5'", one(n=8)),
    ("csv", "SELECT CHARACTER_LENGTH(s.city) AS n FROM S3Object s WHERE s.id = '5'", one(n=8)),
    ("csv", "SELECT s.name FROM S3Object s WHERE CHAR_LENGTH(s.name) = 3", rows(S, lambda r: len(r["name"]) == 3, fields("name"))),
    ("csv", "SELECT s.name FROM S3Object s WHERE LOWER(s.city) = 'seattle'", rows(S, lambda r: r["city"].lower() == "seattle", fields("name"))),
    ("csv", "SELECT TRIM('  x  ') AS t, TRIM(LEADING FROM '  x  ') AS l, TRIM(TRAILING FROM '  x  ') AS r FROM S3Object s LIMIT 1", one(t="x", l="x  ", r="  x")),
    ("csv", "SELECT TRIM(BOTH 'S' FROM s.city) AS t FROM S3Object s WHERE s.id = '1'", one(t="eattle")),
    ("csv", "SELECT TRIM(LEADING 'ab' FROM 'ababcab') AS t FROM S3Object s LIMIT 1", one(t="cab")),
    ("csv", "SELECT SUBSTRING(s.name, 1, 3) AS p FROM S3Object s WHERE s.id = '1'", one(p="Ali")),
    ("csv", "SELECT SUBSTRING(s.name FROM 2) AS p FROM S3Object s WHERE s.id = '1'", one(p="lice")),
    ("csv", "SELECT SUBSTRING(s.name FROM 2 FOR 2) AS p FROM S3Object s WHERE s.id = '1'", one(p="li")),
    ("csv", "SELECT SUBSTRING('123456789', 0) AS a, SUBSTRING('123456789', -4) AS b, SUBSTRING('123456789', 0, 999) AS c FROM S3Object s LIMIT 1", one(a="123456789", b="123456789", c="123456789")),
    ("csv", "SELECT s.id FROM S3Object s WHERE SUBSTRING(s.email, 1, 5) = 'alice'", one(id="1")),
    # -- date functions -----------------------------------------------------------------------
    ("csv", "SELECT EXTRACT(YEAR FROM CAST(s.joined AS TIMESTAMP)) AS y FROM S3Object s WHERE s.id = '6'", one(y=2016)),
    ("csv", "SELECT EXTRACT(MONTH FROM CAST(s.joined AS TIMESTAMP)) AS m, EXTRACT(DAY FROM CAST(s.joined AS TIMESTAMP)) AS d FROM S3Object s WHERE s.id = '6'", one(m=2, d=29)),
    ("csv", "SELECT s.name FROM S3Object s WHERE EXTRACT(YEAR FROM CAST(s.joined AS TIMESTAMP)) >= 2021", rows(S, lambda r: r["joined"] >= "2021", fields("name"))),
    ("csv", "SELECT DATE_ADD(day, 1, CAST(s.joined AS TIMESTAMP)) AS t FROM S3Object s WHERE s.id = '6'", one(t="2016-03-01")),
    ("csv", "SELECT DATE_ADD(year, 1, CAST(s.joined AS TIMESTAMP)) AS t FROM S3Object s WHERE s.id = '6'", one(t="2017-02-28")),
    ("csv", "SELECT DATE_ADD(month, -2, `2010-03-31T`) AS t FROM S3Object s LIMIT 1", one(t="2010-01-31")),
    ("csv", "SELECT DATE_ADD(hour, 1, `2017-01-02T03:04Z`) AS t FROM S3Object s LIMIT 1", one(t="2017-01-02T04:04Z")),
    ("csv", "SELECT DATE_DIFF(year, CAST(s.joined AS TIMESTAMP), `2023-01-01T`) AS y FROM S3Object s WHERE s.id = '8'", one(y=7)),
    ("csv", "SELECT DATE_DIFF(day, `2010-01-01T`, `2010-03-01T`) AS d FROM S3Object s LIMIT 1", one(d=59)),
    ("csv", "SELECT DATE_DIFF(month, `2010T`, `2010-05T`) AS m FROM S3Object s LIMIT 1", one(m=4)),
    ("csv", "SELECT TO_STRING(CAST(s.joined AS TIMESTAMP), 'MMMM d, y') AS t FROM S3Object s WHERE s.id = '1'", one(t="March 1, 2019")),
    ("csv", "SELECT TO_STRING(`1969-07-20T20:18Z`, 'MMMM d, y h:m a') AS t FROM S3Object s LIMIT 1", one(t="July 20, 1969 8:18 PM")),
    ("csv", "SELECT TO_STRING(`1969-07-20T20:18Z`, 'y-MM-dd''T''H:m:ssX') AS t FROM S3Object s LIMIT 1", one(t="1969-07-20T20:18:00Z")),
    ("csv", "SELECT TO_TIMESTAMP('2007-04-05T14:30Z') AS t FROM S3Object s LIMIT 1", one(t="2007-04-05T14:30Z")),
    ("csv", "SELECT TO_TIMESTAMP(s.joined) AS t FROM S3Object s WHERE s.id = '2'", one(t="2020-07-15")),
    ("csv", "SELECT s.id FROM S3Object s WHERE UTCNOW() > CAST(s.joined AS TIMESTAMP) AND s.id = '7'", one(id="7")),
    # -- aggregates ---------------------------------------------------------------------------
    ("csv", "SELECT COUNT(*) FROM S3Object", one(_1=8)),
    ("csv", "SELECT COUNT(*) AS n FROM S3Object s WHERE s.city = 'Seattle'", one(n=2)),
    ("csv", "SELECT COUNT(s.email) FROM S3Object s", one(_1=8)),
    ("csv", "SELECT SUM(CAST(s.age AS INT)) AS total FROM S3Object s", one(total=sum(r["age"] for r in PEOPLE))),
    ("csv", "SELECT AVG(CAST(s.age AS INT)) AS mean FROM S3Object s WHERE s.city = 'Boise'", one(mean=30.5)),
    ("csv", "SELECT MIN(CAST(s.age AS INT)) AS lo, MAX(CAST(s.age AS INT)) AS hi FROM S3Object s", one(lo=9, hi=63)),
    ("csv", "SELECT MIN(s.name) AS lo, MAX(s.name) AS hi FROM S3Object s", one(lo=min(r["name"] for r in S), hi=max(r["name"] for r in S))),
    ("csv", "SELECT MAX(CAST(s.score AS FLOAT)) - MIN(CAST(s.score AS FLOAT)) AS spread FROM S3Object s", one(spread=44.5)),
    ("csv", "SELECT COUNT(*), SUM(CAST(s.age AS INT)) FROM S3Object s WHERE s.city = 'nowhere'", one(_1=0, _2=None)),
    ("csv", "SELECT SUM(CAST(s.score AS DECIMAL)) AS s FROM S3Object s WHERE s.id IN ('1', '3')", one(s=179.75)),
    # -- CSV output ---------------------------------------------------------------------------
    ("csv", "SELECT s.name, s.city FROM S3Object s WHERE s.id = '5'", ("csv", '"Eve, Jr.",New York\n')),
    ("csv", "SELECT s.id, s.email FROM S3Object s WHERE CAST(s.id AS INT) < 3", ("csv", "1,alice@example.com\n2,\n")),
    ("csv", "SELECT COUNT(*) FROM S3Object s", ("csv", "8\n")),
    ("csv", "SELECT * FROM S3Object s WHERE s.id = '6'", ("csv", "6,Frank,52,Boise,frank@example.com,2016-02-29T,100\n")),
    # -- CSV without headers -------------------------------------------------------------------
    ("csv_ignore", "SELECT s._2 FROM S3Object s WHERE s._1 = '4'", one(_2="Dan")),
    ("csv_ignore", "SELECT _2, _4 FROM S3Object WHERE CAST(_3 AS INT) > 50", rows(S, lambda r: by_age(r) > 50, lambda r: {"_2": r["name"], "_4": r["city"]})),
    ("csv_ignore", "SELECT COUNT(*) FROM S3Object", one(_1=8)),
    ("csv_ignore", "SELECT * FROM S3Object LIMIT 1", one(_1="1", _2="Alice", _3="30", _4="Seattle", _5="alice@example.com", _6="2019-03-01T", _7="88.5")),
    ("csv_ignore", "SELECT s.name FROM S3Object s", ("error", "InvalidColumnIndex")),
    ("csv_none", "SELECT _2 FROM S3Object LIMIT 2", [{"_2": "name"}, {"_2": "Alice"}]),
    ("csv_none", "SELECT COUNT(*) FROM S3Object", one(_1=9)),
    ("csv", "SELECT s.nosuch FROM S3Object s", ("error", "MissingHeaders")),
    ("tsv", "SELECT s.name, s.city FROM S3Object s WHERE s.id = '5'", one(name="Eve, Jr.", city="New York")),
    ("tsv", "SELECT COUNT(*) FROM S3Object s WHERE s.city LIKE '%land'", one(_1=2)),
    # -- JSON LINES ---------------------------------------------------------------------------
    ("jsonl", "SELECT * FROM S3Object s WHERE s.id = 1", [J[0]]),
    ("jsonl", "SELECT s.name FROM S3Object s WHERE s.age > 40", rows(J, lambda r: r["age"] > 40, fields("name"))),
    ("jsonl", "SELECT s.name, s.score FROM S3Object s WHERE s.score >= 90", rows(J, lambda r: r["score"] >= 90, fields("name", "score"))),
    ("jsonl", "SELECT s.address.zip AS zip FROM S3Object s WHERE s.id = 3", one(zip="03333")),
    ("jsonl", "SELECT s.address.geo.lat FROM S3Object s WHERE s.id = 2", one(lat=2.5)),
    ("jsonl", "SELECT s.tags[0] AS first FROM S3Object s WHERE s.id = 1", one(first="t1")),
    ("jsonl", "SELECT s.tags[1] AS second FROM S3Object s WHERE s.id = 2", [{}]),
    ("jsonl", "SELECT s.tags FROM S3Object s WHERE s.id IN (1, 2)", [{"tags": J[0]["tags"]}, {"tags": []}]),
    ("jsonl", "SELECT s.address FROM S3Object s WHERE s.id = 4", one(address=J[3]["address"])),
    ("jsonl", "SELECT s.name FROM S3Object s WHERE s.active = true", rows(J, lambda r: r["active"], fields("name"))),
    ("jsonl", "SELECT s.name FROM S3Object s WHERE s.active IS FALSE", rows(J, lambda r: not r["active"], fields("name"))),
    ("jsonl", "SELECT s.name FROM S3Object s WHERE s.email IS MISSING", one(name="Frank")),
    ("jsonl", "SELECT s.name FROM S3Object s WHERE s.manager IS NULL", rows(J, lambda r: r["manager"] is None, fields("name"))),
    ("jsonl", "SELECT s.id, s.email FROM S3Object s WHERE s.id BETWEEN 5 AND 6", [{"id": 5, "email": "eve@example.com"}, {"id": 6}]),
    ("jsonl", "SELECT s.name FROM S3Object s WHERE s.address.geo.lat > 6", rows(J, lambda r: r["id"] + 0.5 > 6, fields("name"))),
    ("jsonl", "SELECT COUNT(*) AS n, AVG(s.age) AS a FROM S3Object s WHERE s.city = 'Portland'", one(n=2, a=44)),
    ("jsonl", "SELECT SUM(s.score) AS t FROM S3Object s", one(t=sum(r["score"] for r in PEOPLE))),
    ("jsonl", "SELECT COUNT(s.email) AS n FROM S3Object s", one(n=7)),
    ("jsonl", "SELECT MAX(s.age) AS m FROM S3Object s WHERE s.active", one(m=max(r["age"] for r in J if r["active"]))),
    ("jsonl", "SELECT UPPER(s.name) AS n FROM S3Object s WHERE s.name LIKE 'g%'", one(n="GRACE")),
    ("jsonl", "SELECT s.name || '@' || s.city AS v FROM S3Object s WHERE s.id = 8", one(v="Heidi@Portland")),
    ("jsonl", "SELECT CAST(s.age AS STRING) AS a FROM S3Object s WHERE s.id = 8", one(a="63")),
    ("jsonl", "SELECT s.age * 2 AS d FROM S3Object s WHERE s.id = 4", one(d=18)),
    ("jsonl", "SELECT s.NAME FROM S3Object s WHERE s.id = 2", one(NAME="Bob")),
    ("jsonl", 'SELECT s."NAME" FROM S3Object s WHERE s.id = 2', [{}]),
    ("jsonl", "SELECT name FROM S3Object WHERE id = 3", one(name="carol")),
    ("jsonl", "SELECT s.name FROM S3Object s LIMIT 2", [{"name": "Alice"}, {"name": "Bob"}]),
    ("jsonl", "SELECT s.tags[*] FROM S3Object s WHERE s.id = 3", one(_1=["t0", "x"])),
    ("jsonl", "SELECT COALESCE(s.email, 'none') AS e FROM S3Object s WHERE s.id = 6", one(e="none")),
    ("jsonl", "SELECT s.id FROM S3Object s WHERE s.score = 72", one(id=2)),
    ("jsonl", "SELECT s.id FROM S3Object s WHERE s.name IN ('Dan', 'grace')", [{"id": 4}, {"id": 7}]),
    ("jsonl", "SELECT CASE WHEN s.active THEN 'yes' ELSE 'no' END AS a FROM S3Object s LIMIT 2", [{"a": "yes"}, {"a": "no"}]),
    # -- JSON DOCUMENT ------------------------------------------------------------------------
    ("jsondoc", "SELECT * FROM S3Object s WHERE s.created = 'June 27'", [DOCS[1]]),
    ("jsondoc", "SELECT s.name, s.org FROM S3Object s WHERE s.org = 'engineering'", one(name="Susan Smith", org="engineering")),
    ("jsondoc", "SELECT s.projects[0].project_name FROM S3Object s WHERE s.name = 'Susan Smith'", one(project_name="project1")),
    ("jsondoc", "SELECT s.projects[1].completed AS done FROM S3Object s WHERE s.name = 'Susan Smith'", one(done=True)),
    ("jsondoc", "SELECT id FROM S3Object[*].Rules[*].id", [{"id": "1"}, {}, {"id": "2"}, {}, {}, {}]),
    ("jsondoc", "SELECT r.id FROM S3Object[*].Rules[*] r WHERE r.id IS NOT MISSING", [{"id": "1"}, {"id": "2"}]),
    ("jsondoc", "SELECT r.expr FROM S3Object[*].Rules[*] r WHERE r.expr LIKE 'z%'", one(expr="z = DEBUG")),
    ("jsondoc", "SELECT _1.title FROM S3Object[*].books[*] WHERE _1.price > 20", one(title="B")),
    ("jsondoc", "SELECT price FROM S3Object[*].books[*].price WHERE price IS NOT MISSING", [{"price": 10}, {"price": 25.5}]),
    ("jsondoc", "SELECT p.project_name FROM S3Object[*].projects[*] p WHERE p.completed = false", one(project_name="project1")),
    ("jsondoc", "SELECT COUNT(*) FROM S3Object", one(_1=4)),
    ("jsondoc", "SELECT COUNT(*) AS n, SUM(b.price) AS total FROM S3Object[*].books[*] b", one(n=3, total=35.5)),
    ("jsondoc", "SELECT s.books[2].price FROM S3Object s WHERE s.books IS NOT MISSING", [{}]),
    # -- Parquet ------------------------------------------------------------------------------
    ("parquet", "SELECT * FROM S3Object s WHERE s.id = 2", [{k: P[1][k] for k in ("id", "name", "age", "city", "score", "active")}]),
    ("parquet", "SELECT s.name FROM S3Object s WHERE s.age > 40", rows(P, lambda r: r["age"] > 40, fields("name"))),
    ("parquet", "SELECT name, score FROM S3Object WHERE score < 70", rows(P, lambda r: r["score"] < 70, fields("name", "score"))),
    ("parquet", "SELECT s.name FROM S3Object s WHERE s.city IS NULL", one(name="grace")),
    ("parquet", "SELECT s.name FROM S3Object s WHERE s.active AND s.age < 30", rows(P, lambda r: r["active"] and r["age"] < 30, fields("name"))),
    ("parquet", "SELECT COUNT(*) AS n, COUNT(s.city) AS c, SUM(s.age) AS a FROM S3Object s", one(n=8, c=7, a=sum(r["age"] for r in P))),
    ("parquet", "SELECT AVG(s.score) AS m FROM S3Object s WHERE s.city = 'Boise'", one(m=80.0)),
    ("parquet", "SELECT UPPER(s.name) AS u FROM S3Object s WHERE s.name LIKE '%a%' LIMIT 2", [{"u": "CAROL"}, {"u": "DAN"}]),
    ("parquet", "SELECT s.age + 1 AS a FROM S3Object s WHERE s.id = 1", one(a=31)),
    ("parquet", "SELECT CAST(s.score AS INT) AS i FROM S3Object s WHERE s.id = 7", one(i=95)),
    ("parquet", "SELECT s.id FROM S3Object s WHERE s.city IN ('Boise', 'New York')", [{"id": 4}, {"id": 5}, {"id": 6}]),
    ("parquet", "SELECT s.name FROM S3Object s WHERE s.name BETWEEN 'A' AND 'C'", rows(P, lambda r: "A" <= r["name"] <= "C", fields("name"))),
    ("parquet", "SELECT s.id, s.city FROM S3Object s WHERE s.id = 7", [{"id": 7, "city": None}]),
    ("parquet", "SELECT s.name FROM S3Object s LIMIT 3", [{"name": "Alice"}, {"name": "Bob"}, {"name": "carol"}]),
    ("parquet", "SELECT s.name, s.city FROM S3Object s WHERE s.id = 5", ("csv", '"Eve, Jr.",New York\n')),
    # -- errors through the wire ----------------------------------------------------------------
    ("csv", "SELECT * FROM S3Object s GROUP BY s.city", ("error", "ParseUnsupportedSyntax")),
    ("csv", "SELECT * FROM S3Object s ORDER BY s.city", ("error", "ParseUnexpectedToken")),
    ("csv", "SELECT * FROM S3Object s, S3Object t", ("error", "ParseMalformedJoin")),
    ("csv", "SELECT * FROM S3Object WHERE id IN (SELECT id FROM S3Object)", ("error", "ParseUnsupportedSelect")),
    ("csv", "SELECT * FROM S3Object s WHERE s.5 = 1", ("error", "ParseUnexpectedToken")),
    ("csv", "SELECT CAST(s.id AS BLOB) FROM S3Object s", ("error", "ParseExpectedTypeName")),
    ("csv", "SELECT NOSUCH(s.id) FROM S3Object s", ("error", "UnsupportedFunction")),
    ("csv", "SELECT s.name, COUNT(*) FROM S3Object s", ("error", "UnsupportedSqlStructure")),
    ("jsonl", "SELECT * FROM S3Object s WHERE s.name LIKE 'a' ESCAPE 'toolong'", ("error", "LikeInvalidInputs")),
]  # fmt: skip


def _select(client, key, sql, input_serialization, compression, output):
    response = client.select_object_content(
        Bucket=BUCKET,
        Key=key,
        Expression=sql,
        ExpressionType="SQL",
        InputSerialization={**input_serialization, "CompressionType": compression},
        OutputSerialization=output,
    )
    return b"".join(
        event["Records"]["Payload"] for event in response["Payload"] if "Records" in event
    ).decode("utf-8")


def _compressed(data: bytes, compression: str) -> bytes:
    if compression == "GZIP":
        return gzip.compress(data)
    if compression == "BZIP2":
        return bz2.compress(data)
    return data


def test_the_table_has_at_least_150_queries():
    assert len(TABLE) >= 150
    assert len({(fixture, sql) for fixture, sql, _ in TABLE}) == len(TABLE)


def _outcome(s3, key, sql, serialization, compression, expected):
    """None when the query answers as expected, else what it answered."""
    try:
        if isinstance(expected, tuple) and expected[0] == "csv":
            got = _select(s3, key, sql, serialization, compression, {"CSV": {}})
            return None if got == expected[1] else got
        got = _select(s3, key, sql, serialization, compression, {"JSON": {}})
    except ClientError as err:
        code = err.response["Error"]["Code"]
        return None if expected == ("error", code) else f"error {code}: {err}"
    if isinstance(expected, tuple):
        return f"answered instead of {expected}: {got!r}"
    records = [json.loads(line) for line in got.split("\n") if line]
    return None if records == expected else records


# One test per object (fixture x compression): it is stored once and every query of the table
# over it runs against it; a failure lists each query that answered otherwise.
CASES = [
    (fixture, compression)
    for fixture, (_, _, compressible) in FIXTURES.items()
    for compression in (("NONE", "GZIP", "BZIP2") if compressible else ("NONE",))
]


@pytest.mark.parametrize(("fixture", "compression"), CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_queries(aws_client, fixture, compression):
    s3 = aws_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    data, serialization, _ = FIXTURES[fixture]
    key = f"{fixture}.{compression.lower()}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=_compressed(data, compression))
    queries = [(sql, expected) for f, sql, expected in TABLE if f == fixture]
    assert queries
    wrong = []
    for sql, expected in queries:
        got = _outcome(s3, key, sql, serialization, compression, expected)
        if got is not None:
            wrong.append(f"{sql}\n    expected {expected!r}\n    got      {got!r}")
    assert not wrong, "\n".join(wrong)
