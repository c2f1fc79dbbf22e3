"""A streaming reader of S3's browser upload form (``multipart/form-data``, RFC 7578).

The fields before the ``file`` field are read into memory (S3 caps them at 20 KB); the file's
bytes are handed on chunk by chunk, never held whole, so a 5 GB browser upload costs no more
memory than a small one. S3 requires the file to be the last field and ignores anything
after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.errors import AwsError

# "The form data and boundaries (excluding the contents of the file) cannot exceed 20 KB."
# (S3 API reference, "HTML forms")
MAX_PRE_DATA = 20 * 1024

_PARAM = re.compile(r';\s*([A-Za-z0-9_*\-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def malformed() -> AwsError:
    return AwsError("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.",
                    400)


def too_much_pre_data() -> AwsError:
    return AwsError("MaxPostPreDataLengthExceededError",
                    "Your POST request fields preceeding the upload file was too large.", 400,
                    fields={"MaxPostPreDataLength": str(MAX_PRE_DATA)})


def boundary_of(content_type: str) -> bytes | None:
    """The ``boundary`` parameter of a ``multipart/form-data`` Content-Type, or None."""
    kind, _, _ = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for name, value in _PARAM.findall(content_type[len(kind):]):
        if name.lower() == "boundary":
            value = value.strip()
            if value.startswith('"') and value.endswith('"') and len(value) >= 2:
                value = value[1:-1]
            # RFC 2046: 1 to 70 characters
            return value.encode("latin-1") if 0 < len(value) <= 70 else None
    return None


@dataclass(slots=True)
class FilePart:
    """The ``file`` field's part headers (its bytes follow, read with ``file_chunks``)."""

    filename: str
    content_type: str | None


def _part_headers(block: bytes) -> dict[str, str]:
    headers = {}
    for line in block.split(b"\r\n"):
        if not line.strip():
            continue
        name, colon, value = line.partition(b":")
        if not colon:
            raise malformed()
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("utf-8", "replace")
    return headers


def _disposition(value: str) -> dict[str, str]:
    kind, _, rest = value.partition(";")
    if kind.strip().lower() != "form-data":
        raise malformed()
    params = {}
    for name, raw in _PARAM.findall(";" + rest):
        raw = raw.strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[name.lower()] = raw
    return params


class FormReader:
    """Reads a form body (an async iterable of byte chunks) part by part."""

    def __init__(self, source, boundary: bytes):
        self._chunks = source.__aiter__()
        self._delimiter = b"\r\n--" + boundary
        self._buffer = bytearray()
        self._eof = False
        self._consumed = 0  # bytes of fields and boundaries so far (the 20 KB rule)

    async def _fill(self) -> bool:
        """Read one more chunk into the buffer; False at the end of the body."""
        if self._eof:
            return False
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    async def _find(self, needle: bytes, start: int = 0, limit: int = MAX_PRE_DATA) -> int:
        """Index of ``needle`` in the buffer, reading more as needed (fields only: bounded)."""
        while True:
            found = self._buffer.find(needle, start)
            if found >= 0:
                return found
            if self._consumed + len(self._buffer) > limit:
                raise too_much_pre_data()
            if not await self._fill():
                raise malformed()

    def _take(self, count: int) -> bytes:
        taken = bytes(self._buffer[:count])
        del self._buffer[:count]
        self._consumed += count
        return taken

    async def _after_delimiter(self) -> bool:
        """Past a delimiter: True if another part follows, False at the closing ``--``."""
        while len(self._buffer) < 2:
            if not await self._fill():
                raise malformed()
        if self._buffer[:2] == b"--":
            return False
        end = await self._find(b"\r\n")
        if self._buffer[:end].strip(b" \t"):
            raise malformed()
        self._take(end + 2)
        return True

    async def read_fields(self) -> tuple[list[tuple[str, str]], FilePart | None]:
        """The fields before the file, in order, and the file part (None if the form has none).

        After it returns a file part, ``file_chunks`` yields the file's bytes.
        """
        # The body starts with the first boundary (a preamble before it is allowed).
        self._buffer += b"\r\n"  # so the first delimiter looks like every other
        self._consumed -= 2
        start = await self._find(self._delimiter)
        self._take(start + len(self._delimiter))
        fields: list[tuple[str, str]] = []
        while await self._after_delimiter():
            end = await self._find(b"\r\n\r\n")
            headers = _part_headers(self._take(end + 4)[:-4])
            params = _disposition(headers.get("content-disposition", ""))
            name = params.get("name")
            if name is None:
                raise malformed()
            if name.lower() == "file":
                return fields, FilePart(params.get("filename", ""), headers.get("content-type"))
            end = await self._find(self._delimiter)
            value = self._take(end)
            self._take(len(self._delimiter))
            fields.append((name, value.decode("utf-8", "replace")))
            if self._consumed > MAX_PRE_DATA:
                raise too_much_pre_data()
        return fields, None

    async def file_chunks(self):
        """The file's bytes, up to the next delimiter, as they arrive."""
        delimiter = self._delimiter
        keep = len(delimiter) - 1  # a delimiter may straddle two chunks
        while True:
            found = self._buffer.find(delimiter)
            if found >= 0:
                if found:
                    yield bytes(self._buffer[:found])
                del self._buffer[: found + len(delimiter)]
                return
            if len(self._buffer) > keep:
                cut = len(self._buffer) - keep
                yield bytes(self._buffer[:cut])
                del self._buffer[:cut]
            if not await self._fill():
                raise malformed()

    async def discard_rest(self, limit: int | None = None) -> None:
        """Read (and drop) what is left of the body: fields after the file, which S3 ignores,
        or the rest of a refused upload (so the client sees the answer, not a reset). Stops
        after ``limit`` bytes."""
        read = 0
        self._buffer.clear()
        while await self._fill():
            read += len(self._buffer)
            self._buffer.clear()
            if limit is not None and read > limit:
                return
