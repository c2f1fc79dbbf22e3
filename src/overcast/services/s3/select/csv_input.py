"""CSV objects as batches of string columns for the engine.

Without quoted record delimiters a record ends at each record delimiter, so the bytes are cut
into blocks of whole records; a block with newline delimiters is parsed by pyarrow's CSV
reader (columnar, in C), anything else (custom delimiters with newlines inside, ragged rows,
AllowQuotedRecordDelimiter) by ``csv_fields.CsvFieldParser``. Comment records and the header
record are dropped before parsing. Columns are named by the header (FileHeaderInfo USE) or
``_1`` .. ``_N``.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

from . import errors
from .csv_fields import MAX_RECORD_CHARS, CsvFieldParser

_NEWLINES = (b"\n", b"\r\n")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.invalid_text_encoding() from None


def _check_record_size(record: bytes) -> None:
    """OverMaxRecordSize for a record of more than 1 MB of characters (counted only for a
    record longer than that in bytes: the rare case)."""
    if len(record) > MAX_RECORD_CHARS and len(record.decode("utf-8", "replace")) > MAX_RECORD_CHARS:
        raise errors.over_max_record_size()


class CsvReader:
    """``header`` (the header names, or None) and ``batches()`` of one CSV object."""

    def __init__(self, blocks: Iterable[bytes], options, columns_for=None,
                 header_blocks: Iterable[bytes] | None = None, header_in_blocks: bool = True):
        """``blocks``: the bytes to read. With a ScanRange the header record is read from the
        object's start (``header_blocks``); ``header_in_blocks`` says whether the range holds
        it too (it starts at byte 0), to be skipped there."""
        self.options = options
        # the query's ``columns_for(names)``: only the columns it reads are converted
        self._columns_for = columns_for
        self.header: list[str] | None = None
        self._parser = CsvFieldParser(options)
        self._record = options.record_delimiter.encode("utf-8")
        self._comment = options.comments.encode("utf-8") if options.comments else None
        # pyarrow's reader takes ASCII delimiters and quotes only
        self._columnar = all(ord(c) < 128 for c in (options.field_delimiter, options.quote, options.quote_escape))
        if options.quoted_record_delimiter:
            self._rows = self._parser.rows(_text(blocks))
            if options.header != "NONE":
                first = next(self._rows, None)
                self.header = first if first is not None else []
            return
        self._records = self._record_blocks(blocks)
        self._first = b""
        if options.header == "NONE":
            return
        if header_blocks is not None:
            self.header, _ = self._first_record(self._record_blocks(header_blocks))
            if not header_in_blocks:
                return
        header, self._first = self._first_record(self._records)
        if header_blocks is None:
            self.header = header

    # -- reading ---------------------------------------------------------------------------

    def batches(self) -> Iterator[pa.RecordBatch]:
        if self.options.quoted_record_delimiter:
            yield from self._row_batches(self._rows)
            return
        if self._first:
            yield self._parse(self._first)
        for block in self._records:
            yield self._parse(block)

    def _record_blocks(self, blocks: Iterable[bytes]) -> Iterator[bytes]:
        """Blocks of whole records, comment records removed (each byte copied once)."""
        carry = b""
        record = self._record
        for block in blocks:
            cut = block.rfind(record)
            if cut == -1:
                carry += block
                _check_record_size(carry)
                continue
            if carry:  # the record the carry began ends in this block
                _check_record_size(carry + block[:block.find(record)])
            cut += len(record)
            whole = b"".join((carry, memoryview(block)[:cut])) if carry or cut < len(block) else block
            carry = block[cut:]
            yield self._without_comments(whole)
        if carry:
            yield self._without_comments(carry)

    def _without_comments(self, data: bytes) -> bytes:
        comment = self._comment
        # the comment character alone is found at memory speed; most blocks have none
        if comment is None or comment not in data or not (
                data.startswith(comment) or self._record + comment in data):
            return data
        records = data.split(self._record)
        return self._record.join(r for r in records if not r.startswith(comment))

    def _first_record(self, records: Iterator[bytes]) -> tuple[list[str], bytes]:
        """The first record's fields (the header) and the rest of its block."""
        for block in records:
            if not block.strip():
                continue
            end = block.find(self._record)
            line, rest = (block, b"") if end == -1 else (block[:end], block[end + len(self._record):])
            if self._record == b"\n":
                line = line.rstrip(b"\r")  # as the columnar reader reads CRLF records
            rows = list(self._parser.rows([_decode(line)]))
            return (rows[0] if rows else []), rest
        return [], b""

    # -- parsing ---------------------------------------------------------------------------

    def _parse(self, block: bytes) -> pa.RecordBatch:
        if len(block) <= 2 and not block.strip(b"\r\n"):
            return self._row_batch([])
        data = block
        if not self._columnar:
            return self._row_batch(list(self._parser.rows([_decode(block)])))
        if self._record not in _NEWLINES:
            if b"\n" in block or b"\r" in block:
                return self._row_batch(list(self._parser.rows([_decode(block)])))
            data = block.replace(self._record, b"\n")
        width = self._width(data)
        names = [f"_{i}" for i in range(1, width + 1)]
        include = self._included(names)
        opts = self.options
        try:
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(column_names=names, block_size=max(len(data) + 1, 1 << 20)),
                parse_options=pacsv.ParseOptions(
                    delimiter=opts.field_delimiter, quote_char=opts.quote,
                    double_quote=opts.quote_escape == opts.quote,
                    escape_char=False if opts.quote_escape == opts.quote else opts.quote_escape,
                    newlines_in_values=False, ignore_empty_lines=True),
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in include or names},
                                                     include_columns=include,
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # rows of differing widths, or text pyarrow will not take: the exact parser decides
            return self._row_batch(list(self._parser.rows([_decode(block)])))
        batch = table.combine_chunks().to_batches()
        if not batch:
            return self._row_batch([])
        return self._named(batch[0])

    def _display(self, names: list[str]) -> list[str]:
        """The names the query sees: the header's under FileHeaderInfo USE, ``_N`` beyond it."""
        if self.options.header != "USE" or not self.header:
            return names
        return [self.header[i] if i < len(self.header) else name for i, name in enumerate(names)]

    def _included(self, names: list[str]) -> list[str] | None:
        """The positional names of the columns the query reads (None: all of them)."""
        if self._columns_for is None:
            return None
        display = self._display(names)
        wanted = self._columns_for(display)
        if wanted is None:
            return None
        position = {}
        for i, name in enumerate(display):
            position.setdefault(name, i)
        return [names[position[name]] for name in wanted if name in position] or None

    def _width(self, data: bytes) -> int:
        """The number of fields of the block's first record (the columns pyarrow expects)."""
        end = data.find(b"\n")
        line = data if end == -1 else data[:end]
        rows = list(self._parser.rows([_decode(line.rstrip(b"\r"))]))
        return max(1, len(rows[0]) if rows else 1)

    def _row_batches(self, rows: Iterator[list[str]], size: int = 10_000) -> Iterator[pa.RecordBatch]:
        pending = []
        for row in rows:
            pending.append(row)
            if len(pending) >= size:
                yield self._row_batch(pending)
                pending = []
        if pending:
            yield self._row_batch(pending)

    def _row_batch(self, rows: list[list[str]]) -> pa.RecordBatch:
        width = max((len(r) for r in rows), default=len(self.header or ()) or 1)
        columns = [pa.array([r[i] if i < len(r) else None for r in rows], pa.string()) for i in range(width)]
        names = [f"_{i}" for i in range(1, width + 1)]
        return self._named(pa.RecordBatch.from_arrays(columns, names=names))

    def _named(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Columns renamed from ``_N`` to the names the query sees (``_display``)."""
        if self.options.header != "USE" or not self.header:
            return batch
        header = self.header
        names = [header[int(n[1:]) - 1] if int(n[1:]) <= len(header) else n for n in batch.schema.names]
        return batch.rename_columns(names)


def _text(blocks: Iterable[bytes]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for block in blocks:
            text = decoder.decode(block)
            if text:
                yield text
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise errors.invalid_text_encoding() from None
    if tail:
        yield tail
