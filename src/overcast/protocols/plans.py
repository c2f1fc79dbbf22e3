"""Per-shape plans compiled once: the cache every protocol's parser and serializer share.

A plan is whatever a protocol compiles from a botocore shape (a closure that converts a value,
a list of member readers...). Compiling walks botocore's model objects once; afterwards a
request only runs the closures.

Plans are cached by the shape's model (its shape resolver), name, type and the member-level
traits merged into ``serialization``: the same named shape reached through two members with
different ``locationName``s gets two plans, while a recursive shape reached again at any depth
gets the same one. A plan is registered *before* its children compile, through a ``Cell``, so
recursion ends.
"""

from __future__ import annotations

import threading
from typing import Any, Callable


class Cell:
    """Holds a compiled plan; children reference the cell, so recursive plans can be built."""

    __slots__ = ("fn",)

    def __init__(self):
        self.fn: Any = None


def shape_key(shape) -> tuple:
    """The cache key of ``shape``: model, name, type and merged serialization traits."""
    ser = shape.serialization
    traits = tuple(sorted((k, repr(v)) for k, v in ser.items())) if ser else ()
    return (getattr(shape, "_shape_resolver", None), shape.name, shape.type_name, traits)


class PlanCache:
    """Compiled plans of one kind (one per protocol direction), by shape."""

    def __init__(self, compile_fn: Callable[[Any, "PlanCache"], Any]):
        self._compile = compile_fn
        self._cells: dict[tuple, Cell] = {}
        self._lock = threading.RLock()

    def cell(self, shape) -> Cell:
        """The cell of ``shape``'s plan, compiling it on first use (children may see it unfilled)."""
        key = shape_key(shape)
        found = self._cells.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._cells.get(key)
            if found is None:
                found = Cell()
                self._cells[key] = found  # before compiling: a recursive child finds this cell
                try:
                    found.fn = self._compile(shape, self)
                except BaseException:
                    del self._cells[key]
                    raise
            return found

    def get(self, shape):
        """The compiled plan of ``shape``."""
        return self.cell(shape).fn

    def callable(self, shape) -> Callable:
        """``shape``'s compiled plan as a callable; while that plan is still compiling (a
        recursive shape), a trampoline that calls it once it exists."""
        cell = self.cell(shape)
        if cell.fn is not None:
            return cell.fn
        return lambda *args: cell.fn(*args)
