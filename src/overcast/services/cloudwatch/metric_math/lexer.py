"""Tokens of CloudWatch's metric math language.

Numbers (``3``, ``0.5``, ``1e-36``), identifiers (query Ids and function names), strings in
single or double quotes (SEARCH and METRICS filters), arithmetic ``+ - * / ^``, comparison
``== != < <= > >=``, logic ``AND && OR || NOT !``, parentheses, brackets and commas."""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.services.cloudwatch.metric_math.errors import ExpressionError


@dataclass(frozen=True)
class Token:
    kind: str        # "number" | "name" | "string" | "op" | "end"
    text: str
    position: int


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/^()<>\[\],!])
""", re.VERBOSE)

# Words that are operators, not identifiers (AWS accepts them in upper case only).
_WORD_OPERATORS = {"AND": "&&", "OR": "||", "NOT": "!"}


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token; raises ExpressionError on a stray
    character or an unterminated string."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError()
        kind = match.lastgroup
        value = match.group()
        if kind == "name" and value in _WORD_OPERATORS:
            tokens.append(Token("op", _WORD_OPERATORS[value], position))
        elif kind == "string":
            tokens.append(Token("string", _unquote(value[1:-1]), position))
        elif kind != "space":
            tokens.append(Token(kind, value, position))
        position = match.end()
    tokens.append(Token("end", "", position))
    return tokens


def _unquote(body: str) -> str:
    return re.sub(r"\\(.)", r"\1", body)
