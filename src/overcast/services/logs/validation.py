"""The constraints Logs' model puts on input members (required, length, range, pattern, enum),
checked before an operation runs, answered as Logs does (``InvalidParameterException``)::

    1 validation error detected: Value at 'logGroupName' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+

Logs no longer echoes a given value in these messages (``Value at 'x'``); a missing one is
``Value null at 'x'``. For each member the pattern is reported before the length, as AWS
lists them. List members are ``logEvents.1.member.message``. PutLogEvents' events are not
walked here (``events.py`` checks them in one tight loop: 10,000 a request).
"""

from __future__ import annotations

import functools
import re

from overcast.protocols.models import service_model
from overcast.services.logs.errors import InvalidParameterException


# Java's Unicode classes, which ``re`` cannot compile: letters, separators and numbers of any
# script (tag keys and values)
_UNICODE_CLASS = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]"
_UNICODE_STAND_IN = "[^\\W_]|[ _.:/=+\\-@\\u00a0\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"


@functools.lru_cache(maxsize=None)
def _pattern(text: str):
    """The model's pattern compiled (Java's ``\\p{L}\\p{Z}\\p{N}`` class as Python's word
    characters and Unicode spaces), or None for another construct ``re`` cannot compile: that
    member is then left unchecked rather than failed."""
    translated = text.replace(_UNICODE_CLASS, f"(?:{_UNICODE_STAND_IN})")
    try:
        return re.compile(translated, re.DOTALL)
    except re.error:
        return None


def _check(shape, value, path: str, problems: list[str]) -> None:
    md = shape.metadata
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(f"Value null at '{_join(path, name)}' failed to satisfy constraint: "
                                "Member must not be null")
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(member, value[name], _join(path, name), problems)
        return
    prefix = f"Value at '{path}' failed to satisfy constraint: "
    if kind == "string" and isinstance(value, str):
        enum = md.get("enum")
        if enum and value not in enum:
            problems.append(prefix + f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = md.get("pattern")
        if pattern and (compiled := _pattern(pattern)) is not None and not compiled.fullmatch(value):
            problems.append(prefix + f"Member must satisfy regular expression pattern: {pattern}")
    if kind in ("string", "list", "map") and isinstance(value, (str, list, dict)):
        if "min" in md and len(value) < md["min"]:
            problems.append(prefix + f"Member must have length greater than or equal to {md['min']}")
        if "max" in md and len(value) > md["max"]:
            problems.append(prefix + f"Member must have length less than or equal to {md['max']}")
    if kind in ("integer", "long") and isinstance(value, int) and not isinstance(value, bool):
        if "min" in md and value < md["min"]:
            problems.append(prefix + f"Member must have value greater than or equal to {md['min']}")
        if "max" in md and value > md["max"]:
            problems.append(prefix + f"Member must have value less than or equal to {md['max']}")
    if kind == "list" and isinstance(value, list):
        for index, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{index}.member", problems)
    elif kind == "map" and isinstance(value, dict):
        # one problem for the keys and one for the values, each listing what they break
        for label, member, items in (("Map keys", shape.key, list(value)), ("Map value", shape.value,
                                                                              list(value.values()))):
            broken: list[str] = []
            for item in items:
                found: list[str] = []
                _check(member, item, path, found)
                broken += [f.split("failed to satisfy constraint: ", 1)[-1] for f in found
                           if f.split("failed to satisfy constraint: ", 1)[-1] not in broken]
            if broken:
                problems.append(prefix + f"{label} must satisfy constraint: [{', '.join(broken)}]")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# An over-long group or stream name is answered with Logs' own text, not the model's length
# constraint (AWS, CreateLogGroup and DeleteMetricFilter with a 513-character logGroupName)
MAX_NAME_CHARS = 512
NAME_TOO_LONG = "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
_NAME_MEMBERS = ("logGroupName", "logStreamName")


def raise_problems(problems: list[str]) -> None:
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise InvalidParameterException(f"{count} validation {noun} detected: " + "; ".join(problems))


@functools.lru_cache(maxsize=None)
def _input_members(operation: str):
    shape = service_model("logs").operation_model(operation).input_shape
    return shape, tuple(shape.required_members) if shape else ()


def check_input(operation: str, params: dict, skip: tuple[str, ...] = ()) -> None:
    """Raise InvalidParameterException listing every model constraint ``params`` breaks
    (the top-level members in ``skip`` are checked by the operation itself)."""
    shape, required = _input_members(operation)
    if shape is None:
        return
    for name in _NAME_MEMBERS:
        value = params.get(name)
        if isinstance(value, str) and len(value) > MAX_NAME_CHARS:
            raise InvalidParameterException(NAME_TOO_LONG)
    problems: list[str] = []
    for name in required:
        if params.get(name) is None:
            problems.append(f"Value null at '{name}' failed to satisfy constraint: Member must not be null")
    for name, member in shape.members.items():
        value = params.get(name)
        if value is not None and name not in skip:
            _check(member, value, name, problems)
    raise_problems(problems)
