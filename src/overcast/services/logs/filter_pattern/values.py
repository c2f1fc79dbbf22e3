"""Comparison values of JSON and space-delimited patterns, and how they test a field.

A value is a number (``400``, ``-1.5``, ``10e3``), a string (quoted, or bare letters and digits
with ``* . _ - +``), or a ``%regex%``. Strings compare with ``=``/``!=`` only and may hold the
``*`` wildcard; numbers compare with ``= != < > <= >=``; a regex with ``=``/``!=``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from overcast.services.logs.filter_pattern.aws_regex import AwsRegex, compile_aws_regex, required_literals
from overcast.services.logs.filter_pattern.cursor import Cursor
from overcast.services.logs.filter_pattern.errors import FilterPatternError, invalid_character

OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
_BARE_EXTRA = set("*._-+")
_ORDERING = {
    "<": lambda a, b: a < b, ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def read_operator(cur: Cursor) -> str | None:
    cur.skip_space()
    for op in OPERATORS:
        if cur.startswith(op):
            cur.advance(len(op))
            return op
    return None


@dataclass(frozen=True)
class Value:
    kind: str  # "number" | "string" | "regex"
    text: str
    number: float | None = None
    regex: AwsRegex | None = None
    wildcard: Callable[[str], bool] | None = None  # string test with * expanded

    def fixed_parts(self) -> list[str]:
        """Pieces of text every field equal to this value contains (for SQL prefilters)."""
        if self.kind == "regex":
            return required_literals(self.text)
        if self.kind != "string":
            return []
        return [p for p in self.text.split("*") if p]


def read_value(cur: Cursor, stop: str, wildcard_anywhere: bool) -> Value:
    """The value at the cursor; ``stop`` lists characters that end a bare value."""
    cur.skip_space()
    c = cur.peek()
    if c == "":
        raise FilterPatternError()
    if c == '"':
        text = cur.read_quoted()
        return Value("string", text, wildcard=_wildcard_test(text, wildcard_anywhere))
    if c == "%":
        body = cur.read_regex()
        return Value("regex", body, regex=compile_aws_regex(body))
    start = cur.pos
    while not cur.at_end() and not cur.peek().isspace() and cur.peek() not in stop:
        ch = cur.peek()
        if not (ch.isalnum() or ch in _BARE_EXTRA):
            raise invalid_character(ch)
        cur.advance()
    text = cur.text[start:cur.pos]
    if not text:
        raise FilterPatternError()
    if _NUMBER.match(text):
        return Value("number", text, number=float(text))
    return Value("string", text, wildcard=_wildcard_test(text, wildcard_anywhere))


def _wildcard_test(text: str, anywhere: bool) -> Callable[[str], bool]:
    """JSON patterns expand ``*`` at the start or end of a value only ("Ev*ent" is literal, as
    the user guide says); space-delimited fields expand it anywhere ("*.html*", "4*")."""
    if text == "*":
        return lambda s: True
    if anywhere and "*" in text.strip("*"):
        rx = re.compile(".*".join(re.escape(p) for p in text.split("*")) + r"\Z", re.DOTALL)
        return lambda s: rx.match(s) is not None
    lead, trail = text.startswith("*"), text.endswith("*")
    core = text[1 if lead else 0:len(text) - 1 if trail else len(text)]
    if lead and trail:
        return lambda s: core in s
    if lead:
        return lambda s: s.endswith(core)
    if trail:
        return lambda s: s.startswith(core)
    return lambda s: s == core


def check_operator(op: str, value: Value) -> None:
    """Ordering operators need a number: ``{ $.a > abc }`` is refused."""
    if op not in ("=", "!=") and value.kind != "number":
        raise FilterPatternError()


def scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value)
    return None


def test_value(op: str, value: Value, field: Any, numeric_strings: bool) -> bool:
    """Whether ``field OP value`` holds for one scalar field (str, int, float or bool).

    ``numeric_strings``: a string field that reads as a number compares numerically (space-
    delimited fields are all text); in JSON only a JSON number does.
    """
    if value.kind == "regex":
        found = value.regex.search(scalar_text(field)) is not None
        return found if op == "=" else not found
    if value.kind == "number":
        if isinstance(field, str) and not numeric_strings:
            if op in ("=", "!="):
                same = field == value.text
                return same if op == "=" else not same
            return False
        number = as_number(field) if (numeric_strings or not isinstance(field, str)) else None
        if number is None:
            if op in ("=", "!=") and isinstance(field, str):
                same = field == value.text
                return same if op == "=" else not same
            return False
        return _ORDERING[op](number, value.number)
    same = value.wildcard(scalar_text(field))
    return same if op == "=" else not same
