"""A character-level CSV parser for what the columnar reader cannot take: record delimiters
other than newlines, quoted record delimiters (AllowQuotedRecordDelimiter), a
QuoteEscapeCharacter apart from the quote, rows of differing widths. Slower, exact."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from . import errors

MAX_RECORD_CHARS = 1024 * 1024  # S3 Select's maxCharsPerRecord (OverMaxRecordSize)


class CsvFieldParser:
    """Rows (lists of str) from text chunks, as S3 Select reads CSV with the given options."""

    def __init__(self, csv):
        self.record = csv.record_delimiter
        self.field = csv.field_delimiter
        self.quote = csv.quote
        self.escape = csv.quote_escape
        self.comments = csv.comments
        self.quoted_records = csv.quoted_record_delimiter

    def rows(self, chunks: Iterable[str]) -> Iterator[list[str]]:
        record, field, quote, escape = self.record, self.field, self.quote, self.escape
        first_char = record[0]
        row: list[str] = []
        value: list[str] = []
        size = 0
        in_quotes = was_quoted = False
        at_record_start = True
        skipping_comment = False
        pending = ""  # a possible start of a two-character record delimiter
        for chunk in chunks:
            text = pending + chunk
            pending = ""
            i, n = 0, len(text)
            while i < n:
                char = text[i]
                if skipping_comment:
                    if char == first_char:
                        if text.startswith(record, i):
                            skipping_comment, at_record_start = False, True
                            i += len(record)
                            continue
                        if i + len(record) > n:
                            pending = text[i:]
                            break
                    i += 1
                    continue
                if at_record_start:
                    at_record_start = False
                    if self.comments is not None and char == self.comments:
                        skipping_comment = True
                        i += 1
                        continue
                if in_quotes:
                    if char == escape and escape != quote:
                        if i + 1 >= n:
                            pending = text[i:]
                            break
                        value.append(text[i + 1])
                        i += 2
                        continue
                    if char == quote:
                        if escape == quote:
                            if i + 1 >= n:
                                pending = text[i:]
                                break
                            if text[i + 1] == quote:
                                value.append(quote)
                                i += 2
                                continue
                        in_quotes = False
                        i += 1
                        continue
                    if not self.quoted_records and char == first_char and text.startswith(record, i):
                        raise errors.csv_parsing_error()  # a record delimiter inside quotes, not allowed
                    value.append(char)
                    i += 1
                    size += 1
                    if size > MAX_RECORD_CHARS:
                        raise errors.over_max_record_size()
                    continue
                if char == first_char:
                    if text.startswith(record, i):
                        row.append("".join(value))
                        value, was_quoted = [], False
                        if row != [""] or size:
                            yield row
                        row, size, at_record_start = [], 0, True
                        i += len(record)
                        continue
                    if i + len(record) > n:
                        pending = text[i:]
                        break
                if char == field:
                    row.append("".join(value))
                    value, was_quoted = [], False
                elif char == quote and not value and not was_quoted:
                    in_quotes = was_quoted = True
                else:
                    value.append(char)
                i += 1
                size += 1
                if size > MAX_RECORD_CHARS:
                    raise errors.over_max_record_size()
        if pending and not skipping_comment:
            if in_quotes and pending == quote:
                in_quotes = False  # the closing quote was the input's last character
            else:
                value.append(pending)
        if in_quotes:
            raise errors.csv_parsing_error()
        if not skipping_comment and (value or row or was_quoted):
            row.append("".join(value))
            yield row
