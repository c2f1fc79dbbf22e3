"""Model constraints of the cryptographic operations, blobs included.

``validation.check_input`` walks strings, numbers, lists and maps; the cryptographic operations
also take blobs (Plaintext, CiphertextBlob, Message, Signature...) with length limits, which KMS
reports in its own words: a sensitive blob without its value, another one as the Java buffer
the service saw::

    Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096
    Value 'java.nio.HeapByteBuffer[pos=0 lim=6145 cap=6145]' at 'ciphertextBlob' failed to satisfy ...
"""

from __future__ import annotations

import functools

from overcast.services.iam.validation import _check as collect_problems
from overcast.services.iam.validation import problems_text
from overcast.services.kms.errors import ValidationException
from overcast.services.kms.validation import kms_model


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _blob_problems(shape, value: bytes, path: str) -> list[str]:
    md = shape.metadata
    shown = "Value" if md.get("sensitive") else f"Value 'java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]'"
    prefix = f"{shown} at '{path}' failed to satisfy constraint: "
    if "min" in md and len(value) < md["min"]:
        return [prefix + f"Member must have length greater than or equal to {md['min']}"]
    if "max" in md and len(value) > md["max"]:
        return [prefix + f"Member must have length less than or equal to {md['max']}"]
    return []


_TYPES = {"string": str, "blob": (bytes, bytearray), "list": list, "map": dict}


@functools.lru_cache(maxsize=None)
def _quick_plan(operation: str) -> tuple[tuple, dict]:
    """(required member names, member name -> (kind, min, max, enum set)) of an operation: what
    the hot path checks before anything is worded."""
    shape = kms_model().operation_model(operation).input_shape
    plan = {}
    for name, member in shape.members.items():
        md = member.metadata
        enum = frozenset(md["enum"]) if md.get("enum") else None
        plan[name] = (member.type_name, md.get("min"), md.get("max"), enum, md.get("pattern"))
    return tuple(shape.required_members), plan


def _plainly_valid(operation: str, params: dict) -> bool:
    """True when ``params`` surely meets the model (no message to word): the cheap test the
    hot operations pass; anything unusual goes to the full walk."""
    required, plan = _quick_plan(operation)
    for name in required:
        if params.get(name) is None:
            return False
    for name, value in params.items():
        rule = plan.get(name)
        if rule is None or value is None:
            continue
        kind, low, high, enum, pattern = rule
        if kind in ("string", "blob", "list", "map"):
            if not isinstance(value, _TYPES[kind]) or pattern or kind == "list" or (low is not None and len(value) < low) or (
                    high is not None and len(value) > high) or (enum is not None and value not in enum):
                return False
        elif kind in ("integer", "long"):
            if not isinstance(value, int) or (low is not None and value < low) or (high is not None and value > high):
                return False
        elif kind != "boolean":
            return False
    return True


def check_crypto_input(operation: str, params: dict) -> None:
    """Raise ValidationException listing every model constraint ``params`` breaks, in the order
    of the model's members."""
    if _plainly_valid(operation, params):
        return
    shape = kms_model().operation_model(operation).input_shape
    problems: list[str] = []
    for name, member in shape.members.items():
        value = params.get(name)
        path = _camel(name)
        if value is None:
            if name in shape.required_members:
                problems.append(f"Value null at '{path}' failed to satisfy constraint: Member must not be null")
        elif member.type_name == "blob" and isinstance(value, (bytes, bytearray)):
            problems.extend(_blob_problems(member, value, path))
        else:
            collect_problems(member, value, path, problems)
    if problems:
        raise ValidationException(problems_text(problems))
