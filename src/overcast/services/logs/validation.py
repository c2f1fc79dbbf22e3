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


@functools.lru_cache(maxsize=None)
def _pattern(text: str):
    try:
        return re.compile(text, re.DOTALL)
    except re.error:  # a Java-only construct: leave that member unchecked rather than fail
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
        for key, item in value.items():
            _check(shape.key, key, f"{path}.{key}.member.key", problems)
            _check(shape.value, item, f"{path}.{key}.member.value", problems)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


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
    problems: list[str] = []
    for name in required:
        if params.get(name) is None:
            problems.append(f"Value null at '{name}' failed to satisfy constraint: Member must not be null")
    for name, member in shape.members.items():
        value = params.get(name)
        if value is not None and name not in skip:
            _check(member, value, name, problems)
    raise_problems(problems)
