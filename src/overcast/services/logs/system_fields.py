"""System fields of metric and subscription filters: ``fieldSelectionCriteria`` (which events a
filter processes, by their source account and region) and the system fields a metric filter
emits as dimensions (``emitSystemFieldDimensions``).

The criteria's syntax (PutMetricFilter / PutSubscriptionFilter references): comparisons of a
system field with ``=``, ``!=``, ``IN [...]``, ``NOT IN [...]`` on quoted strings, joined by
``AND`` / ``OR``, with ``NOT`` and parentheses; e.g. ``@aws.region = "us-east-1"`` or
``@aws.account IN ["123456789012", "987654321098"]``. Every event of a log group comes from
the group's own account and region in Overcast (no centralization), so a filter's criteria
hold for all of a group's events or for none: they are decided once per group.
"""

from __future__ import annotations

import re
from typing import Callable

from overcast.services.logs.errors import InvalidParameterException

EMITTABLE_DIMENSIONS = ("@aws.account", "@aws.region")
_TOKEN = re.compile(r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>!=|=|\(|\)|\[|\]|,)|(?P<word>[@A-Za-z0-9_.\-]+))')

Criteria = Callable[[dict], bool]


def _invalid(text: str) -> InvalidParameterException:
    return InvalidParameterException(f"Invalid fieldSelectionCriteria: {text}")


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TOKEN.match(text, pos)
        if found is None:
            raise _invalid(f"unexpected character at position {pos + 1}")
        out.append(found.group(found.lastgroup))
        pos = found.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _invalid("unexpected end of the expression")
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.upper() == word:
            self.pos += 1
            return True
        return False

    def expression(self) -> Criteria:
        parts = [self.conjunction()]
        while self.keyword("OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda fields: any(p(fields) for p in parts))

    def conjunction(self) -> Criteria:
        parts = [self.negation()]
        while self.keyword("AND"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda fields: all(p(fields) for p in parts))

    def negation(self) -> Criteria:
        if self.keyword("NOT"):
            inner = self.negation()
            return lambda fields: not inner(fields)
        if self.peek() == "(":
            self.take()
            inner = self.expression()
            if self.take() != ")":
                raise _invalid("a parenthesis is not closed")
            return inner
        return self.comparison()

    def comparison(self) -> Criteria:
        field = self.take()
        if not field.startswith("@"):
            raise _invalid(f"{field} is not a system field")
        if self.keyword("NOT"):
            if not self.keyword("IN"):
                raise _invalid("NOT must be followed by IN")
            values = self.values()
            return lambda fields: fields.get(field) not in values
        if self.keyword("IN"):
            values = self.values()
            return lambda fields: fields.get(field) in values
        op = self.take()
        if op not in ("=", "!="):
            raise _invalid(f"unknown operator {op}")
        value = self.string()
        return (lambda fields: fields.get(field) == value) if op == "=" else (lambda fields: fields.get(field) != value)

    def string(self) -> str:
        token = self.take()
        if not (token.startswith('"') and token.endswith('"') and len(token) >= 2):
            raise _invalid(f"{token} is not a quoted string")
        return re.sub(r"\\(.)", r"\1", token[1:-1])

    def values(self) -> frozenset[str]:
        if self.take() != "[":
            raise _invalid("IN takes a list in brackets")
        values = [self.string()]
        while self.peek() == ",":
            self.take()
            values.append(self.string())
        if self.take() != "]":
            raise _invalid("a list is not closed")
        return frozenset(values)


def compile_criteria(text: str | None) -> Criteria | None:
    """The criteria as a predicate over the system fields, or None without criteria."""
    if text is None or not text.strip():
        return None
    parser = _Parser(text)
    criteria = parser.expression()
    if parser.peek() is not None:
        raise _invalid(f"unexpected {parser.peek()}")
    return criteria


def system_fields(group) -> dict:
    """The system fields of a group's events."""
    return {"@aws.account": group.account, "@aws.region": group.region}


def applies_to(criteria_text: str | None, group) -> bool:
    """Whether a filter with these criteria processes the group's events (stored criteria: valid)."""
    criteria = compile_criteria(criteria_text)
    return criteria is None or criteria(system_fields(group))


def check_emitted_dimensions(fields, dimension_count: int) -> list[str]:
    """emitSystemFieldDimensions, checked ("count toward the total dimension limit")."""
    fields = list(fields or [])
    for field in fields:
        if field not in EMITTABLE_DIMENSIONS:
            raise InvalidParameterException(f"Invalid emitSystemFieldDimensions: {field}. Valid values are "
                                            f"{' and '.join(EMITTABLE_DIMENSIONS)}")
    if dimension_count + len(set(fields)) > 3:
        raise InvalidParameterException("Invalid metric transformation: the maximum number of dimensions is 3")
    return sorted(set(fields))
