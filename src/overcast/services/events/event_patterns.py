"""EventBridge event patterns: AWS's event-ruler language in EventBridge's dialect.

``compile_event_pattern(text)`` checks a pattern as PutRule, TestEventPattern and CreateArchive
do (raising ``InvalidEventPattern`` whose text is AWS's message) and returns an ``EventPattern``;
``EventPattern.matches(event)`` tests an event envelope (a decoded dict). ``RuleIndex`` holds a
bus's rules and answers which of them an event matches.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from overcast.services.event_ruler import compiler as ruler_compiler
from overcast.services.event_ruler import json_reader
from overcast.services.event_ruler.dialect import Dialect, bounded
from overcast.services.event_ruler.matching import Matcher
from overcast.services.events.pattern_index import RuleIndex

# EventBridge compares numbers by value between -5.0e9 and +5.0e9 with six decimals ("Content
# filtering in Amazon EventBridge event patterns", Numeric matching); it has the wildcard
# operator, prefix/suffix ignoring case, and anything-but over lists of prefixes, suffixes and
# wildcards.
DIALECT = Dialect(
    comparable=bounded(Decimal("5E9"), 6),
    number_out_of_range="Value must be between -5.0E9 and 5.0E9, inclusive",
    wildcard=True,
    affix_ignore_case=True,
    anything_but_lists=True,
)
_PREFIX = "Event pattern is not valid. Reason: "

__all__ = ["InvalidEventPattern", "EventPattern", "RuleIndex", "compile_event_pattern"]


class InvalidEventPattern(ValueError):
    """A pattern EventBridge refuses; ``str(e)`` is AWS's message text."""


class EventPattern:
    """A compiled event pattern."""

    def __init__(self, text: str, branches):
        self.text = text
        self.matcher = Matcher(branches, DIALECT.comparable, dotted=False)

    def matches(self, event: dict) -> bool:
        """Whether the event (a decoded envelope) matches the pattern."""
        if not isinstance(event, dict):
            return False
        return self.matcher.matches_document(event)


@lru_cache(maxsize=4096)
def compile_event_pattern(text: str) -> EventPattern:
    """The compiled pattern, or InvalidEventPattern with AWS's text (cached by text)."""
    try:
        branches, _depth = ruler_compiler.compile_branches(text, DIALECT)
    except (json_reader.RulerSyntaxError, ruler_compiler.RuleError) as error:
        raise InvalidEventPattern(f"{_PREFIX}{error}") from None
    return EventPattern(text, branches)
