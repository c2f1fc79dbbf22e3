"""The vectorized (pyarrow.compute) path gives exactly what the per-record reference path gives."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overcast.services.s3.select.sql import SelectError
from overcast.services.s3.select.sql.planner import plan_query

TEXTS = ["12", "-7", " 42 ", "0", "3.5", "", "abc", "10%", "Seattle", "seattle", "x_y", "1e3", "99",
         "\uff11\uff12", "Stra\u00dfe", "\u0130x", "a\nb"]  # fmt: skip


def csv_batches(seed: int, rows: int = 300, size: int = 50) -> list[pa.RecordBatch]:
    rng = random.Random(seed)
    columns = [
        [str(rng.randint(-50, 150)) for _ in range(rows)],  # always integers
        [rng.choice(TEXTS) for _ in range(rows)],  # mixed text
        [rng.choice(["Seattle", "Portland", "Boise", "seattle", " Reno "]) for _ in range(rows)],
        [f"{rng.uniform(-10, 10):.3f}" for _ in range(rows)],  # decimals
    ]
    full = pa.record_batch([pa.array(c, pa.string()) for c in columns], names=["_1", "_2", "_3", "_4"])
    return [full.slice(i, size) for i in range(0, rows, size)]


def parquet_batches(seed: int) -> list[pa.RecordBatch]:
    rng = random.Random(seed)
    ints = [rng.choice([None, rng.randint(-100, 100)]) for _ in range(200)]
    floats = [rng.choice([None, rng.uniform(-5, 5)]) for _ in range(200)]
    texts = [rng.choice([None, "a", "B", "abc", "%x"]) for _ in range(200)]
    flags = [rng.choice([None, True, False]) for _ in range(200)]
    full = pa.record_batch(
        [pa.array(ints, pa.int64()), pa.array(floats), pa.array(texts), pa.array(flags)],
        names=["i", "f", "t", "b"],
    )
    return [full.slice(i, 64) for i in range(0, 200, 64)]


CSV_QUERIES = [
    "SELECT s._2, s._3 FROM S3Object s WHERE CAST(s._1 AS INT) < 20",
    "SELECT _1 FROM S3Object WHERE _1 > 100",
    "SELECT _1, _4 FROM S3Object WHERE CAST(_4 AS FLOAT) >= 2.5 AND _3 = 'Seattle'",
    "SELECT _3 FROM S3Object WHERE _3 LIKE '%ea%' OR _3 LIKE 'B___e'",
    "SELECT _2 FROM S3Object WHERE _2 LIKE '%!%' ESCAPE '!'",
    "SELECT _2 FROM S3Object WHERE _2 LIKE 'x\\_y'",
    "SELECT _3 FROM S3Object WHERE _3 IN ('Boise', 'Portland')",
    "SELECT _1 FROM S3Object WHERE _1 IN (1, 2, 3, 100, 149)",
    "SELECT _1 FROM S3Object WHERE CAST(_1 AS INT) BETWEEN -5 AND 5",
    "SELECT _1 FROM S3Object WHERE CAST(_1 AS INT) NOT BETWEEN -40 AND 140",
    "SELECT CAST(_1 AS INT) + 1, CAST(_1 AS INT) * 3 - 2 FROM S3Object",
    "SELECT UPPER(_3), LOWER(_3), CHAR_LENGTH(_3), TRIM(_3), _3 || '-' || _1 FROM S3Object",
    "SELECT TRIM(LEADING ' ' FROM _3), TRIM(TRAILING 'e ' FROM _3) FROM S3Object",
    "SELECT UPPER(_2), LOWER(_2), CHAR_LENGTH(_2), _2 LIKE 'a_b' FROM S3Object",
    "SELECT _2 FROM S3Object WHERE _2 > 10",
    "SELECT CAST(_2 AS INT) FROM S3Object WHERE _2 = '12' OR _2 = ' 42 '",
    "SELECT _2 FROM S3Object WHERE NOT (_3 = 'Boise') AND _2 <> ''",
    "SELECT COUNT(*), SUM(CAST(_1 AS INT)), MIN(_3), MAX(CAST(_4 AS FLOAT)), AVG(CAST(_1 AS INT)) "
    "FROM S3Object WHERE _3 <> 'Reno'",
    "SELECT CAST(_2 AS INT) FROM S3Object",
    "SELECT CAST(_1 AS STRING), CAST(_4 AS DECIMAL) FROM S3Object LIMIT 7",
    "SELECT _1 FROM S3Object WHERE _1 = _2",
    "SELECT SUBSTRING(_3, 2, 3), SUBSTRING(_3 FROM 0 FOR 3), SUBSTRING(_3, -2), SUBSTRING(_2, 5) "
    "FROM S3Object",
    "SELECT _3 FROM S3Object WHERE SUBSTRING(_3, 1, 2) = 'Se'",
    "SELECT CAST(_1 AS INT) / 7, CAST(_1 AS INT) / -3, CAST(_4 AS FLOAT) / 2 FROM S3Object",
    "SELECT CAST(_1 AS INT) / (CAST(_1 AS INT) - CAST(_1 AS INT)) FROM S3Object",
    "SELECT -CAST(_1 AS INT), -_1 FROM S3Object",
    "SELECT CASE WHEN CAST(_1 AS INT) < 0 THEN 'neg' WHEN CAST(_1 AS INT) = 0 THEN 'zero' "
    "ELSE 'pos' END, CASE _3 WHEN 'Boise' THEN 1 WHEN 'Reno' THEN 2 END FROM S3Object",
    "SELECT _1 FROM S3Object WHERE CASE WHEN _3 LIKE 'S%' THEN TRUE ELSE FALSE END",
    "SELECT CASE WHEN _2 = '12' THEN _2 ELSE 'other' END, CASE WHEN TRUE THEN 1.5 END, "
    "CASE _2 WHEN 12 THEN 'n' ELSE 't' END, CAST(_1 AS INT) + 0.1 FROM S3Object",
]

PARQUET_QUERIES = [
    "SELECT i, t FROM S3Object WHERE i > 10",
    "SELECT * FROM S3Object WHERE f < 0 OR t IS NULL",
    "SELECT i + 1, i * 2, f - 1 FROM S3Object WHERE b",
    "SELECT t FROM S3Object WHERE t LIKE '%b%' OR t IN ('B', 'a')",
    "SELECT i FROM S3Object WHERE i IS NOT NULL AND NOT b",
    "SELECT COUNT(*), COUNT(i), SUM(i), MIN(f), MAX(t) FROM S3Object",
    "SELECT UPPER(t), CHAR_LENGTH(t), CAST(i AS STRING), CAST(i AS FLOAT) FROM S3Object",
    "SELECT i FROM S3Object WHERE i BETWEEN -10 AND 10 LIMIT 5",
    "SELECT b IS TRUE, b IS FALSE, t IS MISSING FROM S3Object",
    "SELECT i / 3, f / 2, i / f FROM S3Object",
    "SELECT -i, -f, -(i * 2) FROM S3Object WHERE -i < 5",
    "SELECT CASE WHEN b THEN i ELSE -1 END, CASE t WHEN 'a' THEN f END, "
    "CASE WHEN i > 0 THEN 'p' WHEN i IS NULL THEN 'n' END FROM S3Object",
    "SELECT SUBSTRING(t, 2), SUBSTRING(t, 1, 1) FROM S3Object",
]


def outcome(sql, kind, batches, vectorize):
    try:
        plan = plan_query(sql, kind, vectorize)
        return [r for records in plan.run(iter(batches)) for r in records]
    except SelectError as err:
        return ("error", err.code, err.message)


@pytest.mark.parametrize("sql", CSV_QUERIES)
def test_csv_paths_agree(sql):
    for seed in (1, 2):
        batches = csv_batches(seed)
        assert outcome(sql, "csv", batches, True) == outcome(sql, "csv", batches, False)


@pytest.mark.parametrize("sql", PARQUET_QUERIES)
def test_parquet_paths_agree(sql):
    batches = parquet_batches(3)
    assert outcome(sql, "parquet", batches, True) == outcome(sql, "parquet", batches, False)


def test_benchmark_shape_is_fully_vectorized():
    plan = plan_query("SELECT s._2, s._5 FROM S3Object s WHERE CAST(s._3 AS INT) < 100", "csv")
    assert plan.where_vec is not None and all(v is not None for v in plan.item_vecs)


def test_a_bad_field_in_one_batch_still_raises_castfailed():
    good = pa.record_batch([pa.array(["1", "2"])], names=["_1"])
    bad = pa.record_batch([pa.array(["3", "x"])], names=["_1"])
    plan = plan_query("SELECT _1 FROM S3Object WHERE CAST(_1 AS INT) > 0", "csv")
    results = plan.run(iter([good, bad]))
    assert list(next(results)) == [[("_1", "1")], [("_1", "2")]]
    with pytest.raises(SelectError) as err:
        next(results)
    assert err.value.code == "CastFailed"


CSV_ATOMS = ["_1", "_2", "_3", "_4", "CAST(_1 AS INT)", "CAST(_4 AS FLOAT)", "'Seattle'", "'12'",
             "3", "-2", "2.5", "TRUE", "NULL", "''"]  # fmt: skip
PARQUET_ATOMS = ["i", "f", "t", "b", "3", "-2", "2.5", "'a'", "TRUE", "NULL",
                 "CAST(i AS STRING)", "CAST(f AS INT)"]  # fmt: skip


def random_expression(rng: random.Random, atoms: list[str], depth: int = 0) -> str:
    if depth > 2 or rng.random() < 0.3:
        return rng.choice(atoms)
    a, b = random_expression(rng, atoms, depth + 1), random_expression(rng, atoms, depth + 1)
    c = rng.choice(atoms)
    return rng.choice([
        f"({a} {rng.choice(['=', '<>', '<', '<=', '>', '>='])} {b})",
        f"({a} {rng.choice(['+', '-', '*', '/'])} {b})",
        f"({a} AND {b})", f"({a} OR {b})", f"(NOT {a})", f"({a} || {b})", f"(-{a})",
        f"({a} LIKE '%e%')", f"({a} BETWEEN {b} AND {c})", f"({a} IN ({b}, {c}))",
        f"({a} IS NULL)", f"({a} IS NOT MISSING)", f"UPPER({a})", f"CHAR_LENGTH({a})",
        f"SUBSTRING({a}, 2, 3)", f"TRIM({a})", f"CAST({a} AS INT)", f"CAST({a} AS STRING)",
        f"CASE WHEN {a} THEN {b} ELSE {c} END", f"CASE {a} WHEN {b} THEN 'x' END",
    ])  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), parquet=st.booleans())
def test_random_expressions_agree_on_both_paths(seed, parquet):
    """Differential check: whatever the expression, the columnar path answers (or refuses)
    exactly as the per-record reference does."""
    rng = random.Random(seed)
    atoms = PARQUET_ATOMS if parquet else CSV_ATOMS
    kind = "parquet" if parquet else "csv"
    batches = parquet_batches(seed % 7) if parquet else csv_batches(seed % 7, rows=60, size=20)
    sql = (f"SELECT {random_expression(rng, atoms)}, {random_expression(rng, atoms)} "
           f"FROM S3Object WHERE {random_expression(rng, atoms)}")  # fmt: skip
    assert outcome(sql, kind, batches, True) == outcome(sql, kind, batches, False), sql
