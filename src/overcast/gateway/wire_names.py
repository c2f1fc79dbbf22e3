"""Header names as S3 writes them on the wire: ``ETag``, ``Last-Modified``, ``Content-Type``,
``Server``... capitalised; ``x-amz-*`` (user metadata included) in lower case.

HTTP names are case-insensitive, but hand-written clients and recorded comparisons are not
always. The protocol layer keeps names in lower case (one spelling to look up); they are
spelt S3's way only when the response is written, from a cache, so a response pays one
dictionary lookup per header, as it did before.

The HTTP server (uvicorn with httptools) lowers every name it writes; a ``WireName`` is a
name whose ``lower()`` is itself, so it goes out as spelt. The three names the server must
recognise (Content-Length, Transfer-Encoding, Connection) also compare equal to their
lower-case form, so it still frames the body by them.
"""

from __future__ import annotations


class WireName(bytes):
    """A header name written as spelt (its ``lower()`` is itself)."""

    __slots__ = ()

    def lower(self):
        return self


class _FramingWireName(WireName):
    """A framing header name: equal to its lower-case spelling, as the server compares it."""

    __slots__ = ()

    def __eq__(self, other):
        return bytes.lower(self) == other

    def __ne__(self, other):
        return bytes.lower(self) != other

    __hash__ = bytes.__hash__


_FRAMING = ("content-length", "transfer-encoding", "connection")
_SPECIAL = {"etag": "ETag", "content-md5": "Content-MD5"}
_S3_NAMES: dict[str, bytes] = {}


def s3_spelling(name: str) -> str:
    """``name`` (any case) as S3 spells it."""
    lower = name.lower()
    if lower.startswith("x-amz-"):
        return lower
    special = _SPECIAL.get(lower)
    if special is not None:
        return special
    return "-".join(part[:1].upper() + part[1:] for part in lower.split("-"))


def s3_wire_name(name: str) -> bytes:
    """The bytes to write for header ``name`` of an S3 response (cached)."""
    encoded = _S3_NAMES.get(name)
    if encoded is None:
        spelt = s3_spelling(name).encode("latin-1")
        encoded = (_FramingWireName if name.lower() in _FRAMING else WireName)(spelt)
        if len(_S3_NAMES) < 4096:
            _S3_NAMES[name] = encoded
    return encoded


S3_WIRE_NAMES = _S3_NAMES
