"""Output written column by column, for the engine's RecordColumns (CSV and Parquet input):
each output column becomes one pyarrow string array of its cells' text, and the records are
assembled in C (pyarrow's CSV writer when no cell needs quotes, pyarrow.compute joins
otherwise) into one buffer. Byte for byte what the record-by-record writers of ``output.py``
write: they are the reference, and take over a batch whose values these cannot format
exactly (a ``None`` answer here)."""

from __future__ import annotations

import io

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .sql import MISSING

# what orjson escapes inside a JSON string: a cell without any of them is written as is
_JSON_ESCAPED = r'["\\\x00-\x1f]'
_JSON_ESCAPED_BYTES = np.zeros(256, dtype=bool)
_JSON_ESCAPED_BYTES[[*range(0x20), ord('"'), ord("\\")]] = True
# what pyarrow's CSV writer refuses in a cell unquoted, besides the field delimiter
_ARROW_STRUCTURAL = {'"', "\n", "\r"}


def _is_text(column) -> bool:
    return isinstance(column, pa.Array) and (pa.types.is_string(column.type) or pa.types.is_large_string(column.type))


def _is_plain_number(column) -> bool:
    """Integers and booleans: pyarrow's text for them is Python's (``-12``, ``true``)."""
    return isinstance(column, pa.Array) and (pa.types.is_integer(column.type) or pa.types.is_boolean(column.type))


def _is_double(column) -> bool:
    return isinstance(column, pa.Array) and (pa.types.is_float64(column.type) or pa.types.is_float32(column.type))


def _repr_texts(column: pa.Array) -> pa.Array:
    """Python's ``repr`` of each double (finite, not null), as ``output.scalar_text`` writes it:
    pyarrow's shortest round-trip digits wherever both write them positionally (Python does
    for magnitudes in [1e-4, 1e16), with a decimal point), ``repr`` itself for the others."""
    column = column.cast(pa.float64())  # a FLOAT is written as the double it widens to
    cells = pc.cast(column, pa.string())
    magnitude = pc.abs(column)
    same = pc.and_(pc.and_(pc.greater_equal(magnitude, 1e-4), pc.less(magnitude, 1e16)),
                   pc.and_(pc.match_substring(cells, "."), pc.invert(pc.match_substring(cells, "e"))))
    if pc.all(same).as_py():
        return cells
    other = pc.invert(same)
    return pc.replace_with_mask(cells, other, pa.array([repr(v) for v in column.filter(other).to_pylist()], pa.string()))


def _text_array(values: list) -> pa.Array | None:
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowException, UnicodeEncodeError):
        return None


def _value_bytes(lines: pa.Array) -> pa.Buffer | None:
    """The values of a string array back to back (its data buffer between its offsets)."""
    if pa.types.is_large_string(lines.type):
        lines = lines.cast(pa.string())
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=lines.offset + len(lines) + 1)
    start, end = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    return lines.buffers()[2].slice(start, end - start) if end > start else None


def _concatenated(lines: pa.Array) -> bytes:
    data = _value_bytes(lines)
    return data.to_pybytes() if data is not None else b""


class _Literals:
    """The same text in every row, as arrays (joins of whole arrays run several times faster
    than joins broadcasting a scalar); grown to the largest batch seen, then sliced."""

    def __init__(self):
        self._arrays: dict[str, pa.Array] = {}

    def __call__(self, text: str, rows: int) -> pa.Array:
        array = self._arrays.get(text)
        if array is None or len(array) < rows:
            indices = np.zeros(max(rows, 1024), dtype=np.int32)
            array = pa.DictionaryArray.from_arrays(indices, pa.array([text], pa.string())).dictionary_decode()
            self._arrays[text] = array
        return array.slice(0, rows)


def _joined(pieces: list) -> bytes:
    """Each record's pieces (arrays of cells, and of the literal text between them) joined."""
    return _concatenated(pc.binary_join_element_wise(*pieces, ""))


class CsvColumns:
    """CSV lines from whole columns: the cell texts of ``output.scalar_text``, quoted as
    ``CsvWriter`` quotes them (ALWAYS, or a cell holding a delimiter, quote or line break)."""

    def __init__(self, writer):
        self.field, self.record, self.quote = writer.field, writer.record, writer.quote
        self.escaped_quote, self.always = writer.escaped_quote, writer.always
        self.specials = sorted({self.field, self.quote, "\n", "\r", *self.record})
        # the special characters pyarrow's writer does not refuse: counted in its output
        self._unchecked = [c for c in self.specials if c not in _ARROW_STRUCTURAL and c != self.field]
        self._arrow_writes = ord(self.field) < 128 and not self.always
        self._literals = _Literals()

    def write(self, records, scalar_text) -> bytes | None:
        cells = []
        for index in range(len(records.columns)):
            column = self._cells(records, index, scalar_text)
            if column is None:
                return None
            cells.append(column)
        if self._arrow_writes:
            data = self._unquoted(cells, records.num_rows)
            if data is not None:
                return data
        pieces = []
        for column in cells:
            pieces += (self._quoted(column), self._literals(self.field, records.num_rows))
        pieces[-1] = self._literals(self.record, records.num_rows)
        return _joined(pieces)

    @staticmethod
    def _cells(records, index: int, scalar_text) -> pa.Array | None:
        column = records.columns[index]
        if _is_text(column):
            cells = column
        elif _is_plain_number(column):
            cells = pc.cast(column, pa.string())
        elif _is_double(column) and not column.null_count and pc.all(pc.is_finite(column)).as_py():
            cells = _repr_texts(column)
        else:
            cells = _text_array([value if type(value) is str else scalar_text(value)
                                 for value in records.column_values(index)])
            if cells is None:
                return None
        return cells.fill_null("") if cells.null_count else cells

    def _unquoted(self, cells: list, rows: int) -> bytes | None:
        """The lines by pyarrow's CSV writer, which refuses a cell holding the field
        delimiter, a double quote or a line break; None when a cell needs quotes."""
        batch = pa.RecordBatch.from_arrays(cells, names=[str(i) for i in range(len(cells))])
        out = io.BytesIO()
        try:
            pacsv.write_csv(batch, out, pacsv.WriteOptions(include_header=False, quoting_style="none",
                                                           delimiter=self.field, eol=self.record,
                                                           batch_size=max(rows, 1)))
        except pa.ArrowInvalid:
            return None
        data = out.getvalue()
        for special in self._unchecked:  # each must occur only in the delimiters written
            expected = rows * ((len(cells) - 1) * self.field.count(special) + self.record.count(special))
            if data.count(special.encode("utf-8")) != expected:
                return None
        return data

    def _quoted(self, cells: pa.Array) -> pa.Array:
        if self.always:
            return self._quote(cells)
        needs = None
        for special in self.specials:
            found = pc.match_substring(cells, special)
            needs = found if needs is None else pc.or_(needs, found)
        if not pc.any(needs).as_py():
            return cells
        return pc.replace_with_mask(cells, needs, self._quote(cells.filter(needs)))

    def _quote(self, cells: pa.Array) -> pa.Array:
        escaped = pc.replace_substring(cells, self.quote, self.escaped_quote)
        return pc.binary_join_element_wise(self.quote, escaped, self.quote, "")


class JsonColumns:
    """JSON lines from whole columns, as ``JsonWriter`` writes each record: one object, its
    members in the order of their first name, a repeated name keeping the last value."""

    def __init__(self, record_delimiter: str, dumps):
        self.record = record_delimiter
        self._dumps = dumps  # one value as orjson writes it inside the record's object
        self._literals = _Literals()

    def write(self, records) -> bytes | None:
        rows = records.num_rows
        last = {name: index for index, name in enumerate(records.names)}
        pieces, text = [], "{"
        for name, index in last.items():
            text += ("," if pieces else "") + orjson.dumps(name).decode("utf-8") + ":"
            column = records.columns[index]
            if _is_text(column) and not column.null_count and not self._escaped(column).any():
                # plain strings: their quotes become part of the literal text around them
                pieces += (self._literals(text + '"', rows), column)
                text = '"'
                continue
            cells = self._cells(records, index)
            if cells is None:
                return None
            pieces += (self._literals(text, rows), cells)
            text = ""
        if not pieces:
            return None
        pieces.append(self._literals(text + "}" + self.record, rows))
        return _joined(pieces)

    @staticmethod
    def _escaped(column: pa.Array) -> np.ndarray:
        """Which cells JSON escapes (looked for cell by cell only when the column's bytes hold one)."""
        data = _value_bytes(column)
        if data is None or not _JSON_ESCAPED_BYTES[np.frombuffer(data, dtype=np.uint8)].any():
            return np.zeros(len(column), dtype=bool)
        return pc.fill_null(pc.match_substring_regex(column, _JSON_ESCAPED), False).to_numpy(zero_copy_only=False)

    def _cells(self, records, index: int) -> pa.Array | None:
        column = records.columns[index]
        if _is_text(column):
            quoted = pc.binary_join_element_wise('"', column, '"', "")
            escaped = self._escaped(column)
            if escaped.any():
                mask = pa.array(escaped)
                texts = _text_array([self._dumps(value) for value in column.filter(mask).to_pylist()])
                quoted = pc.replace_with_mask(quoted, mask, texts)
            return quoted.fill_null("null") if quoted.null_count else quoted
        if _is_plain_number(column):
            cells = pc.cast(column, pa.string())
            return cells.fill_null("null") if cells.null_count else cells
        if _is_double(column):  # orjson writes a list of numbers as it writes each, comma-separated
            return pa.array(orjson.dumps(column.to_pylist())[1:-1].split(b",") if len(column) else [], pa.string())
        texts = []
        for value in records.column_values(index):
            if value is MISSING:
                return None  # the member is left out of that record: the record writer's case
            try:
                texts.append(self._dumps(value))
            except (orjson.JSONEncodeError, TypeError):
                return None  # DECIMAL or a huge integer: the record writer writes the batch
        return _text_array(texts)
