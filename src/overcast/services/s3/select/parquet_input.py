"""Parquet objects as typed record batches: row group by row group, only the columns the query
reads, through a seekable view of the object's decrypted bytes (never loaded whole)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from . import errors

_BATCH_ROWS = 16 * 1024  # rows a batch: the decoded columns of one batch are what a query holds
_READ_BUFFER = 1024 * 1024


class ObjectFile(io.RawIOBase):
    """A read-only, seekable file over ``open_range(offset, length)`` (the store's decrypting
    readers); counts what it reads into ``counts`` (BytesScanned and BytesProcessed alike:
    Parquet is read as it is stored)."""

    def __init__(self, open_range: Callable[[int, int | None], Iterable[bytes]], size: int, counts):
        super().__init__()
        self._open_range, self._size, self._counts = open_range, size, counts
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self._size - self._position)
        if wanted <= 0:
            return 0
        view = memoryview(buffer).cast("B")
        filled = 0
        for chunk in self._open_range(self._position, wanted):
            view[filled:filled + len(chunk)] = chunk
            filled += len(chunk)
        self._position += filled
        self._counts.scanned += filled
        self._counts.processed += filled
        return filled


def parquet_batches(file: ObjectFile, query, scan: tuple[int, int] | None) -> Iterator[pa.RecordBatch]:
    """The object's record batches: the row groups that start within ``scan`` (first, last
    byte; None for all), the columns ``query`` needs."""
    try:
        # buffered: a column chunk is read a megabyte at a time as its pages are decoded, not
        # whole (a row group can be hundreds of megabytes)
        parquet = pq.ParquetFile(file, buffer_size=_READ_BUFFER, pre_buffer=False)
        names = parquet.schema_arrow.names
        columns = query.columns_for(names)
        groups = list(range(parquet.num_row_groups))
        if scan is not None:
            groups = [g for g in groups if scan[0] <= _group_start(parquet, g) <= scan[1]]
        if not groups:
            return
        batches = parquet.iter_batches(batch_size=_BATCH_ROWS, row_groups=groups, columns=columns)
    except (pa.ArrowException, OSError, ValueError):
        raise errors.parquet_error() from None
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError, ValueError):
            raise errors.parquet_error() from None
        if batch is None:
            return
        yield batch


def _group_start(parquet, group: int) -> int:
    column = parquet.metadata.row_group(group).column(0)
    start = column.data_page_offset
    if column.has_dictionary_page and column.dictionary_page_offset is not None:
        start = min(start, column.dictionary_page_offset)
    return start
