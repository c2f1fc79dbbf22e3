"""Connection limits (gateway/http_protocol.py): a header section beyond S3's 8 KB is refused
before it is held in memory, and connections that never finish their headers, or stop
sending a body, are closed, so they cannot lock new clients out. Timeouts are shortened
through their settings so the test runs fast."""

from __future__ import annotations

import http.client
import socket
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

TIMEOUTS = {"OVERCAST_HEADER_TIMEOUT_SECONDS": "1", "OVERCAST_BODY_TIMEOUT_SECONDS": "1",
            "OVERCAST_IDLE_TIMEOUT_SECONDS": "1"}


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("limits")), env=TIMEOUTS).start()
    yield proc
    proc.stop()


def _s3(proc):
    return boto3.session.Session().client("s3", endpoint_url=proc.endpoint, region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test",
                                          config=Config(retries={"max_attempts": 1}))


def _connect(proc) -> socket.socket:
    return socket.create_connection(("127.0.0.1", proc.port), timeout=10)


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (the test's 10 s socket
    timeout bounds a server that never would)."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _assert_header_section_too_large(answer: bytes) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in body
    assert b"<Message>Your request header section exceeds the maximum allowed size.</Message>" in body
    assert b"<MaxSizeAllowed>8192</MaxSizeAllowed>" in body


def test_a_header_section_beyond_8_kb_is_refused_as_s3_refuses_it(limited):
    sock = _connect(limited)
    try:
        sock.sendall(b"GET /bucket/key HTTP/1.1\r\nHost: localhost\r\n"
                     + b"".join(b"X-Pad-%d: %s\r\n" % (n, b"p" * 1000) for n in range(9)) + b"\r\n")
        answer = _read_all(sock)
    finally:
        sock.close()
    _assert_header_section_too_large(answer)
    _s3(limited).list_buckets()  # the server serves on


def test_an_endless_header_is_refused_before_it_is_held(limited):
    """A header that never ends: refused once its bytes pass the cap, not buffered whole."""
    sock = _connect(limited)
    try:
        sock.sendall(b"GET /bucket/key HTTP/1.1\r\nHost: localhost\r\nX-Big: ")
        for _ in range(64):  # up to 4 MiB; the server answers after about 90 KB
            try:
                sock.sendall(b"x" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                break
        answer = _read_all(sock)
    finally:
        sock.close()
    _assert_header_section_too_large(answer)
    _s3(limited).list_buckets()


def test_headers_within_8_kb_are_served(limited):
    conn = http.client.HTTPConnection("127.0.0.1", limited.port, timeout=10)
    conn.request("GET", "/_overcast/health", headers={"X-Pad": "p" * 7000})
    assert conn.getresponse().status == 200
    conn.close()


def test_connections_that_never_finish_their_headers_are_closed(limited):
    stalled = []
    for number in range(300):
        sock = _connect(limited)
        if number % 2:  # half send part of a head, half nothing at all
            sock.sendall(b"PUT /bucket/key HTTP/1.1\r\nHost: localhost\r\n")
        stalled.append(sock)
    try:
        for sock in stalled:
            assert _read_all(sock) == b""  # closed by the server, nothing answered
    finally:
        for sock in stalled:
            sock.close()
    _s3(limited).list_buckets()


def test_a_body_that_stops_arriving_ends_the_request_and_stores_nothing(limited):
    s3 = _s3(limited)
    s3.create_bucket(Bucket="stalled-bodies")
    sock = _connect(limited)
    try:
        sock.sendall(b"PUT /stalled-bodies/half HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n"
                     + b"h" * 10)
        head, _, body = _read_all(sock).partition(b"\r\n\r\n")  # S3 says why, then closes
        assert head.startswith(b"HTTP/1.1 400 ")
        assert b"\r\nconnection: close" in head.lower()
        assert b"<Code>RequestTimeout</Code>" in body
        assert (b"<Message>Your socket connection to the server was not read from or written to within the "
                b"timeout period. Idle connections will be closed.</Message>") in body
    finally:
        sock.close()
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket="stalled-bodies", Key="half")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_another_services_stalled_body_just_ends_the_connection(limited):
    sock = _connect(limited)
    try:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n"
                     b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 100\r\n\r\n{")
        assert _read_all(sock) == b""
    finally:
        sock.close()


def test_a_slow_but_steady_body_is_not_cut(limited):
    s3 = _s3(limited)
    s3.create_bucket(Bucket="slow-bodies")
    sock = _connect(limited)
    try:
        sock.sendall(b"PUT /slow-bodies/steady HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n"
                     b"Connection: close\r\n\r\n")
        for piece in (b"ab", b"cd", b"ef"):  # a pause shorter than the body timeout each time
            time.sleep(0.2)
            sock.sendall(piece)
        assert _read_all(sock).startswith(b"HTTP/1.1 200 ")
    finally:
        sock.close()
    assert s3.get_object(Bucket="slow-bodies", Key="steady")["Body"].read() == b"abcdef"


def test_an_idle_kept_alive_connection_is_closed(limited):
    conn = http.client.HTTPConnection("127.0.0.1", limited.port, timeout=10)
    conn.request("GET", "/_overcast/health")
    assert conn.getresponse().read()
    assert _read_all(conn.sock) == b""  # the server closed it after the idle timeout
    conn.close()


def test_a_large_body_sent_with_its_head_in_one_write_is_served(limited):
    """The head's byte count stops where the head ends: a body in the same read is not head."""
    s3 = _s3(limited)
    s3.create_bucket(Bucket="one-write")
    body = b"b" * (1024 * 1024)
    sock = _connect(limited)
    try:
        sock.sendall(b"PUT /one-write/big HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n" % len(body) + body)
        assert _read_all(sock).startswith(b"HTTP/1.1 200 ")
    finally:
        sock.close()
    assert s3.get_object(Bucket="one-write", Key="big")["Body"].read() == body


def _answer(sock: socket.socket) -> bytes:
    """One whole answer with a Content-Length on a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_a_kept_alive_connection_serves_requests_past_the_header_timeout(limited):
    """The head timer runs per connection, not per request: heads finished in time keep the
    connection open however long it lives."""
    sock = _connect(limited)
    try:
        started = time.monotonic()
        while time.monotonic() - started < 1.6:  # past the 1 s header timeout, idle gaps under 1 s
            sock.sendall(b"GET /_overcast/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert _answer(sock).startswith(b"HTTP/1.1 200 ")
            time.sleep(0.25)
    finally:
        sock.close()


def test_a_later_requests_stalled_head_or_body_on_a_kept_alive_connection_is_cut(limited):
    s3 = _s3(limited)
    s3.create_bucket(Bucket="kept-alive")
    put = b"PUT /kept-alive/%s HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\n"
    sock = _connect(limited)
    try:  # a head that stops, after a first request served
        sock.sendall(put % b"first" + b"body")
        assert _answer(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"PUT /kept-alive/second HTTP/1.1\r\nHost: localhost\r\n")
        assert _read_all(sock) == b""
    finally:
        sock.close()
    sock = _connect(limited)
    try:  # a body that stops, after a first body received in full
        sock.sendall(put % b"third" + b"body")
        assert _answer(sock).startswith(b"HTTP/1.1 200 ")
        sock.sendall(put % b"fourth" + b"bo")
        head, _, body = _read_all(sock).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 ") and b"<Code>RequestTimeout</Code>" in body
    finally:
        sock.close()
    assert [item["Key"] for item in s3.list_objects_v2(Bucket="kept-alive")["Contents"]] == ["first", "third"]
