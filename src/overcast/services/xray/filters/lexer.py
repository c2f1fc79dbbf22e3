"""Tokens of X-Ray's filter expression language.

Strings are double-quoted (a backslash escapes the next character); numbers are decimal,
optionally signed; a name is letters, digits, ``_``, ``.``, ``-`` and ``:`` (``annotation.key``,
``http.url``, ``AWS::EC2::Instance`` never appears unquoted, but keys may contain ``-``);
``annotation[key]`` is one name. The word operators (AND, OR, CONTAINS, BEGINSWITH, ENDSWITH)
are matched case-insensitively, as the console accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass

WORD_OPERATORS = ("AND", "OR", "CONTAINS", "BEGINSWITH", "ENDSWITH")
_SYMBOLS = ("!=", "<=", ">=", "=", "<", ">", "!", "(", ")", "{", "}", ",", ":")


class FilterSyntaxError(ValueError):
    """The expression cannot be read; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # "string" | "number" | "name" | "op" | "end"
    value: object
    position: int


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_.-@$/"


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            i = _string(text, i, tokens)
        elif ch.isdigit() or (ch in "+-" and i + 1 < n and (text[i + 1].isdigit() or text[i + 1] == ".")) \
                or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            i = _number(text, i, tokens)
        elif ch.isalpha() or ch == "_":
            i = _name(text, i, tokens)
        else:
            for symbol in _SYMBOLS:
                if text.startswith(symbol, i):
                    tokens.append(Token("op", symbol, i))
                    i += len(symbol)
                    break
            else:
                raise FilterSyntaxError(f"unexpected character '{ch}'", i)
    tokens.append(Token("end", None, n))
    return tokens


def _string(text: str, start: int, tokens: list[Token]) -> int:
    out, i = [], start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif ch == '"':
            tokens.append(Token("string", "".join(out), start))
            return i + 1
        else:
            out.append(ch)
            i += 1
    raise FilterSyntaxError("unterminated string", start)


def _number(text: str, start: int, tokens: list[Token]) -> int:
    i = start + 1
    while i < len(text) and (text[i].isdigit() or text[i] in ".eE" or (text[i] in "+-" and text[i - 1] in "eE")):
        i += 1
    literal = text[start:i]
    try:
        value = float(literal)
    except ValueError:
        raise FilterSyntaxError(f"invalid number '{literal}'", start) from None
    tokens.append(Token("number", value, start))
    return i


def _name(text: str, start: int, tokens: list[Token]) -> int:
    i = start
    while i < len(text):
        if _is_name_char(text[i]):
            i += 1
        elif text[i] == "[":  # annotation[key]: the brackets belong to the name
            close = text.find("]", i)
            if close < 0:
                raise FilterSyntaxError("unterminated '['", i)
            i = close + 1
        else:
            break
    word = text[start:i]
    if word.upper() in WORD_OPERATORS:
        tokens.append(Token("op", word.upper(), start))
    else:
        tokens.append(Token("name", word, start))
    return i
