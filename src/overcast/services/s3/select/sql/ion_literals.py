"""Backtick literals (`2010-01-01T`, `true`, `1.5`): the scalar Ion text S3 Select takes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .errors import SelectError
from .timestamps import parse_ion_timestamp

_INT = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([dD][+-]?\d+)?")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+")


def parse_ion_literal(token) -> object:
    text = str(token.value).strip()
    if text == "true":
        return True
    if text == "false":
        return False
    if text in ("null", "null.null"):
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _DECIMAL.fullmatch(text):
        try:
            return Decimal(text.replace("d", "e").replace("D", "e"))
        except InvalidOperation:
            pass
    stamp = parse_ion_timestamp(text)
    if stamp is not None:
        return stamp
    raise SelectError(
        "LexerInvalidIONLiteral",
        f"Invalid Ion literal {token.text} at line {token.line}, column {token.column}.",
    )
