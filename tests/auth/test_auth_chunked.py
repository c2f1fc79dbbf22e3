"""aws-chunked bodies: botocore's unsigned-trailer framing and signed chunks built per AWS's
documented algorithm, decoded over arbitrary splits; tampering, truncation and bad lengths."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import zlib

import pytest
from auth_helpers import ENDPOINT, FIXED, credentials, ctx, freeze_botocore, make_auth, to_http
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum
from hypothesis import given, settings
from hypothesis import strategies as st

from overcast.auth.chunked import ChunkParser, decode_chunked
from overcast.errors import AwsError

S3 = ctx("s3", "rest-xml", "PutObject")
EMPTY = hashlib.sha256(b"").hexdigest()


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    freeze_botocore(monkeypatch)


def crc32_b64(data: bytes) -> str:
    return base64.b64encode((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")).decode()


def botocore_chunked(payload: bytes, chunk_size: int, checksum: bool = True) -> bytes:
    wrapper = AwsChunkedWrapper(
        io.BytesIO(payload),
        checksum_cls=Crc32Checksum if checksum else None,
        checksum_name="x-amz-checksum-crc32",
        chunk_size=chunk_size,
    )
    return wrapper.read()


async def _aiter(pieces):
    for piece in pieces:
        yield piece


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


async def _drain(body):
    return b"".join([piece async for piece in body])


def hmac_hex(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def signing_key(secret="test", date="20231114", region="us-east-1", service="s3") -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signed_upload(payload: bytes, chunk_size: int = 8192, trailer: bool = False, secret: str = "test"):
    """A PUT with a STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] body, per the AWS docs:
    the seed signature from botocore, each chunk's signature chained from the previous."""
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" + ("-TRAILER" if trailer else "")
    headers = {
        "X-Amz-Content-SHA256": mode,
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(payload)),
    }
    if trailer:
        headers["X-Amz-Trailer"] = "x-amz-checksum-crc32"
    request = AWSRequest("PUT", ENDPOINT + "/bucket/key", headers=headers)
    # S3SigV4Auth would replace the content hash with a real one; sign with it preset.
    signer = S3SigV4Auth(credentials(secret=secret), "s3", "us-east-1")
    signer.payload = lambda request: mode
    signer.add_auth(request)
    http = to_http(request)
    seed = http.headers["authorization"].rsplit("Signature=", 1)[1]
    key = signing_key(secret)
    scope = "20231114/us-east-1/s3/aws4_request"
    amz_date = http.headers["x-amz-date"]
    previous = seed
    wire = bytearray()
    for chunk in [*split(payload, chunk_size), b""] if payload else [b""]:
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, EMPTY, hashlib.sha256(chunk).hexdigest()]
        )
        previous = hmac_hex(key, to_sign)
        wire += f"{len(chunk):x};chunk-signature={previous}\r\n".encode()
        if chunk:
            wire += chunk + b"\r\n"
    if trailer:
        canonical = f"x-amz-checksum-crc32:{crc32_b64(payload)}\n"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        wire += canonical.replace("\n", "\r\n").encode()
        wire += f"x-amz-trailer-signature:{hmac_hex(key, to_sign)}\r\n".encode()
    wire += b"\r\n"
    return http, bytes(wire)


def read_upload(http, wire: bytes, piece_size: int = 1000, strict: bool = True):
    async def go():
        auth = make_auth(strict=strict)
        http.stream = auth.wrap_stream(None, http.headers, _aiter(split(wire, piece_size)))
        info = auth.inspect(http.method, http.query_string, http.headers)
        auth.authenticate(info, http, S3)
        data = await _drain(http.stream)
        return data, http.stream.trailers

    return asyncio.run(go())


@pytest.mark.parametrize("size", [0, 1, 100, 65536, 200_001])
def test_botocore_unsigned_trailer_body(size):
    payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    wire = botocore_chunked(payload, 65536)
    headers = {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "content-encoding": "aws-chunked",
        "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-decoded-content-length": str(size),
    }
    body = make_auth(strict=False).wrap_stream(None, headers, _aiter(split(wire, 7000)))
    assert asyncio.run(_drain(body)) == payload
    assert body.trailers == {"x-amz-checksum-crc32": crc32_b64(payload)}
    assert body.decoded_length == size


@settings(max_examples=60, deadline=None)
@given(payload=st.binary(max_size=3000), chunk=st.integers(1, 700), cuts=st.lists(st.integers(0, 4000), max_size=12))
def test_any_split_of_the_wire_decodes_the_same(payload, chunk, cuts):
    wire = botocore_chunked(payload, chunk)
    parser = ChunkParser(declared_length=len(payload))
    out = []
    start = 0
    for cut in sorted(set(c for c in cuts if c < len(wire))) + [len(wire)]:
        out += parser.feed(wire[start:cut])
        start = cut
    parser.finish()
    assert b"".join(out) == payload
    assert parser.trailers["x-amz-checksum-crc32"] == crc32_b64(payload)


def test_botocore_body_without_checksum():
    payload, trailers = decode_chunked(botocore_chunked(b"abc" * 10, 7, checksum=False), declared_length=30)
    assert (payload, trailers) == (b"abc" * 10, {})


@pytest.mark.parametrize("trailer", [False, True])
@pytest.mark.parametrize("piece", [1, 13, 8200, 100_000])
def test_signed_chunks_verify(trailer, piece):
    payload = b"0123456789abcdef" * 1500  # 24000 bytes: 8192 + 8192 + 7616
    http, wire = signed_upload(payload, trailer=trailer)
    data, trailers = read_upload(http, wire, piece)
    assert data == payload
    assert trailers == ({"x-amz-checksum-crc32": crc32_b64(payload)} if trailer else {})


def test_signed_empty_body_verifies():
    http, wire = signed_upload(b"")
    assert read_upload(http, wire)[0] == b""


@pytest.mark.parametrize("where", ["data", "signature", "trailer"])
def test_tampered_signed_chunks_are_rejected(where):
    payload = b"z" * 20000
    http, wire = signed_upload(payload, trailer=True)
    if where == "data":
        wire = wire.replace(b"zzzz", b"zzzy", 1)
    elif where == "signature":
        index = wire.index(b"chunk-signature=") + len(b"chunk-signature=")
        wire = wire[:index] + (b"0" if wire[index : index + 1] != b"0" else b"1") + wire[index + 1 :]
    else:
        wire = wire.replace(b"x-amz-checksum-crc32:", b"x-amz-checksum-crc32:A", 1)
    with pytest.raises(AwsError) as caught:
        read_upload(http, wire)
    assert caught.value.code == "SignatureDoesNotMatch"
    # open mode removes the framing without checking signatures
    if where != "data":
        assert read_upload(http, wire, strict=False)[0] == payload


def test_wrong_seed_signature_is_rejected_before_reading():
    http, wire = signed_upload(b"a" * 10, secret="other")
    with pytest.raises(AwsError) as caught:
        read_upload(http, wire)
    assert caught.value.code == "SignatureDoesNotMatch"


def test_small_signed_chunks_are_refused_in_strict_mode():
    payload = b"q" * 3000
    http, wire = signed_upload(payload, chunk_size=1000)
    with pytest.raises(AwsError) as caught:
        read_upload(http, wire)
    assert caught.value.code == "InvalidChunkSizeError"
    assert read_upload(http, wire, strict=False)[0] == payload


@pytest.mark.parametrize("cut", [1, 5, 30, 100, 8300, -3, -1])
def test_truncated_bodies_never_hang(cut):
    http, wire = signed_upload(b"t" * 9000)
    with pytest.raises(AwsError) as caught:
        read_upload(http, wire[:cut] if cut > 0 else wire[:cut])
    assert caught.value.code in ("IncompleteBody", "InvalidRequest")
    assert 400 <= caught.value.status < 500


def test_decoded_length_must_match():
    wire = botocore_chunked(b"hello", 2)
    with pytest.raises(AwsError) as caught:
        decode_chunked(wire, declared_length=6)
    assert caught.value.code == "IncompleteBody"
    assert caught.value.fields == {"NumberBytesExpected": "6", "NumberBytesProvided": "5"}
    with pytest.raises(AwsError) as caught:
        decode_chunked(wire, declared_length=4)
    assert caught.value.code == "IncompleteBody"  # longer or shorter: S3 answers alike
    with pytest.raises(AwsError) as caught:
        make_auth().wrap_stream(None, {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-decoded-content-length": "x"}, _aiter([]))
    assert (caught.value.code, caught.value.status) == ("MissingContentLength", 411)


@pytest.mark.parametrize(
    "wire",
    [
        b"zz\r\nab\r\n0\r\n\r\n",  # size is not hex
        b"0x2\r\nab\r\n0\r\n\r\n",  # nor a Python literal
        b"2\r\nabXY0\r\n\r\n",  # data not followed by CRLF
        b"2\r\nab\r\n0\r\nnot a header\r\n\r\n",  # trailer without a colon
        b"2\r\nab\r\n0\r\n\r\nextra",  # bytes after the end
        b"f" * 5000,  # a header line without end
    ],
)
def test_malformed_framing_is_a_4xx(wire):
    with pytest.raises(AwsError) as caught:
        decode_chunked(wire)
    assert caught.value.status == 400


def test_declared_trailer_must_arrive():
    headers = {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-sha256",
    }
    body = make_auth().wrap_stream(None, headers, _aiter([botocore_chunked(b"abc", 10)]))
    with pytest.raises(AwsError) as caught:
        asyncio.run(_drain(body))
    assert caught.value.code == "InvalidRequest"


def test_plain_streams_pass_through():
    body = make_auth().wrap_stream(None, {}, _aiter([b"a", b"bc"]))
    assert asyncio.run(_drain(body)) == b"abc"
    assert body.trailers == {}


def test_non_streaming_operation_with_chunked_body_is_decoded_in_memory():
    payload = b"w" * 9000
    http, wire = signed_upload(payload)
    http.body = wire
    auth = make_auth()
    auth.authenticate(auth.inspect(http.method, http.query_string, http.headers), http, S3)
    assert http.body == payload
    assert FIXED  # signed at the fixed instant the clock shows
