"""AWS's regular-expression subset inside filter patterns (``%...%``).

From "Supported regular expressions (regex) syntax" (CloudWatch Logs user guide): a regex may
hold only ASCII letters and digits, the symbols ``: _ # = @ / ; , -`` and the operators
``^ $ ? [ ] { } | \\ * + .``; parentheses (sub-patterns) and multi-byte characters are refused,
and a pattern holds at most two regular expressions. A regex matches anywhere in the text it is
applied to (``%AUTHORIZED%`` matches "UNAUTHORIZED"), as a search, case-sensitively.

Matching runs on RE2 (linear time in the text): a pattern such as ``%a*a*a*a*a*a*b%`` must not
hold a metric filter or a scan for minutes on one long line, as a backtracking engine would.
Python's ``re`` only checks the syntax first (RE2 writes its parse errors to stderr).
"""

from __future__ import annotations

import re

import re2

from overcast.services.logs.filter_pattern.errors import FilterPatternError, invalid_character

MAX_REGEX_PER_PATTERN = 2  # AWS quota: regular expressions per filter pattern
_SYMBOLS = set(":_#=@/;,-")
_OPERATORS = set("^$?[]{}|\\*+.")
_CLASS_ESCAPES = set("dDwWsS")  # \d \w \s and their negations


def _allowed(c: str) -> bool:
    return (c.isascii() and c.isalnum()) or c in _SYMBOLS or c in _OPERATORS


class AwsRegex:
    """One ``%body%``, compiled; ``search(text)`` gives a match or None."""

    __slots__ = ("body", "search")

    def __init__(self, body: str, compiled):
        self.body = body
        self.search = compiled.search


def compile_aws_regex(body: str) -> AwsRegex:
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
    source = body.replace("\\%", "%")
    try:
        re.compile(source, re.ASCII)
        return AwsRegex(body, re2.compile(source))
    except (re.error, re2.error, OverflowError, RecursionError):
        raise FilterPatternError() from None


_LITERAL = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_#=@/;,-")
_OPTIONAL_AFTER = set("?*{")  # a quantifier that lets the atom before it be absent


def required_literals(body: str) -> list[str]:
    """Runs of literal text every match of ``%body%`` contains (for SQL prefilters); [] when
    the regex has alternatives (``|``) or nothing certain. ``colou?r`` gives ["colo"]."""
    if "|" in body.replace("\\|", ""):
        return []
    runs, current, i, n = [], [], 0, len(body)

    def flush():
        if len(current) >= 2:
            runs.append("".join(current))
        current.clear()

    while i < n:
        c = body[i]
        if c == "\\" and i + 1 < n:
            escaped = body[i + 1]
            atom, width = (escaped if escaped in _LITERAL or escaped in ".[]{}^$?*+|" else None), 2
        elif c in _LITERAL:
            atom, width = c, 1
        elif c == "[":
            close = body.find("]", i + 2)
            atom, width = None, (close - i + 1) if close != -1 else n - i
        else:  # ^ $ . + and quantifiers: . ends a run; + keeps the atom before it required
            atom, width = None, 1
            if c == "+":
                i += 1
                continue
        nxt = body[i + width] if i + width < n else ""
        if atom is None or nxt in _OPTIONAL_AFTER:
            flush()
        else:
            current.append(atom)
        i += width
        if nxt == "{":
            close = body.find("}", i)
            i = close + 1 if close != -1 else n
    flush()
    return runs
