"""RecordColumns: a batch of output records held column by column, as the engine computed them
over CSV and Parquet input (pyarrow arrays where the columnar evaluator answered, Python lists
where the per-record one did). Writers format it column by column (``output_columns.py``);
iterating it gives the records as ``(name, value)`` pairs, the engine's record form."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa


class RecordColumns:
    __slots__ = ("names", "columns", "num_rows")

    def __init__(self, names: list[str], columns: list, num_rows: int):
        self.names = names
        self.columns = columns  # each a pa.Array or a list of Python values, num_rows long
        self.num_rows = num_rows

    def __len__(self) -> int:
        return self.num_rows

    def column_values(self, index: int) -> list:
        column = self.columns[index]
        return column.to_pylist() if isinstance(column, (pa.Array, pa.ChunkedArray)) else column

    def __iter__(self) -> Iterator[list]:
        names = self.names
        values = [self.column_values(i) for i in range(len(self.columns))]
        for row in zip(*values):
            yield list(zip(names, row))
