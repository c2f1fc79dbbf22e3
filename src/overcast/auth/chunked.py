"""The ``aws-chunked`` content encoding of streamed uploads.

A body sent with ``x-amz-content-sha256: STREAMING-...`` is framed as chunks::

    <hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n ... 0[;chunk-signature=<sig>]\\r\\n
    [<trailer>:<value>\\r\\n ... [x-amz-trailer-signature:<sig>\\r\\n]]\\r\\n

Signed variants chain each chunk's signature from the previous one, starting at the seed
signature of the request's Authorization header (AWS: "Signature calculations for the
Authorization header: Transferring payload in multiple chunks"). ``ChunkParser`` is an
incremental, synchronous decoder: it holds at most one header line between calls and passes
data through as slices of what it is fed, so memory stays bounded whatever the chunk size.
``ChunkedBody`` drives it over an async byte stream.
"""

from __future__ import annotations

import hmac
import re
from hashlib import sha256

from overcast.auth.sigv4 import EMPTY_SHA256
from overcast.errors import AwsError

# A chunk header or trailer line longer than this is malformed: without the bound a client
# could make us buffer without end while we look for its line break.
MAX_LINE = 4096
# SigV4 streaming: every chunk but the last carries at least 8 KiB (S3 answers
# InvalidChunkSizeError otherwise); enforced in strict mode only.
MIN_SIGNED_CHUNK = 8192

_HEX_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
_HEAD, _DATA, _DATA_END, _TRAILER, _DONE = range(5)


def malformed(detail: str) -> AwsError:
    return AwsError("InvalidRequest", f"Malformed aws-chunked body: {detail}.", 400)


def incomplete_body(expected: int | None = None, provided: int | None = None) -> AwsError:
    """S3's answer to a payload whose size is not the declared one (x-amz-decoded-content-length
    for aws-chunked bodies), naming both sizes when known."""
    fields = None
    if expected is not None and provided is not None:
        fields = {"NumberBytesExpected": str(expected), "NumberBytesProvided": str(provided)}
    return AwsError(
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header",
        400,
        fields=fields,
    )


class ChunkSignatureChain:
    """Verifies chunk and trailer signatures, each chained from the previous one."""

    __slots__ = ("_key", "_payload_prefix", "_trailer_prefix", "previous", "_mismatch")

    def __init__(self, signing_key: bytes, amz_date: str, scope: str, seed_signature: str, mismatch):
        self._key = signing_key
        self._payload_prefix = f"AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n"
        self._trailer_prefix = f"AWS4-HMAC-SHA256-TRAILER\n{amz_date}\n{scope}\n"
        self.previous = seed_signature
        # mismatch(string_to_sign, provided) -> AwsError
        self._mismatch = mismatch

    def check_chunk(self, data_sha256: str, provided: str) -> None:
        to_sign = f"{self._payload_prefix}{self.previous}\n{EMPTY_SHA256}\n{data_sha256}"
        self._check(to_sign, provided)

    def check_trailer(self, canonical_trailers: str, provided: str) -> None:
        digest = sha256(canonical_trailers.encode("utf-8")).hexdigest()
        self._check(f"{self._trailer_prefix}{self.previous}\n{digest}", provided)

    def _check(self, to_sign: str, provided: str) -> None:
        expected = hmac.new(self._key, to_sign.encode("utf-8"), sha256).hexdigest()
        if not hmac.compare_digest(expected, provided):
            raise self._mismatch(to_sign, provided)
        self.previous = provided


class ChunkParser:
    """Incremental aws-chunked decoder: ``feed`` raw bytes, get payload pieces; ``finish``."""

    __slots__ = (
        "state", "pending", "remaining", "decoded", "trailers", "chain", "signed", "declared_length",
        "min_chunk", "_chunk_signature", "_hash", "_chunk_size", "_previous_size", "_trailer_lines",
        "_trailer_signature",
    )

    def __init__(
        self,
        *,
        signed: bool = False,
        chain: ChunkSignatureChain | None = None,
        declared_length: int | None = None,
        min_chunk: int = 0,
    ):
        self.state = _HEAD
        self.pending = b""
        self.remaining = 0
        self.decoded = 0
        self.trailers: dict[str, str] = {}
        self.chain = chain
        self.signed = signed
        self.declared_length = declared_length
        self.min_chunk = min_chunk
        self._chunk_signature = ""
        self._hash = None
        self._chunk_size = 0
        self._previous_size = -1
        self._trailer_lines: list[str] = []
        self._trailer_signature: str | None = None

    def feed(self, data: bytes) -> list[bytes]:
        """The payload bytes in ``data`` (slices of it), after removing the framing."""
        if self.pending:
            data = self.pending + data
            self.pending = b""
        out = []
        i, n = 0, len(data)
        while i < n:
            state = self.state
            if state == _DATA:
                take = self.remaining if self.remaining < n - i else n - i
                part = data if take == n else data[i : i + take]
                if self._hash is not None:
                    self._hash.update(part)
                out.append(part)
                i += take
                self.remaining -= take
                if not self.remaining:
                    self.state = _DATA_END
            elif state == _HEAD or state == _TRAILER:
                j = data.find(b"\n", i)
                if j < 0:
                    self._keep(data, i)
                    break
                end = j - 1 if j > i and data[j - 1] == 13 else j  # drop the CR of CRLF
                line = data[i:end]
                i = j + 1
                if state == _HEAD:
                    self._start_chunk(line)
                else:
                    self._trailer_line(line)
            elif state == _DATA_END:
                if n - i < 2:
                    self.pending = data[i:]
                    break
                if data[i] != 13 or data[i + 1] != 10:
                    raise malformed("chunk data is not followed by CRLF")
                i += 2
                self._end_chunk()
            else:  # _DONE: only line breaks may follow the final blank line
                if data[i:].strip():
                    raise malformed("data after the final chunk")
                break
        return out

    def finish(self) -> None:
        """The stream ended: raise unless it ended exactly where the framing says it ends."""
        if self.state == _TRAILER and not self.pending:
            # Some clients end the trailer section without its final blank line.
            self._complete()
        if self.state != _DONE:
            raise incomplete_body()

    def _keep(self, data: bytes, start: int) -> None:
        rest = data[start:]
        if len(rest) > MAX_LINE:
            raise malformed("chunk header or trailer line too long")
        self.pending = rest

    def _start_chunk(self, line: bytes) -> None:
        size_text, _, extensions = line.partition(b";")
        size_text = size_text.strip()
        if _HEX_SIZE.fullmatch(size_text) is None:
            raise malformed("chunk size is not a hexadecimal number")
        size = int(size_text, 16)
        signature = ""
        if extensions:
            for extension in extensions.split(b";"):
                name, _, value = extension.partition(b"=")
                if name.strip() == b"chunk-signature":
                    signature = value.strip().decode("latin-1")
        if self.signed and self.chain is not None:
            if _SIGNATURE.fullmatch(signature) is None:
                raise malformed("chunk has no chunk-signature")
            if self.min_chunk and 0 <= self._previous_size < self.min_chunk and size:
                raise AwsError(
                    "InvalidChunkSizeError",
                    f"Only the last chunk is allowed to have a size less than {self.min_chunk} bytes",
                    403,
                    fields={"BadChunkSize": str(self._previous_size)},
                )
        if self.declared_length is not None and self.decoded + size > self.declared_length:
            # S3 answers a longer payload as it answers a shorter one
            raise incomplete_body(self.declared_length, self.decoded + size)
        self._chunk_signature = signature
        self._chunk_size = size
        if size:
            self._previous_size = size
            self._hash = sha256() if self.chain is not None else None
            self.remaining = size
            self.state = _DATA
        else:
            if self.chain is not None:
                self.chain.check_chunk(EMPTY_SHA256, signature)
            self.state = _TRAILER

    def _end_chunk(self) -> None:
        self.decoded += self._chunk_size
        if self.chain is not None:
            self.chain.check_chunk(self._hash.hexdigest(), self._chunk_signature)
        self._hash = None
        self.state = _HEAD

    def _trailer_line(self, line: bytes) -> None:
        if not line.strip():
            self._complete()
            return
        if self._trailer_signature is not None:
            raise malformed("trailing header after x-amz-trailer-signature")
        name, colon, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if not colon or not name:
            raise malformed("trailing header is not name:value")
        value = value.strip()
        if name == "x-amz-trailer-signature":
            self._trailer_signature = value
        else:
            self.trailers[name] = value
            self._trailer_lines.append(f"{name}:{value}\n")

    def _complete(self) -> None:
        if self.chain is not None and (self._trailer_lines or self._trailer_signature is not None):
            if self._trailer_signature is None:
                raise malformed("signed trailing headers have no x-amz-trailer-signature")
            self.chain.check_trailer("".join(self._trailer_lines), self._trailer_signature)
        if self.declared_length is not None and self.decoded != self.declared_length:
            raise incomplete_body(self.declared_length, self.decoded)
        self.state = _DONE


class ChunkedBody:
    """An aws-chunked request body as an async iterable of payload bytes.

    ``trailers`` (lower-case name -> value, e.g. ``x-amz-checksum-crc32``) is filled once the
    stream has been read to its end; ``decoded_length`` is ``x-amz-decoded-content-length``.
    In strict mode the authenticator sets ``chain`` (signed variants) and ``min_chunk``
    before the body is read.
    """

    def __init__(self, source, content_sha256: str, decoded_length: int | None, declared_trailers: tuple[str, ...]):
        self._source = source
        self.content_sha256 = content_sha256
        self.signed = "HMAC-SHA256-PAYLOAD" in content_sha256
        self.decoded_length = decoded_length
        self.declared_trailers = declared_trailers
        self.trailers: dict[str, str] = {}
        self.chain: ChunkSignatureChain | None = None
        self.min_chunk = 0

    def __aiter__(self):
        return self._decode()

    async def _decode(self):
        parser = ChunkParser(
            signed=self.signed, chain=self.chain, declared_length=self.decoded_length, min_chunk=self.min_chunk
        )
        self.trailers = parser.trailers
        async for piece in self._source:
            for part in parser.feed(piece):
                yield part
        parser.finish()
        for name in self.declared_trailers:
            if name not in parser.trailers:
                raise AwsError(
                    "InvalidRequest",
                    f"The trailing header {name} declared in x-amz-trailer is missing from the body.",
                    400,
                )


def decode_chunked(body: bytes, **parser_options) -> tuple[bytes, dict[str, str]]:
    """A whole aws-chunked body in memory -> (payload, trailers)."""
    parser = ChunkParser(**parser_options)
    payload = b"".join(parser.feed(body))
    parser.finish()
    return payload, parser.trailers
