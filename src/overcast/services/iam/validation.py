"""The constraints IAM's model puts on input members (required, length, range, pattern, enum),
checked before an operation runs, answered as IAM does::

    1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [\\w+=,.@-]+

Member paths are lowerCamelCase, list members ``tags.1.member.key`` (as AWS writes them).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import botocore.session

from overcast.services.iam.errors import validation


@functools.lru_cache(maxsize=1)
def service_model():
    return botocore.session.get_session().get_service_model("iam")


class _UnicodeClass:
    """Java's ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`` (tag keys and values), which ``re`` cannot
    compile: letters, separators and numbers of any script, and the listed punctuation."""

    def __init__(self, extra: str, empty_ok: bool):
        self.extra, self.empty_ok = extra, empty_ok

    def fullmatch(self, value: str) -> bool:
        if not value:
            return self.empty_ok
        return all(unicodedata.category(ch)[0] in "LZN" or ch in self.extra for ch in value)


_TAG_CLASS = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]"


@functools.lru_cache(maxsize=None)
def _pattern(text: str):
    if text in (_TAG_CLASS + "+", _TAG_CLASS + "*"):
        return _UnicodeClass("_.:/=+-@", text.endswith("*"))
    try:
        return re.compile(text, re.ASCII | re.DOTALL)
    except re.error:  # another Java-only construct: leave that member unchecked rather than fail
        return None


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _join(path: str, name: str) -> str:
    return f"{path}.{_camel(name)}" if path else _camel(name)


def _shown(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _check(shape, value, path: str, problems: list[str], skip=()) -> None:
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
            if value.get(name) is not None and name not in skip:
                _check(member, value[name], _join(path, name), problems)
        return
    prefix = f"Value '{_shown(value)}' at '{path}' failed to satisfy constraint: "
    if kind in ("string", "list", "map") and isinstance(value, (str, list, dict)):
        if "min" in md and len(value) < md["min"]:
            problems.append(prefix + f"Member must have length greater than or equal to {md['min']}")
        if "max" in md and len(value) > md["max"]:
            problems.append(prefix + f"Member must have length less than or equal to {md['max']}")
    if kind == "string" and isinstance(value, str):
        enum = md.get("enum")
        if enum and value not in enum:
            problems.append(prefix + f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = md.get("pattern")
        if pattern and value and not (compiled := _pattern(pattern)) is None and not compiled.fullmatch(value):
            problems.append(prefix + f"Member must satisfy regular expression pattern: {pattern}")
    elif kind in ("integer", "long") and isinstance(value, int):
        if "min" in md and value < md["min"]:
            problems.append(prefix + f"Member must have value greater than or equal to {md['min']}")
        if "max" in md and value > md["max"]:
            problems.append(prefix + f"Member must have value less than or equal to {md['max']}")
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value, 1):
            _check(shape.member, item, f"{path}.{index}.member" if path else f"{index}", problems)
        return


def problems_text(problems: list[str]) -> str:
    """AWS's message for the model constraints ``problems`` lists (the same in every service
    whose errors come from the model)."""
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(problems)


def check_model_input(model, operation: str, params: dict, error, skip: tuple[str, ...] = ()) -> None:
    """Raise ``error(message)`` listing every constraint of ``model``'s ``operation`` that
    ``params`` breaks (but for the top-level members in ``skip``, which the operation checks
    itself, later and in its own words). IAM, KMS and EventBridge share this walk."""
    shape = model.operation_model(operation).input_shape
    if shape is None:
        return
    problems: list[str] = []
    _check(shape, params, "", problems, skip)
    if problems:
        raise error(problems_text(problems))


def check_input(operation: str, params: dict, skip: tuple[str, ...] = ()) -> None:
    """Raise ``ValidationError`` listing every model constraint ``params`` breaks (but for the
    top-level members in ``skip``)."""
    check_model_input(service_model(), operation, params, validation, skip)
