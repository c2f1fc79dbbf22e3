"""The wildcard operator: its grammar (``*`` for any run of characters, ``\\*`` and ``\\\\`` for
the characters themselves), its matching, and event-ruler's complexity rule.

Positions in the grammar's messages count UTF-8 bytes of the value as event-ruler sees it, inside
its quotes (the first character is at position 1).
"""

from __future__ import annotations

import re

STAR = None  # a wildcard token; every other token is one literal character

TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character"
)
# The most partial matches the wildcard patterns of one field may keep alive at once while a
# value is read (states waiting for a literal character, or complete). Calibrated on AWS's
# recorded answers: four leading-wildcard suffixes on one field ("*.bif", "*.tiff", "*.tif",
# "*.svs": 8) are refused as too complex, two of them are accepted.
MAX_ACTIVE_STATES = 7


class WildcardError(Exception):
    """A wildcard value event-ruler cannot read; ``str()`` is its text."""


def parse(text: str) -> tuple:
    """The tokens of a wildcard value: characters, with STAR for each unescaped ``*``."""
    tokens: list = []
    position = 1  # byte position inside the quoted value
    index = 0
    while index < len(text):
        ch = text[index]
        width = len(ch.encode("utf-8", "surrogatepass"))
        if ch == "*":
            if index + 1 < len(text) and text[index + 1] == "*":
                raise WildcardError(f"Consecutive wildcard characters at pos {position}")
            tokens.append(STAR)
        elif ch == "\\":
            following = text[index + 1] if index + 1 < len(text) else None
            if following not in ("*", "\\"):
                raise WildcardError(f"Invalid escape character at pos {position}")
            tokens.append(following)
            index += 1
            position += 1
        else:
            tokens.append(ch)
        index += 1
        position += width
    return tuple(tokens)


def to_regex(tokens: tuple) -> re.Pattern:
    return re.compile(
        "".join(".*" if token is STAR else re.escape(token) for token in tokens), re.DOTALL
    )


def complexity(patterns: list[tuple]) -> int:
    """The most partial matches the patterns keep alive at once over any input value.

    Each pattern is a chain of states (one per token); a wildcard state loops on every
    character. The input alphabet that matters is the patterns' literal characters plus one
    character none of them names, so the reachable sets of live states are enumerated exactly;
    a set's weight is its states waiting for a literal character or at a pattern's end.
    """
    if not patterns:
        return 0
    alphabet = {token for tokens in patterns for token in tokens if token is not STAR}
    alphabet.add("\x00other")

    def closure(states) -> frozenset:
        out = set()
        for pattern, position in states:
            tokens = patterns[pattern]
            out.add((pattern, position))
            # A wildcard may match nothing: the next state is live too.
            while position < len(tokens) and tokens[position] is STAR:
                position += 1
                out.add((pattern, position))
        return frozenset(out)

    def weight(states) -> int:
        return sum(
            1 for pattern, position in states
            if position >= len(patterns[pattern]) or patterns[pattern][position] is not STAR
        )

    start = closure((index, 0) for index in range(len(patterns)))
    worst = weight(start)
    seen = {start}
    pending = [start]
    while pending:
        live = pending.pop()
        for ch in alphabet:
            following = []
            for pattern, position in live:
                tokens = patterns[pattern]
                if position >= len(tokens):
                    continue
                token = tokens[position]
                if token is STAR:
                    following.append((pattern, position))
                elif token == ch:
                    following.append((pattern, position + 1))
            if not following:
                continue
            reached = closure(following)
            worst = max(worst, weight(reached))
            if worst > MAX_ACTIVE_STATES:
                return worst
            if reached not in seen:
                seen.add(reached)
                pending.append(reached)
    return worst
