"""JSON patterns: ``{ $.level = "ERROR" && ($.latency > 100 || $.retry IS TRUE) }``.

From "Using filter patterns to match terms in JSON log events": the message must be a JSON
document; a condition is ``SELECTOR OP VALUE`` (``=``/``!=`` with strings, ``*`` wildcards or
a ``%regex%``; ``= != < > <= >=`` with numbers), ``IS NULL``, ``NOT EXISTS``, ``IS TRUE`` or
``IS FALSE``; ``&&`` binds tighter than ``||``; parentheses group. A selector that reaches an
object or an array is false with every operator (both ``{$.users = 1}`` and ``{$.users != 1}``
fail when users is an array). With a wildcard selector a condition holds when it holds for one
of the reached values. AWS allows three wildcards in a whole pattern.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from overcast.services.logs.filter_pattern.cursor import Cursor
from overcast.services.logs.filter_pattern.errors import FilterPatternError, unterminated
from overcast.services.logs.filter_pattern.json_selector import (
    Selector, first_scalar, parse_selector, read_selector,
)
from overcast.services.logs.filter_pattern.sql import contains
from overcast.services.logs.filter_pattern.match import FilterMatch
from overcast.services.logs.filter_pattern.values import (
    Value, check_operator, read_operator, read_value, test_value,
)

MAX_WILDCARDS_PER_PATTERN = 3
def _verbatim(text: str) -> bool:
    """Text JSON encoders write as is (printable ASCII; not the quote, the backslash or the
    slash some escape), so a substring test over the raw message can look for it. An encoder could
    still write ``\\u0041`` for "A": no common one does."""
    return bool(text) and all(32 <= ord(c) < 127 and c not in '"\\/' for c in text)


@dataclass(frozen=True)
class Condition:
    selector: Selector
    op: str  # an operator, or "IS NULL" / "NOT EXISTS" / "IS TRUE" / "IS FALSE"
    value: Value | None = None

    def holds(self, document: Any) -> bool:
        nodes = self.selector.resolve(document)
        if self.op == "NOT EXISTS":
            return not nodes
        if self.op == "IS NULL":
            return any(n is None for n in nodes)
        if self.op == "IS TRUE":
            return any(n is True for n in nodes)
        if self.op == "IS FALSE":
            return any(n is False for n in nodes)
        for node in nodes:
            if node is None or isinstance(node, (dict, list)):
                continue
            if test_value(self.op, self.value, node, numeric_strings=False):
                return True
        return False

    def prefilter(self) -> tuple[list[str], list] | None:
        if self.op == "NOT EXISTS":
            return None
        name = self.selector.last_name()
        tests = [contains(f'"{name}"')] if name and _verbatim(name) else []
        if self.op == "=" and self.value is not None:
            tests += [contains(part) for part in self.value.fixed_parts() if _verbatim(part)]
        return ([clause for clause, _ in tests], [param for _, param in tests]) if tests else None


@dataclass(frozen=True)
class Junction:
    op: str  # "&&" or "||"
    parts: tuple

    def holds(self, document: Any) -> bool:
        if self.op == "&&":
            return all(p.holds(document) for p in self.parts)
        return any(p.holds(document) for p in self.parts)

    def prefilter(self) -> tuple[list[str], list] | None:
        found = [p.prefilter() for p in self.parts]
        if self.op == "&&":
            clauses, params = [], []
            for f in found:
                if f:
                    clauses.extend(f[0])
                    params.extend(f[1])
            return (clauses, params) if clauses else None
        if any(f is None for f in found):
            return None
        ors, params = [], []
        for f in found:
            ors.append("(" + " AND ".join(f[0]) + ")")
            params.extend(f[1])
        return ["(" + " OR ".join(ors) + ")"], params


class _Parser:
    def __init__(self, body: str):
        self.cur = Cursor(body)
        self.wildcards = 0

    def parse(self):
        node = self.expression()
        self.cur.skip_space()
        if not self.cur.at_end():
            raise FilterPatternError()
        if self.wildcards > MAX_WILDCARDS_PER_PATTERN:
            raise FilterPatternError()
        return node

    def expression(self):
        parts = [self.conjunction()]
        while self._take("||"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Junction("||", tuple(parts))

    def conjunction(self):
        parts = [self.unary()]
        while self._take("&&"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else Junction("&&", tuple(parts))

    def unary(self):
        if self._take("("):
            node = self.expression()
            if not self._take(")"):
                raise FilterPatternError()
            return node
        return self.condition()

    def condition(self) -> Condition:
        cur = self.cur
        cur.skip_space()
        selector = read_selector(cur)
        self.wildcards += selector.wildcards
        cur.skip_space()
        for words in (("IS", "NULL"), ("NOT", "EXISTS"), ("IS", "TRUE"), ("IS", "FALSE")):
            if self._take_words(words):
                return Condition(selector, " ".join(words))
        op = read_operator(cur)
        if op is None:
            raise FilterPatternError()
        value = _read_json_value(cur)
        check_operator(op, value)
        return Condition(selector, op, value)

    def _take(self, token: str) -> bool:
        self.cur.skip_space()
        if self.cur.startswith(token):
            self.cur.advance(len(token))
            return True
        return False

    def _take_words(self, words: tuple[str, ...]) -> bool:
        save = self.cur.pos
        for word in words:
            self.cur.skip_space()
            chunk = self.cur.text[self.cur.pos:self.cur.pos + len(word)]
            after = self.cur.peek(len(word))
            if chunk.upper() != word or (after and (after.isalnum() or after == "_")):
                self.cur.pos = save
                return False
            self.cur.advance(len(word))
        return True


def _read_json_value(cur: Cursor) -> Value:
    return read_value(cur, stop=")&|", wildcard_anywhere=False)


class JsonPattern:
    kind = "json"

    def __init__(self, text: str):
        if not text.endswith("}"):
            raise unterminated("{", "}")
        body = text[1:-1]
        if not body.strip():
            raise FilterPatternError()
        self.root = _Parser(body).parse()
        self.regex_count = _count_regex(self.root)

    def match(self, message: str) -> FilterMatch | None:
        stripped = message.lstrip()
        if not stripped.startswith(("{", "[")):
            return None
        try:
            document = json.loads(message)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python reads
            return None
        if not self.root.holds(document):
            return None
        return FilterMatch(lambda selector: _lookup(document, selector))

    def sql_prefilter(self) -> tuple[str, list] | None:
        found = self.root.prefilter()
        if not found:
            return None
        return " AND ".join(found[0]), found[1]


def _lookup(document: Any, selector_text: str) -> Any:
    selector = parse_selector(selector_text)
    return first_scalar(selector, document) if selector else None


def _count_regex(node) -> int:
    if isinstance(node, Junction):
        return sum(_count_regex(p) for p in node.parts)
    return int(node.value is not None and node.value.kind == "regex")
