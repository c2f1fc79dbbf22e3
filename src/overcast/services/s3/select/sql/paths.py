"""Navigating JSON values along path steps: names (case-insensitive unless quoted), indexes,
wildcards; the FROM S3Object[*].path expansion into rows."""

from __future__ import annotations

from . import nodes as n
from .missing import MISSING


def field(value, name: str, quoted: bool):
    if not isinstance(value, dict):
        return MISSING
    if name in value:
        return value[name]
    if not quoted:
        lowered = name.lower()
        for key, item in value.items():
            if isinstance(key, str) and key.lower() == lowered:
                return item
    return MISSING


def _wildcard_items(value, step: n.Step) -> list:
    if step.name == "*":  # .* over an object's values
        return list(value.values()) if isinstance(value, dict) else []
    return list(value) if isinstance(value, list) else []


def navigate(value, steps: list[n.Step]):
    """The value at ``steps`` from ``value``; a wildcard makes it the list of what matched."""
    for position, step in enumerate(steps):
        if value is MISSING or value is None:
            return MISSING
        if step.kind == "name":
            value = field(value, step.name, step.quoted)
        elif step.kind == "index":
            if not isinstance(value, list) or not -len(value) <= step.index < len(value):
                return MISSING
            value = value[step.index] if step.index >= 0 else MISSING
        else:
            rest = steps[position + 1 :]
            found = []
            for item in _wildcard_items(value, step):
                result = navigate(item, rest)
                if result is MISSING:
                    continue
                if isinstance(result, list) and any(s.kind == "wildcard" for s in rest):
                    found.extend(result)
                else:
                    found.append(result)
            return found
    return value


def expand(value, steps: list[n.Step]) -> list:
    """The rows ``FROM S3Object[*]<steps>`` makes of one record (at least one: MISSING)."""
    rows = [value]
    for step in steps:
        out = []
        for row in rows:
            if step.kind == "wildcard":
                items = _wildcard_items(row, step) if row is not MISSING else []
                out.extend(items if items else [MISSING])
            elif step.kind == "name":
                out.append(field(row, step.name, step.quoted))
            else:
                out.append(navigate(row, [step]))
        rows = out
    return rows
