"""Tokens of the Logs Insights query language (Logs Insights QL).

A ``/`` starts a regular expression where an operand is expected (after an operator, ``(``,
``,``, ``like``...) and after ``parse <field>``; elsewhere it divides. ``#`` starts a comment
running to the end of the line (outside strings and regular expressions). A number followed at
once by a time unit (``5m``, ``1h``, ``100ms``) is one ``DURATION`` token, as ``bin(5m)`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.logs.insights.errors import QuerySyntaxError

# time units bin(), datefloor() and dateceil() take (Logs Insights QL's datetime functions)
DURATION_UNITS = {
    "ms": ("ms", 1), "s": ("ms", 1000), "sec": ("ms", 1000), "m": ("ms", 60_000),
    "min": ("ms", 60_000), "h": ("ms", 3_600_000), "hr": ("ms", 3_600_000),
    "d": ("ms", 86_400_000), "day": ("ms", 86_400_000), "w": ("ms", 604_800_000),
    "mo": ("month", 1), "mon": ("month", 1), "q": ("month", 3), "qtr": ("month", 3),
    "y": ("month", 12), "yr": ("month", 12),
}

OPERATORS = ("=~", "!=", "<=", ">=", "==", "=", "<", ">", "+", "-", "*", "/", "%", "^",
             "(", ")", "[", "]", ",", "|")

# tokens after which a value has ended: a following ``/`` divides
_OPERAND_END = {"NAME", "NUMBER", "STRING", "DURATION", "REGEX", ")", "]"}
# words that are operators, not operands
_WORD_OPERATORS = {"and", "or", "not", "like", "in", "as", "by", "asc", "desc"}


@dataclass(frozen=True)
class Token:
    kind: str      # NAME, NUMBER, STRING, REGEX, DURATION, an operator text, or EOF
    text: str      # the source text
    value: object  # the decoded value (string contents, number, (unit, count), regex source)
    start: int     # offset of the first character
    end: int       # offset after the last character

    def is_word(self, *words: str) -> bool:
        return self.kind == "NAME" and self.text.lower() in words


def tokenize(text: str) -> list[Token]:
    """The query's tokens, ending with an ``EOF`` token."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif ch in "\"'":
            tokens.append(_string(text, i))
            i = tokens[-1].end
        elif ch == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise QuerySyntaxError.at(text, i, n, "unterminated quoted field name")
            tokens.append(Token("NAME", text[i:end + 1], text[i + 1:end], i, end + 1))
            i = end + 1
        elif ch == "/" and _regex_allowed(tokens):
            tokens.append(_regex(text, i))
            i = tokens[-1].end
        elif ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            tokens.append(_number(text, i))
            i = tokens[-1].end
        elif ch.isalpha() or ch in "@_$":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "@_.$"):
                j += 1
            tokens.append(Token("NAME", text[i:j], text[i:j], i, j))
            i = j
        else:
            op = next((op for op in OPERATORS if text.startswith(op, i)), None)
            if op is None:
                raise QuerySyntaxError.at(text, i, i + 1, f"unexpected symbol found {ch}")
            tokens.append(Token(op, op, op, i, i + len(op)))
            i += len(op)
    tokens.append(Token("EOF", "", None, n, n))
    return tokens


def _regex_allowed(tokens: list[Token]) -> bool:
    if not tokens:
        return True
    last = tokens[-1]
    if len(tokens) >= 2 and tokens[-2].is_word("parse") and last.kind == "NAME":
        return True  # parse @message /(?<x>...)/
    if last.kind == "NAME" and last.text.lower() in _WORD_OPERATORS:
        return True
    return last.kind not in _OPERAND_END


def _string(text: str, start: int) -> Token:
    quote, out, i = text[start], [], start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
            i += 2
        elif ch == quote:
            return Token("STRING", text[start:i + 1], "".join(out), start, i + 1)
        else:
            out.append(ch)
            i += 1
    raise QuerySyntaxError.at(text, start, len(text), "unterminated string literal")


def _regex(text: str, start: int) -> Token:
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            i += 2
            continue
        if ch == "/":
            source = text[start + 1:i].replace("\\/", "/")
            return Token("REGEX", text[start:i + 1], source, start, i + 1)
        i += 1
    raise QuerySyntaxError.at(text, start, len(text), "unterminated regular expression")


def _number(text: str, start: int) -> Token:
    i, n = start, len(text)
    while i < n and text[i].isdigit():
        i += 1
    if i < n and text[i] == "." and i + 1 < n and text[i + 1].isdigit():
        i += 1
        while i < n and text[i].isdigit():
            i += 1
    if i < n and text[i] in "eE" and i + 1 < n and (text[i + 1].isdigit() or text[i + 1] in "+-"):
        j = i + 1 + (text[i + 1] in "+-")
        if j < n and text[j].isdigit():
            i = j
            while i < n and text[i].isdigit():
                i += 1
    digits = text[start:i]
    value = float(digits) if any(c in digits for c in ".eE") else int(digits)
    j = i
    while j < n and text[j].isalpha():
        j += 1
    if j > i:
        unit = text[i:j].lower()
        if unit not in DURATION_UNITS or not isinstance(value, int):
            raise QuerySyntaxError.at(text, start, j, f"unexpected symbol found {text[start:j]}")
        kind, factor = DURATION_UNITS[unit]
        return Token("DURATION", text[start:j], (kind, value * factor), start, j)
    return Token("NUMBER", digits, value, start, i)
