"""Streamed request bodies as services read them: framing removed, checks run at the end.

``wrap_body`` gives a ``ChunkedBody`` for ``aws-chunked`` uploads and a ``PlainBody``
otherwise. Both are async iterables of payload bytes with ``trailers`` (empty for plain
bodies) and ``decoded_length``, so a service reads every streamed upload the same way::

    async for piece in request.stream: ...
    checksum = request.stream.trailers.get("x-amz-checksum-crc32")
"""

from __future__ import annotations

from hashlib import sha256

from overcast.auth.chunked import ChunkedBody
from overcast.errors import AwsError


class PlainBody:
    """A streamed body without framing; ``on_complete(sha256_hex)`` runs once it is read.

    Without ``on_complete`` (open mode) iterating is the source's own iteration: no extra
    layer on the upload path.
    """

    __slots__ = ("_source", "trailers", "decoded_length", "on_complete")

    def __init__(self, source, decoded_length: int | None = None):
        self._source = source
        self.trailers: dict[str, str] = {}
        self.decoded_length = decoded_length
        self.on_complete = None

    def __aiter__(self):
        if self.on_complete is None:
            return self._source.__aiter__()
        return self._hashed()

    async def _hashed(self):
        digest = sha256()
        async for piece in self._source:
            digest.update(piece)
            yield piece
        self.on_complete(digest.hexdigest())


def wrap_body(headers: dict[str, str], source) -> PlainBody | ChunkedBody:
    """The streamed body of a request, decoding aws-chunked framing when the headers say so."""
    content_sha256 = headers.get("x-amz-content-sha256", "")
    if not content_sha256.startswith("STREAMING-"):
        return PlainBody(source)
    return ChunkedBody(source, content_sha256, decoded_content_length(headers), declared_trailers(headers))


def decoded_content_length(headers: dict[str, str]) -> int | None:
    """``x-amz-decoded-content-length`` as a number (None when absent)."""
    raw = headers.get("x-amz-decoded-content-length")
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isdigit():
        # what S3 answers for a length it cannot read
        raise AwsError("MissingContentLength", "You must provide the Content-Length HTTP header.", 411)
    return int(raw)


def declared_trailers(headers: dict[str, str]) -> tuple[str, ...]:
    """The trailing headers ``x-amz-trailer`` announces, lower-cased."""
    raw = headers.get("x-amz-trailer", "")
    return tuple(name.strip().lower() for name in raw.split(",") if name.strip())
