"""Property selectors of JSON patterns: ``$.a.b``, ``$.list[0]``, ``$.list[*]``, ``$.obj.*``.

A selector starts at the document root ``$``; names hold letters, digits, ``_`` and ``-``
(``$.detail-type``); ``[N]`` indexes an array; ``[*]`` and ``.*`` stand for every element or
member (AWS allows one wildcard per selector).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from overcast.services.logs.filter_pattern.cursor import Cursor
from overcast.services.logs.filter_pattern.errors import FilterPatternError, invalid_character

MAX_WILDCARDS_PER_SELECTOR = 1
_WILDCARD = object()
_MISSING = object()


def _name_char(c: str) -> bool:
    return c.isalnum() or c in "_-"


class Selector:
    __slots__ = ("text", "steps", "wildcards")

    def __init__(self, text: str, steps: tuple):
        self.text = text
        self.steps = steps  # str (member), int (index) or _WILDCARD
        self.wildcards = sum(s is _WILDCARD for s in steps)

    def last_name(self) -> str | None:
        for step in reversed(self.steps):
            if isinstance(step, str):
                return step
        return None

    def resolve(self, document: Any) -> list[Any]:
        """Every node the selector reaches (several through a wildcard); [] when absent."""
        nodes = [document]
        for step in self.steps:
            found = []
            for node in nodes:
                if step is _WILDCARD:
                    if isinstance(node, dict):
                        found.extend(node.values())
                    elif isinstance(node, list):
                        found.extend(node)
                elif isinstance(step, str):
                    if isinstance(node, dict) and step in node:
                        found.append(node[step])
                elif isinstance(node, list) and step < len(node):
                    found.append(node[step])
            if not found:
                return []
            nodes = found
        return nodes


def read_selector(cur: Cursor) -> Selector:
    """The selector at the cursor (which is at ``$``)."""
    start = cur.pos
    if cur.peek() != "$":
        raise FilterPatternError()
    cur.advance()
    steps: list = []
    while not cur.at_end():
        c = cur.peek()
        if c == ".":
            cur.advance()
            if cur.peek() == "*":
                cur.advance()
                steps.append(_WILDCARD)
                continue
            name_start = cur.pos
            while not cur.at_end() and _name_char(cur.peek()):
                cur.advance()
            if cur.pos == name_start:
                # AWS quotes the selector up to the refused character: '$."'
                raise invalid_character(cur.text[start:cur.pos + 1])
            steps.append(cur.text[name_start:cur.pos])
        elif c == "[":
            cur.advance()
            if cur.peek() == "*":
                cur.advance()
                steps.append(_WILDCARD)
            else:
                digits_start = cur.pos
                while cur.peek().isdigit():
                    cur.advance()
                if cur.pos == digits_start:
                    raise FilterPatternError()
                steps.append(int(cur.text[digits_start:cur.pos]))
            if cur.peek() != "]":
                raise FilterPatternError()
            cur.advance()
        else:
            break
    if not steps or not isinstance(steps[0], str) and steps[0] is not _WILDCARD:
        raise FilterPatternError()  # "array elements ... must follow a property"
    selector = Selector(cur.text[start:cur.pos], tuple(steps))
    if selector.wildcards > MAX_WILDCARDS_PER_SELECTOR:
        raise FilterPatternError()
    return selector


@lru_cache(maxsize=256)
def parse_selector(text: str) -> Selector | None:
    """A whole selector string (metric values, dimensions), or None when it is not one."""
    try:
        cur = Cursor(text.strip())
        selector = read_selector(cur)
        return selector if cur.at_end() else None
    except FilterPatternError:
        return None


def first_scalar(selector: Selector, document: Any) -> Any:
    for node in selector.resolve(document):
        if not isinstance(node, (dict, list)):
            return node
    return None
