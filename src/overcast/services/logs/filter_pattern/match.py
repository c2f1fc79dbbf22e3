"""What a successful match hands back: the fields a metric filter or TestMetricFilter reads."""

from __future__ import annotations

from typing import Any, Callable


class FilterMatch:
    """A matched event. ``field("$.a.b[0]")`` (JSON patterns) or ``field("$name")``/``field("$3")``
    (space-delimited patterns) gives the value there, or None."""

    __slots__ = ("_lookup", "_extracted")

    def __init__(self, lookup: Callable[[str], Any] | None = None, extracted: dict[str, str] | None = None):
        self._lookup = lookup
        self._extracted = extracted or {}

    def field(self, selector: str) -> str | int | float | bool | None:
        if self._lookup is None:
            return None
        return self._lookup(selector)

    def extracted_values(self) -> dict[str, str]:
        """TestMetricFilter's ``extractedValues``: the fields of a space-delimited pattern, named
        ``$name`` or ``$<position>``; empty for the other kinds of pattern."""
        return dict(self._extracted)


EMPTY_MATCH = FilterMatch()
