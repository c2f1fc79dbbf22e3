"""COUNT, SUM, AVG, MIN, MAX accumulators (NULL and MISSING skipped, as AWS documents)."""

from __future__ import annotations

from decimal import Decimal

from .casts import is_number, text_number
from .functions import wrong_type
from .missing import MISSING
from .rowwise import arithmetic, compare


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
            number = value if is_number(value) else None
            if number is None and isinstance(value, str):
                number = text_number(value)
            if number is None:
                raise wrong_type()
            self.total = number if self.total is None else arithmetic("+", self.total, number)
        elif name in ("MIN", "MAX"):
            if self.best is None:
                self.best = value
            else:
                better = compare("<" if name == "MIN" else ">", value, self.best)
                if better is True:
                    self.best = value
        self.count += 1

    def add_many(self, values) -> None:
        for value in values:
            self.add(value)

    def result(self):
        if self.name == "COUNT":
            return self.count
        if self.name == "SUM":
            return self.total
        if self.name == "AVG":
            if not self.count:
                return None
            if isinstance(self.total, float):
                return self.total / self.count
            return Decimal(self.total) / Decimal(self.count)
        return self.best
