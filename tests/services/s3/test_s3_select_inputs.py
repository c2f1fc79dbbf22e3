"""S3 Select inputs and outputs through a real server: CSV options, JSON DOCUMENT and LINES,
Parquet, GZIP / BZIP2, ScanRange at record boundaries, the CSV and JSON writers."""

from __future__ import annotations

import bz2
import gzip
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import EventStreamError


def run(s3, bucket, body: bytes, expression: str, source: dict, output: dict | None = None, **extra) -> bytes:
    s3.put_object(Bucket=bucket, Key="data", Body=body)
    response = s3.select_object_content(Bucket=bucket, Key="data", Expression=expression, ExpressionType="SQL",
                                        InputSerialization=source, OutputSerialization=output or {"CSV": {}},
                                        **extra)
    return b"".join(e["Records"]["Payload"] for e in response["Payload"] if "Records" in e)


def stream_error(s3, bucket, body: bytes, expression: str, source: dict) -> tuple[str, str]:
    with pytest.raises(EventStreamError) as exc:
        run(s3, bucket, body, expression, source)
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


PEOPLE = b"name,city\nAda,London\nAlan,Wilmslow\n"


# -- CSV input ----------------------------------------------------------------------------------

def test_file_header_info_none_ignore_use(s3, bucket):
    assert run(s3, bucket, PEOPLE, "SELECT s._1 FROM S3Object s", {"CSV": {}}) == b"name\nAda\nAlan\n"
    assert run(s3, bucket, PEOPLE, "SELECT s._1 FROM S3Object s",
               {"CSV": {"FileHeaderInfo": "IGNORE"}}) == b"Ada\nAlan\n"
    assert run(s3, bucket, PEOPLE, "SELECT s.city, s._1 FROM S3Object s",
               {"CSV": {"FileHeaderInfo": "USE"}}) == b"London,Ada\nWilmslow,Alan\n"


def test_custom_delimiters(s3, bucket):
    body = b"a|b;c|d;e|f"
    assert run(s3, bucket, body, "SELECT s._2 FROM S3Object s",
               {"CSV": {"FieldDelimiter": "|", "RecordDelimiter": ";"}}) == b"b\nd\nf\n"


def test_non_ascii_delimiters(s3, bucket):
    body = "a¦«b¦c«\nd¦e\n".encode()
    out = run(s3, bucket, body, "SELECT s._2 FROM S3Object s", {"CSV": {"FieldDelimiter": "¦", "QuoteCharacter": "«"}})
    assert out.decode() == "b¦c\ne\n"


def test_crlf_records(s3, bucket):
    body = b"k,v\r\n1,one\r\n2,two\r\n"
    assert run(s3, bucket, body, "SELECT s.v FROM S3Object s",
               {"CSV": {"FileHeaderInfo": "USE", "RecordDelimiter": "\r\n"}}) == b"one\ntwo\n"


def test_quote_and_escape_characters(s3, bucket):
    body = b"'a,b','it\\'s'\n'plain',x\n"
    source = {"CSV": {"QuoteCharacter": "'", "QuoteEscapeCharacter": "\\"}}
    assert run(s3, bucket, body, "SELECT s._1, s._2 FROM S3Object s", source,
               {"JSON": {}}) == b'{"_1":"a,b","_2":"it\'s"}\n{"_1":"plain","_2":"x"}\n'
    doubled = b'"say ""hi""",2\n'
    assert run(s3, bucket, doubled, "SELECT s._1 FROM S3Object s", {"CSV": {}},
               {"JSON": {}}) == b'{"_1":"say \\"hi\\""}\n'


def test_comment_records_are_skipped(s3, bucket):
    body = b"#a comment\nx,1\n#another\ny,2\n"
    assert run(s3, bucket, body, "SELECT s._1 FROM S3Object s", {"CSV": {}}) == b"x\ny\n"
    body = b"%note\n#kept,3\n"
    assert run(s3, bucket, body, "SELECT s._1 FROM S3Object s", {"CSV": {"Comments": "%"}}) == b"#kept\n"


def test_allow_quoted_record_delimiter(s3, bucket):
    body = b'id,text\n1,"line one\nline two"\n2,plain\n'
    out = run(s3, bucket, body, "SELECT s.text FROM S3Object s",
              {"CSV": {"FileHeaderInfo": "USE", "AllowQuotedRecordDelimiter": True}}, {"JSON": {}})
    assert out == b'{"text":"line one\\nline two"}\n{"text":"plain"}\n'


def test_rows_of_differing_widths(s3, bucket):
    body = b"a,b,c\nd\ne,f\n"
    out = run(s3, bucket, body, "SELECT s._1, s._3 FROM S3Object s", {"CSV": {}})
    assert out == b"a,c\nd,\ne,\n"


def test_last_field_quoted_at_the_end_of_the_object(s3, bucket):
    body = b'a,b\n"c",d,"e ""x"""'  # ragged rows (the exact parser), no final record delimiter
    out = run(s3, bucket, body, "SELECT s._3 FROM S3Object s", {"CSV": {}}, {"JSON": {}})
    assert out.splitlines()[-1] == b'{"_3":"e \\"x\\""}'


def test_invalid_utf8_is_an_error_event(s3, bucket):
    code, message = stream_error(s3, bucket, b"ok\n\xff\xfe\n", "SELECT * FROM S3Object", {"CSV": {}})
    assert (code, message) == ("InvalidTextEncoding",
                               "Invalid encoding type. Only UTF-8 encoding is supported at this time.")


def test_record_over_one_megabyte(s3, bucket):
    code, _ = stream_error(s3, bucket, b"x" * (5 * 1024 * 1024), "SELECT * FROM S3Object", {"CSV": {}})
    assert code == "OverMaxRecordSize"
    code, message = stream_error(s3, bucket, b"a\n" + b"y" * (1024 * 1024 + 300_000) + b"\nb\n",
                                 "SELECT * FROM S3Object", {"CSV": {}})
    assert (code, message) == ("OverMaxRecordSize", "The length of a record in the input or result is greater "
                                                    "than maxCharsPerRecord of 1 MB.")
    # a long record of multi-byte characters is counted in characters
    wide = "é" * 600_000
    assert run(s3, bucket, f"{wide}\n".encode(), "SELECT COUNT(*) FROM S3Object", {"CSV": {}}) == b"1\n"


# -- JSON input ---------------------------------------------------------------------------------

def test_json_lines(s3, bucket):
    body = b'{"a": 1, "b": "x"}\n\n{"a": 2, "b": "y"}\n'
    assert run(s3, bucket, body, "SELECT s.b FROM S3Object s WHERE s.a > 1",
               {"JSON": {"Type": "LINES"}}, {"JSON": {}}) == b'{"b":"y"}\n'


def test_json_document_with_a_path(s3, bucket):
    body = b'{"items": [{"id": 1, "tags": ["a"]}, {"id": 2, "tags": ["b", "c"]}]}'
    out = run(s3, bucket, body, "SELECT s.id, s.tags FROM S3Object[*].items[*] s",
              {"JSON": {"Type": "DOCUMENT"}}, {"JSON": {}})
    assert out == b'{"id":1,"tags":["a"]}\n{"id":2,"tags":["b","c"]}\n'


def test_json_documents_one_after_another(s3, bucket):
    body = b'{"n": 1}\n{"n": 2} {"n":\n 3}'
    assert run(s3, bucket, body, "SELECT s.n FROM S3Object s", {"JSON": {"Type": "DOCUMENT"}}) == b"1\n2\n3\n"


def test_missing_field_is_left_out_of_json_output(s3, bucket):
    body = b'{"a": 1, "b": 2}\n{"a": 3}\n'
    out = run(s3, bucket, body, "SELECT s.a, s.b FROM S3Object s", {"JSON": {"Type": "LINES"}}, {"JSON": {}})
    assert out == b'{"a":1,"b":2}\n{"a":3}\n'


def test_bad_json_is_an_error_event(s3, bucket):
    code, message = stream_error(s3, bucket, b'{"a": 1}\n{"a": \n', "SELECT * FROM S3Object",
                                 {"JSON": {"Type": "LINES"}})
    assert (code, message) == ("JSONParsingError",
                               "Encountered an error parsing the JSON file. Check the file and try again.")


# -- Parquet ------------------------------------------------------------------------------------

def _parquet(table: pa.Table, **kwargs) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **kwargs)
    return sink.getvalue()


def test_parquet_typed_columns(s3, bucket):
    table = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"],
                      "score": pa.array([1.5, 2.5, 3.5])})
    out = run(s3, bucket, _parquet(table), "SELECT s.name, s.score FROM S3Object s WHERE s.id >= 2",
              {"Parquet": {}}, {"JSON": {}})
    assert out == b'{"name":"b","score":2.5}\n{"name":"c","score":3.5}\n'


def test_parquet_many_row_groups(s3, bucket):
    table = pa.table({"n": pa.array(range(10_000), pa.int64())})
    out = run(s3, bucket, _parquet(table, row_group_size=1000), "SELECT SUM(s.n) FROM S3Object s", {"Parquet": {}})
    assert out == b"%d\n" % sum(range(10_000))


def test_not_parquet_is_an_error_event(s3, bucket):
    code, _ = stream_error(s3, bucket, b"not parquet at all", "SELECT * FROM S3Object", {"Parquet": {}})
    assert code == "ParquetParsingError"


# -- compression --------------------------------------------------------------------------------

@pytest.mark.parametrize("compression, compress", [("GZIP", gzip.compress), ("BZIP2", bz2.compress)])
def test_compressed_csv_and_json(s3, bucket, compression, compress):
    rows = b"".join(b"%d,row%d\n" % (i, i) for i in range(50_000))
    out = run(s3, bucket, compress(rows), "SELECT s._2 FROM S3Object s WHERE s._1 = '49999'",
              {"CSV": {}, "CompressionType": compression})
    assert out == b"row49999\n"
    lines = b'{"v": 1}\n{"v": 2}\n'
    assert run(s3, bucket, compress(lines), "SELECT SUM(s.v) FROM S3Object s",
               {"JSON": {"Type": "LINES"}, "CompressionType": compression}) == b"3\n"


def test_stats_count_compressed_and_plain_bytes(s3, bucket):
    rows = b"a,b\n" * 10_000
    packed = gzip.compress(rows)
    s3.put_object(Bucket=bucket, Key="data", Body=packed)
    response = s3.select_object_content(Bucket=bucket, Key="data", Expression="SELECT COUNT(*) FROM S3Object",
                                        ExpressionType="SQL", OutputSerialization={"CSV": {}},
                                        InputSerialization={"CSV": {}, "CompressionType": "GZIP"})
    stats = [e["Stats"]["Details"] for e in response["Payload"] if "Stats" in e][0]
    assert stats == {"BytesScanned": len(packed), "BytesProcessed": len(rows), "BytesReturned": 6}


def test_concatenated_gzip_members(s3, bucket):
    body = gzip.compress(b"1\n2\n") + gzip.compress(b"3\n")
    assert run(s3, bucket, body, "SELECT * FROM S3Object", {"CSV": {}, "CompressionType": "GZIP"}) == b"1\n2\n3\n"


def test_gzip_request_over_plain_bytes(s3, bucket):
    code, _ = stream_error(s3, bucket, b"plain,text\n", "SELECT * FROM S3Object", {"CSV": {}, "CompressionType": "GZIP"})
    assert code == "InvalidCompressionFormat"


# -- ScanRange ----------------------------------------------------------------------------------

LINES = b"aaa\nbbb\nccc\nddd\n"  # records start at 0, 4, 8, 12


@pytest.mark.parametrize("scan, expected", [
    ({"Start": 0, "End": 3}, b"aaa\n"),
    ({"Start": 1, "End": 4}, b"bbb\n"),  # the record starting at 4 is in; the one at 0 is not
    ({"Start": 4, "End": 4}, b"bbb\n"),
    ({"Start": 5, "End": 8}, b"ccc\n"),
    ({"Start": 5, "End": 7}, b""),
    ({"Start": 9}, b"ddd\n"),
    ({"End": 5}, b"ddd\n"),  # the last five bytes: only the record at 12 starts in them
    ({"Start": 0, "End": 100}, LINES),
])
def test_scan_range_takes_records_starting_in_it(s3, bucket, scan, expected):
    assert run(s3, bucket, LINES, "SELECT * FROM S3Object", {"CSV": {}}, ScanRange=scan) == expected


def test_scan_range_json_lines_and_crlf(s3, bucket):
    body = b'{"n":1}\n{"n":2}\n{"n":3}\n'
    assert run(s3, bucket, body, "SELECT s.n FROM S3Object s", {"JSON": {"Type": "LINES"}},
               ScanRange={"Start": 1, "End": 9}) == b"2\n"
    crlf = b"a\r\nb\r\nc\r\n"
    assert run(s3, bucket, crlf, "SELECT * FROM S3Object", {"CSV": {"RecordDelimiter": "\r\n"}},
               ScanRange={"Start": 2, "End": 3}) == b"b\n"


def test_scan_range_parquet_row_groups(s3, bucket):
    table = pa.table({"n": pa.array(range(3000), pa.int64())})
    body = _parquet(table, row_group_size=1000)
    everything = run(s3, bucket, body, "SELECT COUNT(*) FROM S3Object", {"Parquet": {}},
                     ScanRange={"Start": 0, "End": len(body)})
    assert everything == b"3000\n"
    first = pq.ParquetFile(io.BytesIO(body)).metadata.row_group(1).column(0)
    start = min(first.data_page_offset, first.dictionary_page_offset or first.data_page_offset)
    tail = run(s3, bucket, body, "SELECT COUNT(*) FROM S3Object", {"Parquet": {}}, ScanRange={"Start": start})
    assert tail == b"2000\n"


def test_scan_range_skips_the_header_record(s3, bucket):
    assert run(s3, bucket, PEOPLE, "SELECT s.city FROM S3Object s", {"CSV": {"FileHeaderInfo": "USE"}},
               ScanRange={"Start": 0, "End": 12}) == b"London\n"


# -- output -------------------------------------------------------------------------------------

def test_csv_output_quoting(s3, bucket):
    body = b'plain,"with,comma","with ""quote"""\n'
    source = {"CSV": {}}
    query = "SELECT * FROM S3Object"
    assert run(s3, bucket, body, query, source) == b'plain,"with,comma","with ""quote"""\n'
    assert run(s3, bucket, body, query, source, {"CSV": {"QuoteFields": "ALWAYS"}}) == (
        b'"plain","with,comma","with ""quote"""\n')
    custom = {"CSV": {"QuoteFields": "ALWAYS", "QuoteCharacter": "'", "QuoteEscapeCharacter": "\\",
                      "FieldDelimiter": "\t", "RecordDelimiter": "|"}}
    assert run(s3, bucket, b"it's,x\n", query, source, custom) == b"'it\\'s'\t'x'|"


def test_json_output_types(s3, bucket):
    body = b'{"i": 1, "f": 1.5, "t": true, "n": null, "o": {"k": [1, "x"]}}\n'
    out = run(s3, bucket, body, "SELECT * FROM S3Object", {"JSON": {"Type": "LINES"}}, {"JSON": {}})
    assert out == b'{"i":1,"f":1.5,"t":true,"n":null,"o":{"k":[1,"x"]}}\n'


def test_scan_range_reads_the_header_from_the_object_start(s3, bucket):
    # records: the header at 0, Ada at 10, Alan at 21
    assert run(s3, bucket, PEOPLE, "SELECT s.city, s.name FROM S3Object s", {"CSV": {"FileHeaderInfo": "USE"}},
               ScanRange={"Start": 15}) == b"Wilmslow,Alan\n"
    assert run(s3, bucket, PEOPLE, "SELECT s._1 FROM S3Object s", {"CSV": {"FileHeaderInfo": "IGNORE"}},
               ScanRange={"Start": 5, "End": 12}) == b"Ada\n"


def test_json_output_of_big_integers_and_timestamps(s3, bucket):
    body = b'{"big": 123456789012345678901234567890, "at": "2024-01-02T03:04:05Z"}'
    out = run(s3, bucket, body, "SELECT s.big, TO_TIMESTAMP(s.at) AS t FROM S3Object s",
              {"JSON": {"Type": "DOCUMENT"}}, {"JSON": {}})
    assert out == b'{"big":123456789012345678901234567890,"t":"2024-01-02T03:04:05Z"}\n'


def test_parquet_types_in_csv_and_json_output(s3, bucket):
    import datetime
    import decimal

    table = pa.table({
        "flag": pa.array([True, False]),
        "at": pa.array([datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc), None],
                       pa.timestamp("us", tz="UTC")),
        "amount": pa.array([decimal.Decimal("12.50"), decimal.Decimal("-3.00")], pa.decimal128(10, 2)),
        "ratio": pa.array([0.25, None], pa.float64()),
    })
    body = _parquet(table)
    csv_out = run(s3, bucket, body, "SELECT * FROM S3Object", {"Parquet": {}})
    json_out = run(s3, bucket, body, "SELECT * FROM S3Object", {"Parquet": {}}, {"JSON": {}})
    assert csv_out.splitlines()[1] == b"false,,-3.00,"
    first = csv_out.splitlines()[0].split(b",")
    assert first[0] == b"true" and first[1].startswith(b"2024-05-06T07:08:09") and first[2:] == [b"12.50", b"0.25"]
    lines = json_out.splitlines()
    assert lines[1] == b'{"flag":false,"at":null,"amount":-3.00,"ratio":null}'
