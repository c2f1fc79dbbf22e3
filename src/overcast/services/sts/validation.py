"""Input constraints of the STS model (length, range, pattern), checked as STS checks them.

STS answers a request that breaks its model's constraints with ``ValidationError`` and a
message listing every broken constraint: ``1 validation error detected: Value 'x' at
'roleSessionName' failed to satisfy constraint: Member must have length greater than or
equal to 2``. SDKs check some of these (minimums) themselves; raw requests and SDKs with
validation off reach the server.
"""

from __future__ import annotations

import re
from functools import lru_cache

from overcast.errors import ValidationError
from overcast.protocols.models import service_model


@lru_cache(maxsize=None)
def _pattern(text: str) -> re.Pattern | None:
    # The model writes code points above the BMP as \uXXXXX; Python needs \U000XXXXX.
    text = re.sub(r"\\u([0-9A-Fa-f]{5})", lambda m: "\\U000" + m.group(1), text)
    # Unicode classes (tag keys and values): letters and numbers are \w (whose underscore the
    # patterns allow anyway), separators the Unicode spaces.
    text = text.replace("\\p{L}", "\\w").replace("\\p{N}", "\\w")
    text = text.replace("\\p{Z}", " \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000")
    try:
        return re.compile(text)
    except re.error:  # a construct Python's re lacks: the length limits still apply
        return None


def _problems(label: str, shape, value) -> list[str]:
    meta = shape.metadata
    out = []
    shown = value if not meta.get("sensitive") else "***"
    if shape.type_name == "string":
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"Value '{shown}' at '{label}' failed to satisfy constraint: "
                       f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"Value '{shown}' at '{label}' failed to satisfy constraint: "
                       f"Member must have length less than or equal to {meta['max']}")
        pattern = _pattern(meta["pattern"]) if "pattern" in meta else None
        if pattern is not None and not pattern.fullmatch(value):
            out.append(f"Value '{shown}' at '{label}' failed to satisfy constraint: "
                       f"Member must satisfy regular expression pattern: {meta['pattern']}")
    elif shape.type_name in ("integer", "long"):
        if "min" in meta and value < meta["min"]:
            out.append(f"Value '{value}' at '{label}' failed to satisfy constraint: "
                       f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            out.append(f"Value '{value}' at '{label}' failed to satisfy constraint: "
                       f"Member must have value less than or equal to {meta['max']}")
    elif shape.type_name == "list":
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"Value '{value}' at '{label}' failed to satisfy constraint: "
                       f"Member must have length less than or equal to {meta['max']}")
        for index, item in enumerate(value, 1):
            out.extend(_problems(f"{label}.{index}.member", shape.member, item))
    elif shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if value.get(name) is not None:
                out.extend(_problems(f"{label}.{_camel(name)}", member, value[name]))
    return out


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def validate(operation: str, params: dict, skip: tuple[str, ...] = ()) -> None:
    """Raise ``ValidationError`` listing every model constraint ``params`` breaks; then, for the
    AssumeRole* operations, a RoleArn that is not an ARN.

    ``skip`` names members whose limits the operation checks itself (with its own error).
    """
    shape = service_model("sts").operation_model(operation).input_shape
    problems = []
    for name, member in shape.members.items():
        value = params.get(name)
        if value is None or name in skip:
            continue
        problems.extend(_problems(_camel(name), member, value))
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise ValidationError(message=f"{count} validation {noun} detected: " + "; ".join(problems), status=400)
    if params.get("RoleArn") is not None and "RoleArn" in shape.members:
        check_role_arn(params["RoleArn"])


def check_role_arn(arn: str) -> None:
    """STS parses the RoleArn before it looks at the caller or the role: six colon-separated
    fields (``arn:partition:service:region:account:resource``) with a partition, a service and a
    resource, or ``ValidationError`` "<arn> is invalid"."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        raise ValidationError(message=f"{arn} is invalid", status=400)
