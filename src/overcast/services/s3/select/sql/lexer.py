"""Tokens of the S3 Select dialect, with the line and column AWS quotes in its parse errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .errors import SelectError

# The words the dialect reserves (AWS's "Reserved keywords" list, trimmed to those that change
# how a statement parses); function names such as LOWER stay identifiers.
KEYWORDS = frozenset(
    """
    all and any as asc between both by case cast char character coalesce count cross
    date_add date_diff desc distinct else end escape exists extract false for from full
    group having in inner intersect is join leading left like limit missing not null nullif
    offset on or order outer right select some substring then to trailing trim true union
    using values when where with avg sum min max pivot unpivot
    """.split()
)

IDENT_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
NUMBER_RE = re.compile(r"(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?", re.ASCII)
OPERATORS = ("<>", "!=", "<=", ">=", "||", "=", "<", ">", "+", "-", "*", "/", "%")
PUNCTUATION = {
    "(": "LEFT_PAREN",
    ")": "RIGHT_PAREN",
    "[": "LEFT_BRACKET",
    "]": "RIGHT_BRACKET",
    ",": "COMMA",
    ".": "DOT",
    ";": "SEMICOLON",
}


@dataclass(frozen=True)
class Token:
    kind: str  # KEYWORD IDENTIFIER QUOTED_IDENTIFIER LITERAL ION_LITERAL OPERATOR STAR ... EOF
    value: object  # keyword in lower case, identifier text, literal value, operator text
    text: str  # the source text of the token
    line: int
    column: int

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "KEYWORD" and self.value in words

    def is_op(self, *ops: str) -> bool:
        return self.kind == "OPERATOR" and self.value in ops

    def describe(self) -> str:
        """AWS's rendering of a token in messages today: its type, the value withheld.

        (AWS once printed the value in Ion text, ``LITERAL:5d-1``, ``OPERATOR:'%'``; its
        current answers read ``KEYWORD:UNKNOWN``, ``OPERATOR:UNKNOWN``: the query's text is
        kept out of error messages.)"""
        return f"{self.kind}:UNKNOWN"

    def where(self) -> str:
        return f"at line {self.line}, column {self.column}"


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i, line, line_start, n = 0, 1, 0, len(source)
    while i < n:
        ch = source[i]
        column = i - line_start + 1
        if ch == "\n":
            i, line, line_start = i + 1, line + 1, i + 1
            continue
        if ch in " \t\r\f\v":
            i += 1
            continue
        if source.startswith("--", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch == "'":
            start = i
            text, i = _quoted(source, i, "'", line, column)
            tokens.append(Token("LITERAL", text, source[start:i], line, column))
            continue
        if ch == '"':
            start = i
            text, i = _quoted(source, i, '"', line, column)
            tokens.append(Token("QUOTED_IDENTIFIER", text, source[start:i], line, column))
            continue
        if ch == "`":
            end = source.find("`", i + 1)
            if end < 0:
                raise SelectError(
                    "LexerInvalidIONLiteral",
                    f"Invalid Ion literal at line {line}, column {column}.",
                )
            body = source[i + 1 : end]
            tokens.append(Token("ION_LITERAL", body, source[i : end + 1], line, column))
            i = end + 1
            continue
        match = NUMBER_RE.match(source, i) if (ch in "0123456789.") else None
        if match and match.group() != ".":
            text = match.group()
            tokens.append(Token("LITERAL", _number(text), text, line, column))
            i = match.end()
            continue
        match = IDENT_RE.match(source, i)
        if match:
            text = match.group()
            lowered = text.lower()
            kind = "KEYWORD" if lowered in KEYWORDS else "IDENTIFIER"
            tokens.append(Token(kind, lowered if kind == "KEYWORD" else text, text, line, column))
            i = match.end()
            continue
        if ch in PUNCTUATION:
            tokens.append(Token(PUNCTUATION[ch], ch, ch, line, column))
            i += 1
            continue
        op = next((o for o in OPERATORS if source.startswith(o, i)), None)
        if op:
            kind = "STAR" if op == "*" else "OPERATOR"
            tokens.append(Token(kind, op, op, line, column))
            i += len(op)
            continue
        raise SelectError(
            "LexerInvalidChar",
            f"Invalid character at line {line}, column {column}.",
        )
    column = n - line_start + 1
    tokens.append(Token("EOF", "", "", line, column))
    return tokens


def _quoted(source: str, i: int, quote: str, line: int, column: int) -> tuple[str, int]:
    """Text between quotes starting at ``i``, a doubled quote standing for one."""
    parts, j = [], i + 1
    while True:
        end = source.find(quote, j)
        if end < 0:
            code = "LexerInvalidLiteral" if quote == "'" else "LexerInvalidChar"
            raise SelectError(code, f"Invalid literal at line {line}, column {column}.")
        parts.append(source[j:end])
        if source.startswith(quote * 2, end):
            parts.append(quote)
            j = end + 2
            continue
        return "".join(parts), end + 1


def _number(text: str):
    if "e" in text or "E" in text:
        return float(text)
    if "." in text:
        return Decimal(text)
    return int(text)
