"""The object's bytes as a query reads them: decrypted (the store's readers), cut to the
ScanRange at record boundaries, decompressed (GZIP / BZIP2, streamed), with the counts the
Stats event reports (BytesScanned: bytes read from the object; BytesProcessed: bytes after
decompression)."""

from __future__ import annotations

import bz2
import zlib
from collections.abc import Callable, Iterable, Iterator

from . import errors

BLOCK = 1024 * 1024  # bytes handed to a reader at a time: big enough for columnar parsing


class QueryCancelled(Exception):
    """The client went away: the scan stops at the next chunk it reads."""


class Counts:
    """Running totals for the Stats / Progress events, and the flag that stops the scan."""

    __slots__ = ("scanned", "processed", "returned", "cancelled")

    def __init__(self):
        self.scanned = self.processed = self.returned = 0
        self.cancelled = False

    def details(self) -> dict:
        return {"BytesScanned": self.scanned, "BytesProcessed": self.processed, "BytesReturned": self.returned}


def scan_bounds(size: int, start: int | None, end: int | None) -> tuple[int, int] | None:
    """(first, last) byte of a ScanRange in an object of ``size`` bytes, inclusive; None when
    it holds no byte. ``End`` alone means the last ``End`` bytes (ScanRange.End)."""
    if start is None:
        first, last = max(0, size - end), size - 1
    else:
        first = start
        last = size - 1 if end is None else min(end, size - 1)
    if first > last or first >= size:
        return None
    return first, last


def records_in_range(chunks: Iterable[bytes], base: int, first: int, last: int, delimiter: bytes) -> Iterator[bytes]:
    """The bytes of the records whose first byte lies in [first, last] (each read to its end,
    past ``last`` if need be), from ``chunks`` read at absolute offset ``base``: a record
    starts at the object's start or right after a record delimiter (S3's ScanRange rule)."""
    width = len(delimiter)
    position, buffer = base, b""
    chunks = iter(chunks)
    if first > 0:
        while True:  # find the first record start >= first
            found = buffer.find(delimiter, max(0, first - width - position))
            if found != -1:
                position, buffer = position + found + width, buffer[found + width:]
                break
            keep = min(len(buffer), width - 1)
            position, buffer = position + len(buffer) - keep, buffer[len(buffer) - keep:]
            chunk = next(chunks, b"")
            if not chunk:
                return
            buffer += chunk
        if position > last:
            return
    threshold = last - width + 1  # a delimiter at or after it ends the last record in range
    while True:
        found = buffer.find(delimiter, max(0, threshold - position))
        if found != -1:
            yield buffer[:found + width]
            return
        keep = min(len(buffer), width - 1)
        if len(buffer) > keep:
            yield buffer[:len(buffer) - keep]
        position, buffer = position + len(buffer) - keep, buffer[len(buffer) - keep:]
        chunk = next(chunks, b"")
        if not chunk:
            if buffer:
                yield buffer
            return
        buffer += chunk


def _decompressed(chunks: Iterable[bytes], new_decompressor: Callable) -> Iterator[bytes]:
    """Stream-decompress, across concatenated members (gzip members, bzip2 streams), at most
    ``BLOCK`` bytes out of each step (a small chunk of a very compressible object must not
    come out as gigabytes at once); bytes that are not in the format, or a stream cut short,
    are S3's InvalidCompressionFormat."""
    decompressor, fed = new_decompressor(), False
    try:
        for chunk in chunks:
            more = bool(chunk)
            while more:
                fed = True
                out = decompressor.decompress(chunk, BLOCK)
                if out:
                    yield out
                if decompressor.eof:  # the member ends here: what follows starts the next
                    chunk = decompressor.unused_data
                    decompressor, fed = new_decompressor(), False
                    more = bool(chunk)
                    continue
                # zlib hands back the input it has not read yet; bz2 keeps it (needs_input False);
                # a full step may have left output inside either: asked for again with no input
                chunk = getattr(decompressor, "unconsumed_tail", b"")
                more = bool(chunk) or len(out) >= BLOCK or not getattr(decompressor, "needs_input", True)
    except (OSError, EOFError, zlib.error, ValueError):
        raise errors.invalid_compression_data() from None
    if fed and not decompressor.eof:
        raise errors.invalid_compression_data()


def _gzip():
    return zlib.decompressobj(16 + zlib.MAX_WBITS)


def counted(chunks: Iterable[bytes], counts: Counts, member: str) -> Iterator[bytes]:
    for chunk in chunks:
        if counts.cancelled:
            raise QueryCancelled()
        setattr(counts, member, getattr(counts, member) + len(chunk))
        yield chunk


def blocks(chunks: Iterable[bytes], size: int = BLOCK) -> Iterator[bytes]:
    """Chunks regrouped into blocks of about ``size`` bytes (the last may be shorter)."""
    pending, held = [], 0
    for chunk in chunks:
        pending.append(chunk)
        held += len(chunk)
        if held >= size:
            yield b"".join(pending)
            pending, held = [], 0
    if pending:
        yield b"".join(pending)


def object_bytes(open_range: Callable[[int, int | None], Iterable[bytes]], size: int, request, counts: Counts,
                 delimiter: bytes | None = None) -> Iterator[bytes]:
    """The plain bytes a query reads, in blocks. ``open_range(offset, length)`` reads the
    object's decrypted bytes; ``delimiter`` is the record delimiter a ScanRange cuts at."""
    if request.scanned_range and delimiter is not None:
        bounds = scan_bounds(size, request.scan_start, request.scan_end)
        if bounds is None:
            return iter(())
        first, last = bounds
        base = max(0, first - len(delimiter))
        raw = counted(open_range(base, None), counts, "scanned")
        plain = records_in_range(raw, base, first, last, delimiter)
    else:
        plain = counted(open_range(0, None), counts, "scanned")
        if request.compression == "GZIP":
            plain = _decompressed(plain, _gzip)
        elif request.compression == "BZIP2":
            plain = _decompressed(plain, bz2.BZ2Decompressor)
    return blocks(counted(plain, counts, "processed"))
