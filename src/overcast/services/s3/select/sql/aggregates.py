"""COUNT, SUM, AVG, MIN, MAX accumulators (NULL and MISSING skipped, as AWS documents)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from .casts import INT_MAX, INT_MIN, is_number
from .errors import SelectError, cannot_evaluate
from .missing import MISSING
from .rowwise import compare


class Accumulator:
    def __init__(self, name: str):
        self.name = name
        self.count = 0
        self.total = None
        self.best = None

    def add_rows(self, count: int) -> None:
        """COUNT(*): every row counts."""
        self.count += count

    def add(self, value) -> None:
        if value is None or value is MISSING:
            return
        name = self.name
        if name in ("SUM", "AVG"):
            if not is_number(value):
                raise cannot_evaluate()  # CSV text needs a CAST to be summed
            number = value
            self.total = number if self.total is None else _plus(self.total, number)
        elif name in ("MIN", "MAX"):
            if self.best is None:
                self.best = value
            else:
                better = compare("<" if name == "MIN" else ">", value, self.best)
                if better is True:
                    self.best = value
        self.count += 1

    def add_array(self, array: pa.Array) -> bool:
        """Fold a whole column with pyarrow.compute when that gives exactly what add() would
        (integers, and MIN/MAX of numbers and text); False leaves it to add_many."""
        t = array.type
        valid = len(array) - array.null_count
        if not valid:
            return True
        numeric = pa.types.is_integer(t) or pa.types.is_floating(t)
        textual = pa.types.is_string(t) or pa.types.is_large_string(t)
        if self.name in ("MIN", "MAX") and (numeric or textual):
            if pa.types.is_floating(t) and pc.any(pc.is_nan(array)).as_py():
                return False
            extreme = pc.min_max(array)["min" if self.name == "MIN" else "max"].as_py()
            self.add(extreme)
            self.count += valid - 1
            return True
        if self.name in ("SUM", "AVG") and pa.types.is_integer(t):
            bounds = pc.min_max(array)
            largest = max(abs(bounds["min"].as_py()), abs(bounds["max"].as_py()))
            if largest * valid >= 2**63:
                return False  # could overflow int64 inside compute: exact Python sum instead
            total = pc.sum(array).as_py()
            self.total = total if self.total is None else _plus(self.total, total)
            self.count += valid
            return True
        if self.name == "COUNT":
            self.count += valid
            return True
        return False

    def add_many(self, values) -> None:
        for value in values:
            self.add(value)

    def result(self):
        if self.name == "COUNT":
            return self.count
        if isinstance(self.total, int) and not INT_MIN <= self.total <= INT_MAX:
            raise SelectError("IntegerOverflow", "Int overflow or underflow in the SQL expression.")
        if self.name == "SUM":
            return self.total
        if self.name == "AVG":
            if not self.count:
                return None
            if isinstance(self.total, float):
                return self.total / self.count
            return Decimal(self.total) / Decimal(self.count)
        return self.best


def _plus(total, number):
    """Running sums are exact (no int64 limit on partial sums); floats absorb the rest."""
    if isinstance(total, float) or isinstance(number, float):
        return float(total) + float(number)
    return total + number
