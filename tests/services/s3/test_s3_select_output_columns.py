"""The columnar writers (output_columns.py) write exactly what the record-by-record writers
write, for every kind of cell and every output option: the record writers are the reference."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from overcast.services.s3.select.output import CsvWriter, JsonWriter
from overcast.services.s3.select.request import CsvOutput, JsonOutput
from overcast.services.s3.select.sql import MISSING
from overcast.services.s3.select.sql.columns import RecordColumns

# cells holding every character either writer treats specially, and some that are not special
SPECIAL = ['', 'plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'tab\tx', 'back\\slash', 'semi;colon',
           "it's", '|pipe|', '\x00nul', '\x1fus', '\x7fdel', 'Stra\u00dfe', '\u2028sep', '\U0001f600', 'a\r\nb']
texts = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=6))
DELIMITERS = [",", ";", "\t", "|", "'", "\u00a6", "\r\n", "\n", "\r", "#"]


def both(writer, records: RecordColumns) -> tuple[bytes, bytes]:
    return writer.write(records), writer.write(list(records))


@st.composite
def text_batches(draw):
    rows = draw(st.integers(1, 8))
    width = draw(st.integers(1, 4))
    columns = [pa.array(draw(st.lists(st.one_of(texts, st.none()) if draw(st.booleans()) else texts,
                                      min_size=rows, max_size=rows)), pa.string()) for _ in range(width)]
    names = draw(st.lists(st.sampled_from(["a", "b", "_1", "na\"me", "\u00e9"]), min_size=width, max_size=width))
    return RecordColumns(names, columns, rows)


@settings(max_examples=150, deadline=None)
@given(records=text_batches(), field=st.sampled_from(DELIMITERS[:6]), record=st.sampled_from(DELIMITERS),
       quote=st.sampled_from(['"', "'", "|"]), escape=st.sampled_from([None, "\\", "'"]),
       always=st.booleans())
def test_csv_columns_match_the_record_writer(records, field, record, quote, escape, always):
    options = CsvOutput(quote_fields="ALWAYS" if always else "ASNEEDED", record_delimiter=record,
                        field_delimiter=field, quote=quote, quote_escape=escape or quote)
    columnar, reference = both(CsvWriter(options), records)
    assert columnar == reference


@settings(max_examples=150, deadline=None)
@given(records=text_batches(), record=st.sampled_from(DELIMITERS))
def test_json_columns_match_the_record_writer(records, record):
    columnar, reference = both(JsonWriter(JsonOutput(record_delimiter=record)), records)
    assert columnar == reference


TYPED = [
    pa.array([1, -2, None], pa.int64()),
    pa.array([2 ** 64 - 1, 0, None], pa.uint64()),
    pa.array([True, None, False]),
    pa.array([1.5, float("nan"), None]),
    pa.array([1e20, -0.0, float("inf")]),
    pa.array([1e-5, 1.0, 123.456, 1e16, 1.234567890123456e14, 0.1, 2.5e-4, -7.25, 9999999999999998.0]),
    pa.array([0.1, 1.5, -3.0, 1e-7, 16777216.0, 3.4e38], pa.float32()),
    pa.array([Decimal("12.50"), None, Decimal("-1")], pa.decimal128(6, 2)),
    pa.array([datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), None, datetime(1999, 12, 31)],
             pa.timestamp("us", tz="UTC")),
    pa.array([None, None, None], pa.null()),
    pa.array([[1, 2], None, []], pa.list_(pa.int64())),
    pa.array([{"x": 1}, None, {"x": None}], pa.struct([("x", pa.int64())])),
    ["text", 7, None],  # a column the per-record evaluator computed
    [MISSING, "b", MISSING],
    [2 ** 70, 1, 2],
    [Decimal("1.10"), 3.25, "x,y"],
]


def test_typed_and_python_columns_match_the_record_writers():
    for column in TYPED:
        rows = len(column)
        for other in (pa.array(["a", 'q"', None] * 3), pa.array(range(9))):
            records = RecordColumns(["v", "w"], [column, other.slice(0, rows)], rows)
            for writer in (CsvWriter(CsvOutput()), CsvWriter(CsvOutput(quote_fields="ALWAYS")),
                           JsonWriter(JsonOutput()), JsonWriter(JsonOutput(record_delimiter=","))):
                columnar, reference = both(writer, records)
                assert columnar == reference, (column, writer)


def test_a_repeated_name_keeps_its_first_place_and_last_value_in_json():
    records = RecordColumns(["a", "b", "a"], [pa.array(["1"]), pa.array(["2"]), pa.array(["3"])], 1)
    assert JsonWriter(JsonOutput()).write(records) == b'{"a":"3","b":"2"}\n'
    assert CsvWriter(CsvOutput()).write(records) == b"1,2,3\n"


def test_sliced_arrays_write_only_their_rows():
    column = pa.array(["x", "y,z", "w", "v"]).slice(1, 2)
    records = RecordColumns(["c"], [column], 2)
    assert CsvWriter(CsvOutput()).write(records) == b'"y,z"\nw\n'
    assert JsonWriter(JsonOutput()).write(records) == b'{"c":"y,z"}\n{"c":"w"}\n'


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_doubles_are_written_as_python_writes_them(values):
    records = RecordColumns(["d"], [pa.array(values, pa.float64())], len(values))
    for writer in (CsvWriter(CsvOutput()), JsonWriter(JsonOutput())):
        columnar, reference = both(writer, records)
        assert columnar == reference
