"""The records a query returns, written as the request's OutputSerialization asks: CSV
(QuoteFields, delimiters, quote and its escape) or JSON (one object a record, compact, then
the RecordDelimiter)."""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timezone
from decimal import Decimal

from .request import CsvOutput, JsonOutput
from .sql import MISSING
from .sql.timestamps import format_ion


def timestamp_text(value: datetime | date) -> str:
    """A TIMESTAMP as S3 Select writes it: its Ion text, at the precision it was given."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
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
        return json.dumps(_jsonable(value), separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if v is not MISSING}
    if isinstance(value, list):
        return [_jsonable(v) for v in value if v is not MISSING]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2 ** 63 else float(value)
    if isinstance(value, (datetime, date)):
        return timestamp_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return _number(value)
    return value


class CsvWriter:
    def __init__(self, options: CsvOutput):
        self.field = options.field_delimiter
        self.record = options.record_delimiter
        self.quote = options.quote
        self.escaped_quote = options.quote_escape + options.quote
        self.always = options.quote_fields == "ALWAYS"
        special = {self.field, self.quote, "\n", "\r", *self.record}
        self._needs_quotes = re.compile("|".join(re.escape(c) for c in sorted(special))).search

    def _cell(self, value) -> str:
        text = value if type(value) is str else scalar_text(value)
        if self.always or (text and self._needs_quotes(text)):
            return self.quote + text.replace(self.quote, self.escaped_quote) + self.quote
        return text

    def write(self, records: list) -> bytes:
        cell, field, record = self._cell, self.field, self.record
        lines = [field.join([cell(value) for _, value in row]) for row in records]
        lines.append("")
        return record.join(lines).encode("utf-8")


class JsonWriter:
    def __init__(self, options: JsonOutput):
        self.record = options.record_delimiter
        self._encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

    def write(self, records: list) -> bytes:
        encode = self._encode
        parts = []
        for row in records:
            parts.append(encode({name: _jsonable(value) for name, value in row if value is not MISSING}))
            parts.append(self.record)
        return "".join(parts).encode("utf-8")


def writer_for(options):
    return JsonWriter(options) if isinstance(options, JsonOutput) else CsvWriter(options)
