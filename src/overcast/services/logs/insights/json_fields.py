"""The fields Logs Insights discovers in a JSON message: nested keys joined with ``.``, array
items by index (``a.b``, ``list.0``), as GetLogRecord and GetLogGroupFields show them."""

from __future__ import annotations

import json

MAX_DEPTH = 32  # deeper nests are shown as their JSON text


def json_object(message: str) -> dict | None:
    """The message as a JSON object (it starts with "{", as queries read it), or None."""
    if not message.startswith("{"):
        return None
    try:
        value = json.loads(message)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def flatten(value, prefix: str = "", depth: int = 0, out: dict | None = None) -> dict[str, str]:
    """Leaf fields of a JSON value, their values as strings (JSON's spelling for true/false)."""
    out = {} if out is None else out
    if isinstance(value, dict) and depth < MAX_DEPTH:
        for key, item in value.items():
            flatten(item, f"{prefix}.{key}" if prefix else str(key), depth + 1, out)
    elif isinstance(value, list) and depth < MAX_DEPTH:
        for index, item in enumerate(value):
            flatten(item, f"{prefix}.{index}" if prefix else str(index), depth + 1, out)
    elif prefix:
        if value is None:
            return out
        if isinstance(value, bool):
            out[prefix] = "true" if value else "false"
        elif isinstance(value, str):
            out[prefix] = value
        elif isinstance(value, (dict, list)):
            out[prefix] = json.dumps(value, separators=(",", ":"))
        else:
            out[prefix] = str(value)
    return out


def message_fields(message: str) -> dict[str, str]:
    """The discovered fields of one message (none unless it is a JSON object)."""
    value = json_object(message)
    return flatten(value) if value is not None else {}
