"""CloudWatch Logs filter patterns: the language of metric filters, subscription filters,
FilterLogEvents, TestMetricFilter and Live Tail ("Filter pattern syntax for metric filters,
subscription filters, filter log events, and Live Tail" in the CloudWatch Logs user guide).

    compile_pattern(text) -> FilterPattern     # raises FilterPatternError (str = AWS's text)
    pattern.match(message) -> FilterMatch | None
    pattern.sql_prefilter() -> (where_fragment, params) | None

A pattern is one of three kinds, told apart by its first character: ``{`` a JSON pattern,
``[`` a space-delimited pattern, anything else terms over unstructured text; an empty pattern
matches every event. Pure code: no I/O, safe to share between threads.
"""

from __future__ import annotations

from functools import lru_cache

from overcast.services.logs.filter_pattern.aws_regex import MAX_REGEX_PER_PATTERN
from overcast.services.logs.filter_pattern.errors import FilterPatternError
from overcast.services.logs.filter_pattern.json_pattern import JsonPattern
from overcast.services.logs.filter_pattern.match import EMPTY_MATCH, FilterMatch
from overcast.services.logs.filter_pattern.space_delimited import SpaceDelimitedPattern
from overcast.services.logs.filter_pattern.terms import TermsPattern

__all__ = ["FilterPattern", "FilterMatch", "FilterPatternError", "compile_pattern"]


class FilterPattern:
    """A compiled pattern. ``kind`` is "all", "terms", "json" or "space_delimited" (metric
    filters take dimensions from JSON and space-delimited patterns only)."""

    __slots__ = ("text", "kind", "regex_count", "_impl")

    def __init__(self, text: str, impl):
        self.text = text
        self._impl = impl
        self.kind = impl.kind if impl is not None else "all"
        self.regex_count = impl.regex_count if impl is not None else 0

    def match(self, message: str) -> FilterMatch | None:
        if self._impl is None:
            return EMPTY_MATCH
        return self._impl.match(message)

    def sql_prefilter(self) -> tuple[str, list] | None:
        """A WHERE fragment over column ``message`` that every matching event satisfies (it may
        let more through; ``match`` decides), or None. SQLite only (``GLOB``): for the
        reader connection."""
        if self._impl is None:
            return None
        return self._impl.sql_prefilter()


@lru_cache(maxsize=512)
def compile_pattern(text: str) -> FilterPattern:
    """The compiled form of ``text``; "" (or blanks) matches every event."""
    stripped = (text or "").strip()
    if not stripped:
        return FilterPattern(text, None)
    try:
        if stripped.startswith("{"):
            impl = JsonPattern(stripped)
        elif stripped.startswith("["):
            impl = SpaceDelimitedPattern(stripped)
        else:
            impl = TermsPattern(stripped)
    except RecursionError:  # parentheses nested hundreds deep
        raise FilterPatternError() from None
    if impl.regex_count > MAX_REGEX_PER_PATTERN:
        raise FilterPatternError()
    return FilterPattern(text, impl)
