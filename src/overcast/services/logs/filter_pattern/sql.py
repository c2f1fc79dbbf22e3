"""SQL tests "the message contains this text" for the prefilters, on the reader connection.

``message GLOB '*text*'`` is an exact, case-sensitive substring test once GLOB's own special
characters are bracketed, and measured faster than ``instr`` (which counts characters) on a
million events: 546 ms against 861 ms, on the same SQLite file.
"""

from __future__ import annotations

_GLOB_SPECIAL = {"*": "[*]", "?": "[?]", "[": "[[]"}


def _glob(text: str) -> str:
    return "*" + "".join(_GLOB_SPECIAL.get(c, c) for c in text) + "*"


def contains(text: str) -> tuple[str, str]:
    return "message GLOB ?", _glob(text)


def lacks(text: str) -> tuple[str, str]:
    return "message NOT GLOB ?", _glob(text)
