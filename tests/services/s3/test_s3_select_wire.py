"""SelectObjectContent on the wire: boto3 reading the event stream, the raw framing, the AWS
CLI, encrypted objects, and the errors S3 answers before and inside the stream."""

from __future__ import annotations

import binascii
import struct

import pytest
from botocore.exceptions import ClientError, EventStreamError
from s3_raw import send

CSV = b"name,city,age\nAda,London,36\nAlan,Wilmslow,41\nGrace,New York,85\n"
KEY = b"K" * 32
SSE_C = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
CSV_IN = {"CSV": {"FileHeaderInfo": "USE"}}
CSV_OUT = {"CSV": {}}


def select(s3, bucket, key, expression, source=None, output=None, **extra):
    response = s3.select_object_content(Bucket=bucket, Key=key, Expression=expression, ExpressionType="SQL",
                                        InputSerialization=source or CSV_IN, OutputSerialization=output or CSV_OUT,
                                        **extra)
    return list(response["Payload"])


def records(events) -> bytes:
    return b"".join(e["Records"]["Payload"] for e in events if "Records" in e)


def error_of(exc) -> tuple:
    response = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def test_select_streams_records_stats_and_end(s3, bucket):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV)
    events = select(s3, bucket, "people.csv", "SELECT s.name FROM S3Object s")
    assert records(events) == b"Ada\nAlan\nGrace\n"
    assert [next(iter(e)) for e in events][-2:] == ["Stats", "End"]
    stats = events[-2]["Stats"]["Details"]
    assert stats == {"BytesScanned": len(CSV), "BytesProcessed": len(CSV), "BytesReturned": 15}


def test_json_output_and_record_delimiter(s3, bucket):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV)
    events = select(s3, bucket, "people.csv", "SELECT s.name, s.city FROM S3Object s",
                    output={"JSON": {"RecordDelimiter": ";"}})
    assert records(events) == (b'{"name":"Ada","city":"London"};{"name":"Alan","city":"Wilmslow"};'
                               b'{"name":"Grace","city":"New York"};')


def test_request_progress_sends_progress_events(s3, bucket):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV)
    events = select(s3, bucket, "people.csv", "SELECT * FROM S3Object", RequestProgress={"Enabled": True})
    progress = [e["Progress"]["Details"] for e in events if "Progress" in e]
    assert progress and progress[-1] == {"BytesScanned": len(CSV), "BytesProcessed": len(CSV),
                                         "BytesReturned": len(CSV) - len(b"name,city,age\n")}


def test_large_output_comes_in_several_records_events(s3, bucket):
    rows = b"".join(b"%d,%s\n" % (i, b"x" * 50) for i in range(20_000))
    s3.put_object(Bucket=bucket, Key="big.csv", Body=rows)
    events = select(s3, bucket, "big.csv", "SELECT * FROM S3Object", source={"CSV": {}})
    chunks = [e for e in events if "Records" in e]
    assert len(chunks) > 1
    assert records(events) == rows


def _messages(body: bytes) -> list[tuple[dict, bytes]]:
    """Parse event-stream framing by hand, checking both CRCs."""
    found, offset = [], 0
    while offset < len(body):
        total, headers_length, prelude_crc = struct.unpack_from(">III", body, offset)
        assert binascii.crc32(body[offset:offset + 8]) == prelude_crc
        message = body[offset:offset + total]
        assert binascii.crc32(message[:-4]) == struct.unpack(">I", message[-4:])[0]
        headers, position = {}, 12
        while position < 12 + headers_length:
            name_length = message[position]
            name = message[position + 1:position + 1 + name_length].decode()
            position += 1 + name_length
            assert message[position] == 7  # string
            value_length = struct.unpack_from(">H", message, position + 1)[0]
            headers[name] = message[position + 3:position + 3 + value_length].decode()
            position += 3 + value_length
        found.append((headers, message[12 + headers_length:-4]))
        offset += total
    return found


SELECT_XML = ('<SelectObjectContentRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
              "<Expression>{expression}</Expression><ExpressionType>SQL</ExpressionType>"
              "<InputSerialization><CSV><FileHeaderInfo>USE</FileHeaderInfo></CSV></InputSerialization>"
              "<OutputSerialization><CSV/></OutputSerialization></SelectObjectContentRequest>")


def test_raw_event_stream_framing(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV)
    response = send(endpoint, "POST", f"/{bucket}/people.csv?select&select-type=2",
                    SELECT_XML.format(expression="SELECT s.age FROM S3Object s").encode())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    messages = _messages(response.content)
    kinds = [h[":event-type"] for h, _ in messages]
    assert kinds == ["Records", "Stats", "End"]
    records_headers, payload = messages[0]
    assert records_headers[":message-type"] == "event"
    assert records_headers[":content-type"] == "application/octet-stream"
    assert payload == b"36\n41\n85\n"
    stats_headers, stats = messages[1]
    assert stats_headers[":content-type"] == "text/xml"
    assert stats == (b"<Stats><BytesScanned>%d</BytesScanned><BytesProcessed>%d</BytesProcessed>"
                     b"<BytesReturned>9</BytesReturned></Stats>" % (len(CSV), len(CSV)))
    assert messages[2][1] == b""


def test_error_inside_the_stream_is_an_error_message(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV)
    expression = "SELECT CAST(s.city AS INT) FROM S3Object s"
    with pytest.raises(EventStreamError) as exc:
        select(s3, bucket, "people.csv", expression)
    assert exc.value.response["Error"]["Code"] == "CastFailed"
    response = send(endpoint, "POST", f"/{bucket}/people.csv?select&select-type=2",
                    SELECT_XML.format(expression=expression).encode())
    assert response.status_code == 200
    headers, payload = _messages(response.content)[-1]
    assert headers[":message-type"] == "error" and headers[":error-code"] == "CastFailed"
    assert payload == b""


def test_cli_writes_the_records_to_a_file(s3, bucket, aws_cli, tmp_path):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV)
    out = tmp_path / "out.txt"
    aws_cli("s3api", "select-object-content", "--bucket", bucket, "--key", "people.csv",
            "--expression", "SELECT s.name FROM S3Object s WHERE s.city = 'London'", "--expression-type", "SQL",
            "--input-serialization", '{"CSV": {"FileHeaderInfo": "USE"}}',
            "--output-serialization", '{"JSON": {}}', str(out))
    assert out.read_bytes() == b'{"name":"Ada"}\n'


def test_sse_c_object_needs_its_key(s3, bucket):
    s3.put_object(Bucket=bucket, Key="secret.csv", Body=CSV, **SSE_C)
    events = select(s3, bucket, "secret.csv", "SELECT s.city FROM S3Object s", **SSE_C)
    assert records(events) == b"London\nWilmslow\nNew York\n"
    with pytest.raises(ClientError) as exc:
        select(s3, bucket, "secret.csv", "SELECT s.city FROM S3Object s")
    assert error_of(exc)[:2] == (400, "InvalidRequest")
    with pytest.raises(ClientError) as exc:
        select(s3, bucket, "secret.csv", "SELECT s.city FROM S3Object s",
               SSECustomerAlgorithm="AES256", SSECustomerKey=b"O" * 32)
    assert error_of(exc)[:2] == (403, "AccessDenied")


def test_sse_s3_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="sealed.csv", Body=CSV, ServerSideEncryption="AES256")
    events = select(s3, bucket, "sealed.csv", "SELECT COUNT(*) FROM S3Object")
    assert records(events) == b"3\n"


def test_sse_kms_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="kms.csv", Body=CSV, ServerSideEncryption="aws:kms")
    events = select(s3, bucket, "kms.csv", "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) > 40")
    assert records(events) == b"Alan\nGrace\n"


def test_multipart_object(s3, bucket):
    part = b"".join(b"%d,row\n" % i for i in range(120_000))
    assert len(part) > 5 * 1024 * 1024 // 5
    first = part * 5
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp.csv")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="mp.csv", UploadId=upload, PartNumber=n, Body=body)["ETag"]
             for n, body in ((1, first), (2, b"last,one\n"))]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp.csv", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), etags)]})
    events = select(s3, bucket, "mp.csv", "SELECT COUNT(*) FROM S3Object", source={"CSV": {}})
    assert records(events) == b"600001\n"


# -- errors before the stream: S3's XML errors ----------------------------------------------------

MISSING = ("MissingRequiredParameter",
           "The SelectRequest entity is missing a required parameter. Check the service documentation and try again.")
INVALID = ("InvalidRequestParameter",
           "The value of a parameter in SelectRequest element is invalid. Check the service API documentation and "
           "try again.")
SCAN_UNSUPPORTED = ("UnsupportedScanRangeInput", "Scan range queries are not supported on this type of object.")
BAD_SCAN = ("InvalidScanRange", "The provided scan range is invalid. Check the service documentation and try again.")


@pytest.mark.parametrize("changes, expected", [
    ({"ExpressionType": "XPATH"},
     ("InvalidExpressionType", "The ExpressionType is invalid. Only SQL expressions are supported at this time.")),
    ({"Expression": "SELECT '" + "x" * (256 * 1024) + "' FROM S3Object"},
     ("ExpressionTooLong",
      "The SQL expression is too long: The maximum byte-length for the SQL expression is 256 KB.")),
    ({"InputSerialization": {"CompressionType": "NONE"}}, MISSING),
    ({"InputSerialization": {"CSV": {}, "JSON": {"Type": "LINES"}}},
     ("ObjectSerializationConflict",
      "The SelectRequest entity can only contain one of CSV, JSON or Parquet. Check the service documentation and "
      "try again.")),
    ({"InputSerialization": {"CSV": {}, "CompressionType": "ZIP"}},
     ("InvalidCompressionFormat",
      "The file is not in a supported compression format. Only GZIP and BZIP2 are supported.")),
    ({"InputSerialization": {"Parquet": {}, "CompressionType": "GZIP"}},
     ("InvalidCompressionFormat",
      "The file is not in a supported compression format. Only GZIP and BZIP2 are supported.")),
    ({"InputSerialization": {"CSV": {"FileHeaderInfo": "FIRST"}}},
     ("InvalidFileHeaderInfo", "The FileHeaderInfo is invalid. Only NONE, USE, and IGNORE are supported.")),
    ({"InputSerialization": {"JSON": {"Type": "BLOB"}}},
     ("InvalidJsonType", "The JsonType is invalid. Only DOCUMENT and LINES are supported at this time.")),
    ({"InputSerialization": {"CSV": {"FieldDelimiter": "::"}}}, INVALID),
    ({"InputSerialization": {"CSV": {"QuoteCharacter": ""}}}, INVALID),
    ({"OutputSerialization": {"CSV": {"QuoteFields": "NEVER"}}},
     ("InvalidQuoteFields", "The QuoteFields is invalid. Only ALWAYS and ASNEEDED are supported.")),
    ({"OutputSerialization": {"CSV": {}, "JSON": {}}},
     ("ObjectSerializationConflict",
      "The SelectRequest entity can only contain one of CSV, JSON or Parquet. Check the service documentation and "
      "try again.")),
    ({"OutputSerialization": {}}, MISSING),
    ({"ScanRange": {}}, BAD_SCAN),
    ({"ScanRange": {"Start": 10, "End": 2}}, BAD_SCAN),
    ({"ScanRange": {"Start": 0}, "InputSerialization": {"CSV": {}, "CompressionType": "GZIP"}}, SCAN_UNSUPPORTED),
    ({"ScanRange": {"Start": 0}, "InputSerialization": {"JSON": {"Type": "DOCUMENT"}}}, SCAN_UNSUPPORTED),
    ({"ScanRange": {"Start": 0}, "InputSerialization": {"CSV": {"AllowQuotedRecordDelimiter": True}}},
     SCAN_UNSUPPORTED),
])
def test_request_errors(s3, bucket, changes, expected):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV)
    request = {"Bucket": bucket, "Key": "people.csv", "Expression": "SELECT * FROM S3Object",
               "ExpressionType": "SQL", "InputSerialization": CSV_IN, "OutputSerialization": CSV_OUT, **changes}
    with pytest.raises(ClientError) as exc:
        s3.select_object_content(**request)
    assert error_of(exc) == (400, *expected)


def test_sql_is_checked_before_the_object(s3, bucket):
    with pytest.raises(ClientError) as exc:
        select(s3, bucket, "no-such-key", "SELECT FROM WHERE")
    status, code, _ = error_of(exc)
    assert status == 400 and code.startswith("Parse")
    with pytest.raises(ClientError) as exc:
        select(s3, bucket, "no-such-key", "SELECT * FROM S3Object")
    assert error_of(exc) == (404, "NoSuchKey", "The specified key does not exist.")
    with pytest.raises(ClientError) as exc:
        select(s3, "no-such-bucket", "k", "SELECT * FROM S3Object")
    assert error_of(exc)[:2] == (404, "NoSuchBucket")


def test_missing_expression_on_the_wire(s3, bucket, endpoint):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV)
    body = ('<SelectObjectContentRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            "<ExpressionType>SQL</ExpressionType><InputSerialization><CSV/></InputSerialization>"
            "<OutputSerialization><CSV/></OutputSerialization></SelectObjectContentRequest>")
    response = send(endpoint, "POST", f"/{bucket}/people.csv?select&select-type=2", body.encode())
    assert response.status_code == 400
    assert b"<Code>MissingRequiredParameter</Code>" in response.content


def test_anonymous_callers_are_refused(s3, bucket, endpoint):
    import requests

    s3.put_object(Bucket=bucket, Key="people.csv", Body=CSV)
    response = requests.post(f"{endpoint}/{bucket}/people.csv?select&select-type=2",
                             data=SELECT_XML.format(expression="SELECT * FROM S3Object").encode(), timeout=30)
    assert response.status_code == 403
    assert b"<Code>AccessDenied</Code>" in response.content


def test_archived_object_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cold.csv", Body=CSV, StorageClass="GLACIER")
    with pytest.raises(ClientError) as exc:
        select(s3, bucket, "cold.csv", "SELECT * FROM S3Object")
    assert error_of(exc) == (403, "InvalidObjectState", "The operation is not valid for the object's storage class")


def test_two_character_record_delimiters_on_the_wire(s3, bucket, endpoint):
    # boto3 writes CR LF raw into the XML body, where any XML parser reads it as LF; a client
    # that needs CR LF writes it as character references
    s3.put_object(Bucket=bucket, Key="crlf.csv", Body=b"a;b\r\nc;d\r\n")
    body = ('<SelectObjectContentRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            "<Expression>SELECT s._2, s._1 FROM S3Object s</Expression><ExpressionType>SQL</ExpressionType>"
            "<InputSerialization><CSV><RecordDelimiter>&#13;&#10;</RecordDelimiter>"
            "<FieldDelimiter>;</FieldDelimiter></CSV></InputSerialization>"
            "<OutputSerialization><CSV><RecordDelimiter>&#13;&#10;</RecordDelimiter></CSV></OutputSerialization>"
            "</SelectObjectContentRequest>")
    response = send(endpoint, "POST", f"/{bucket}/crlf.csv?select&select-type=2", body.encode())
    assert response.status_code == 200
    assert _messages(response.content)[0][1] == b"b,a\r\nd,c\r\n"


# -- keep-alives: the stream's worker side, without a server ------------------------------------

def _slow_events():
    import time as _time

    _time.sleep(0.4)  # a long scan that has found nothing yet
    yield {"Records": {"Payload": b"late\n"}}


def _drain(progress: bool) -> list[dict]:
    import asyncio

    from overcast.services.s3.select.events import in_worker
    from overcast.services.s3.select.source import Counts

    async def collect():
        return [event async for event in in_worker(_slow_events(), Counts(), progress, keepalive=0.05)]

    return asyncio.run(collect())


def test_long_scan_sends_cont_then_records():
    events = _drain(progress=False)
    assert events[-1] == {"Records": {"Payload": b"late\n"}}
    assert events[:-1] and all(event == {"Cont": {}} for event in events[:-1])


def test_long_scan_with_request_progress_sends_progress():
    events = _drain(progress=True)
    assert events[:-1] and all("Progress" in event for event in events[:-1])
    assert events[0]["Progress"]["Details"] == {"BytesScanned": 0, "BytesProcessed": 0, "BytesReturned": 0}


def test_client_going_away_stops_the_scan():
    import asyncio
    import time as _time

    from overcast.services.s3.select.events import in_worker
    from overcast.services.s3.select.source import Counts, counted

    counts, read = Counts(), []

    def chunks():
        for i in range(1000):
            _time.sleep(0.01)
            read.append(i)
            yield b"x"

    def events():
        yield {"Records": {"Payload": b"first\n"}}
        for _ in counted(chunks(), counts, "scanned"):
            pass
        yield {"Records": {"Payload": b"never\n"}}

    async def go():
        stream = in_worker(events(), counts, False, keepalive=0.05)
        assert await stream.__anext__() == {"Records": {"Payload": b"first\n"}}
        assert await stream.__anext__() == {"Cont": {}}  # the scan is under way
        await stream.aclose()  # the client went away

    asyncio.run(go())
    _time.sleep(0.2)  # the step in flight sees the flag at its next chunk
    stopped_at = len(read)
    _time.sleep(0.1)
    assert counts.cancelled and len(read) == stopped_at < 1000


def test_records_events_are_at_most_one_mebibyte(s3, bucket):
    body = b"".join(b"%07d,%s\n" % (i, b"y" * 200) for i in range(12_000))  # one 2.5 MB batch of output
    s3.put_object(Bucket=bucket, Key="wide.csv", Body=body)
    events = select(s3, bucket, "wide.csv", "SELECT * FROM S3Object", source={"CSV": {}})
    sizes = [len(e["Records"]["Payload"]) for e in events if "Records" in e]
    assert max(sizes) <= 1024 * 1024 and b"".join(e["Records"]["Payload"] for e in events if "Records" in e) == body
