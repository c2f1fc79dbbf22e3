"""The records a query returns, written as the request's OutputSerialization asks: CSV
(QuoteFields, delimiters, quote and its escape) or JSON (one object a record, compact, then
the RecordDelimiter)."""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter

import orjson

from .output_columns import CsvColumns, JsonColumns
from .request import CsvOutput, JsonOutput
from .sql import MISSING
from .sql.columns import RecordColumns
from .sql.timestamps import format_ion, make


def timestamp_text(value: datetime | date) -> str:
    """A TIMESTAMP as S3 Select writes it: its Ion text, at the precision it was given."""
    if not isinstance(value, datetime):  # a DATE (Parquet date32): day precision, as Ion writes it
        return format_ion(make(datetime(value.year, value.month, value.day), "day"))
    return format_ion(value)


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def scalar_text(value) -> str:
    """A value as CSV text."""
    if value is None or value is MISSING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return timestamp_text(value)
    if isinstance(value, (dict, list)):
        return _json_text(value)
    return str(value)


_second = itemgetter(1)


class CsvWriter:
    def __init__(self, options: CsvOutput):
        self.field = options.field_delimiter
        self.record = options.record_delimiter
        self.quote = options.quote
        self.escaped_quote = options.quote_escape + options.quote
        self.always = options.quote_fields == "ALWAYS"
        special = {self.field, self.quote, "\n", "\r", *self.record}
        self._needs_quotes = re.compile("|".join(re.escape(c) for c in sorted(special))).search
        # for a whole line: anything but the delimiters between its fields calls for quotes
        others = special - {self.field}
        self._line_needs_quotes = re.compile("|".join(re.escape(c) for c in sorted(others))).search
        self._columns = CsvColumns(self)

    def _cell(self, text: str) -> str:
        if self.always or (text and self._needs_quotes(text)):
            return self.quote + text.replace(self.quote, self.escaped_quote) + self.quote
        return text

    def write(self, records) -> bytes:
        if isinstance(records, RecordColumns):
            data = self._columns.write(records, scalar_text)
            if data is not None:
                return data
        field, cell, line_needs_quotes, always = self.field, self._cell, self._line_needs_quotes, self.always
        lines = []
        join = field.join
        for row in records:
            try:
                line = join(map(_second, row))  # all strings (CSV input): joined in C
            except TypeError:
                line = join([value if type(value) is str else scalar_text(value) for _, value in row])
            # most lines need no quotes at all: checked once for the line, not once a field
            if always or line_needs_quotes(line) or line.count(field) != len(row) - 1:
                line = join([cell(scalar_text(value)) for _, value in row])
            lines.append(line)
        lines.append("")
        return self.record.join(lines).encode("utf-8")


def _json_default(value):
    """What orjson cannot write itself but for DECIMAL: TIMESTAMP as its Ion text, the
    MISSING of a nested path as null."""
    if isinstance(value, (datetime, date)):
        return timestamp_text(value)
    if value is MISSING:
        return None
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _json_text(value) -> str:
    """One value as JSON text, DECIMALs written exactly as they are (``12.50``), what orjson
    cannot write (integers beyond 64 bits) by the standard library."""
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else "null"
    if isinstance(value, dict):
        return "{" + ",".join(_STDLIB_ENCODE(str(k)) + ":" + _json_text(v)
                              for k, v in value.items() if v is not MISSING) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json_text(v) for v in value if v is not MISSING) + "]"
    if isinstance(value, int) and not isinstance(value, bool) and not -2 ** 63 <= value < 2 ** 64:
        return str(value)
    return orjson.dumps(value, default=_json_default, option=_JSON_OPTIONS).decode("utf-8")


class JsonWriter:
    def __init__(self, options: JsonOutput):
        self.record = options.record_delimiter.encode("utf-8")
        self._columns = JsonColumns(options.record_delimiter, _json_value)

    def write(self, records) -> bytes:
        if isinstance(records, RecordColumns):
            data = self._columns.write(records)
            if data is not None:
                return data
        dumps, options, missing = orjson.dumps, _JSON_OPTIONS, MISSING
        try:
            parts = [dumps({name: value for name, value in row if value is not missing}, default=_json_default,
                           option=options) for row in records]
        except (orjson.JSONEncodeError, TypeError):
            # DECIMALs (written exactly) or integers beyond 64 bits: value by value
            parts = [_json_text({name: value for name, value in row if value is not missing}).encode("utf-8")
                     for row in records]
        parts.append(b"")
        return self.record.join(parts)


def _json_value(value) -> str:
    """One value as orjson writes it inside a record (raises for what it cannot write)."""
    return orjson.dumps(value, default=_json_default, option=_JSON_OPTIONS).decode("utf-8")


_JSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_STDLIB_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def writer_for(options):
    return JsonWriter(options) if isinstance(options, JsonOutput) else CsvWriter(options)
