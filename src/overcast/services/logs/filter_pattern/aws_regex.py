"""AWS's regular-expression subset inside filter patterns (``%...%``).

From "Supported regular expressions (regex) syntax" (CloudWatch Logs user guide): a regex may
hold only ASCII letters and digits, the symbols ``: _ # = @ / ; , -`` and the operators
``^ $ ? [ ] { } | \\ * + .``; parentheses (sub-patterns) and multi-byte characters are refused,
and a pattern holds at most two regular expressions. A regex matches anywhere in the text it is
applied to (``%AUTHORIZED%`` matches "UNAUTHORIZED"), as a search, case-sensitively.
"""

from __future__ import annotations

import re

from overcast.services.logs.filter_pattern.errors import FilterPatternError, invalid_character

MAX_REGEX_PER_PATTERN = 2  # AWS quota: regular expressions per filter pattern
_SYMBOLS = set(":_#=@/;,-")
_OPERATORS = set("^$?[]{}|\\*+.")
_CLASS_ESCAPES = set("dDwWsS")  # \d \w \s and their negations


def _allowed(c: str) -> bool:
    return (c.isascii() and c.isalnum()) or c in _SYMBOLS or c in _OPERATORS


def compile_aws_regex(body: str) -> re.Pattern:
    """The compiled form of one ``%body%``; refuses what AWS refuses."""
    if not body:
        raise FilterPatternError()
    i = 0
    while i < len(body):
        c = body[i]
        if not _allowed(c):
            raise invalid_character(c)
        if c == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            # an escape is a character class (\d) or a literal operator/symbol (\.)
            if not nxt or not (nxt in _CLASS_ESCAPES or ((nxt in _SYMBOLS or nxt in _OPERATORS or nxt == "%"))):
                raise FilterPatternError()
            i += 2
            continue
        i += 1
    try:
        return re.compile(body.replace("\\%", "%"), re.ASCII)
    except re.error:
        raise FilterPatternError() from None
