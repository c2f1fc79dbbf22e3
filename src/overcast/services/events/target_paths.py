"""The JSON path subset EventBridge takes in a target's ``InputPath`` and the values of an
``InputTransformer``'s ``InputPathsMap``.

The user guide ("Amazon EventBridge input transformation") lists what is supported: dot
notation rooted at ``$`` (``$.detail``), dashes, underscores, alphanumeric characters, forward
slashes, array indices (``$.detail.items[0]``) and wildcards (``*``). PutTargets refuses a path
without the leading ``$`` and quoted bracket notation (``$.detail['key']``) even though both are
legal JSONPath elsewhere; a bare ``$`` is the whole event.
"""

from __future__ import annotations

import functools
import re

# One step after ``$``: ``.name`` (any characters but the path's own punctuation, quotes and
# blanks), ``.*``, ``[3]`` or ``[*]``
_STEP = re.compile(r"\.([^.\[\]'\"\s]+)|\[(\d+|\*)\]")

WILDCARD = object()
MISSING = object()


@functools.lru_cache(maxsize=4096)
def parse_path(text: str) -> tuple | None:
    """The path's steps (str keys, int indices, ``WILDCARD``), or None when EventBridge
    refuses it."""
    if not text.startswith("$"):
        return None
    steps: list = []
    pos = 1
    while pos < len(text):
        match = _STEP.match(text, pos)
        if match is None:
            return None
        key, index = match.groups()
        if key is not None:
            steps.append(WILDCARD if key == "*" else key)
        else:
            steps.append(WILDCARD if index == "*" else int(index))
        pos = match.end()
    return tuple(steps)


def extract(event, steps: tuple):
    """The value at ``steps`` in ``event``, or ``MISSING``. A path with a wildcard answers the
    list of every value it reaches (``MISSING`` when it reaches none)."""
    values = [event]
    spread = False
    for step in steps:
        reached = []
        for value in values:
            if step is WILDCARD:
                spread = True
                if isinstance(value, dict):
                    reached.extend(value.values())
                elif isinstance(value, list):
                    reached.extend(value)
            elif isinstance(step, int):
                if isinstance(value, list) and step < len(value):
                    reached.append(value[step])
            elif isinstance(value, dict) and step in value:
                reached.append(value[step])
        values = reached
        if not values:
            return MISSING
    return values if spread else values[0]
