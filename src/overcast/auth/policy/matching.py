"""Wildcards and policy variables: actions (case-insensitive), resources and ARNs
(case-sensitive, matched segment by segment), string patterns in condition values.

Policy variables (2012-10-17 documents only): ``${aws:username}``, ``${aws:PrincipalTag/team}``,
``${key, 'default'}``, and the escapes ``${*}``, ``${?}``, ``${$}`` for the literal characters.
A variable the request has no (single) value for makes the element not match.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")


class Unresolved(Exception):
    """A policy variable with no value in the request context."""


def context_value(context: dict, key: str):
    """The value of ``key`` in a context whose keys are lower-cased (None when absent)."""
    return context.get(key.lower())


def _variable_value(body: str, context: dict) -> str:
    if body in ("*", "?", "$"):
        return body
    default = None
    match = _DEFAULT.match(body)
    if match:
        body, default = match.group(1), match.group(2)
    value = context_value(context, body.strip())
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if value is None or value == "":
        if default is None:
            raise Unresolved(body)
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def tokens(pattern: str, context: dict | None, variables: bool) -> list[tuple[str, str]]:
    """Split a pattern into ("lit", text) / ("star", "*") / ("one", "?") tokens, with
    variables replaced by literal text. Raises Unresolved."""
    out: list[tuple[str, str]] = []
    position = 0
    for match in (_VARIABLE.finditer(pattern) if variables else ()):
        out.extend(_glob_tokens(pattern[position:match.start()]))
        out.append(("lit", _variable_value(match.group(1), context or {})))
        position = match.end()
    out.extend(_glob_tokens(pattern[position:]))
    return out


def _glob_tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for char in text:
        if char == "*":
            out.append(("star", char))
        elif char == "?":
            out.append(("one", char))
        else:
            out.append(("lit", char))
    return out


def _regex(parts: list[tuple[str, str]], arn: bool, ignore_case: bool) -> re.Pattern:
    free_from = 0
    if arn:
        # Wildcards stay inside their colon-separated segment, except in the last segment of
        # the pattern (the resource part, after the fifth colon), which may span colons.
        colons = [i for i, (kind, text) in enumerate(parts) if kind == "lit" and text == ":"]
        free_from = colons[min(4, len(colons) - 1)] if colons else 0
    pieces = []
    for index, (kind, text) in enumerate(parts):
        free = index > free_from or not arn
        if kind == "star":
            pieces.append(".*" if free else "[^:]*")
        elif kind == "one":
            pieces.append("." if free else "[^:]")
        else:
            pieces.append(re.escape(text))
    return re.compile("".join(pieces), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


@lru_cache(maxsize=4096)
def _static_regex(pattern: str, arn: bool, ignore_case: bool) -> re.Pattern:
    return _regex(_glob_tokens(pattern), arn, ignore_case)


def glob_match(pattern: str, value: str, *, context: dict | None = None, variables: bool = False,
               ignore_case: bool = False, arn: bool = False) -> bool:
    """``*``/``?`` wildcard match of the whole value; unresolved variables never match."""
    if variables and "${" in pattern:
        try:
            regex = _regex(tokens(pattern, context, True), arn, ignore_case)
        except Unresolved:
            return False
    else:
        regex = _static_regex(pattern, arn, ignore_case)
    return regex.fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """``s3:Get*`` against ``s3:GetObject``: case-insensitive, no variables."""
    return pattern == "*" or glob_match(pattern, action, ignore_case=True)


def resource_matches(pattern: str, resource: str, context: dict, variables: bool) -> bool:
    """A Resource entry against the request's resource ARN (case-sensitive, by segment)."""
    if pattern == "*":
        return True
    return glob_match(pattern, resource, context=context, variables=variables,
                      arn=pattern.startswith("arn:"))


def substitute(value: str, context: dict, variables: bool) -> str:
    """A condition value with its variables replaced (literal; raises Unresolved)."""
    if not variables or "${" not in value:
        return value
    return "".join(text for _, text in tokens(value, context, True))
