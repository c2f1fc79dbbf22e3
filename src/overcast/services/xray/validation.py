"""The constraints X-Ray's model puts on input members (required, length, range, enum,
pattern), checked before an operation runs and answered as an InvalidRequestException::

    1 validation error detected: Value null at 'groupName' failed to satisfy constraint:
    Member must not be null

The model walk is the one IAM's validation uses (same AWS message texts); only the model and
the error differ."""

from __future__ import annotations

import functools

import botocore.session

from overcast.services.iam.validation import _check as check_shape
from overcast.services.xray.errors import InvalidRequest


@functools.lru_cache(maxsize=1)
def service_model():
    return botocore.session.get_session().get_service_model("xray")


def _null_items(shape, value, path: str, problems: list[str]) -> None:
    """List items that are null, or structures that are not objects (the model walk above
    skips both; an operation would otherwise meet a None where it reads a member)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _null_items(member, value[name], f"{path}.{name[:1].lower()}{name[1:]}" if path else
                            f"{name[:1].lower()}{name[1:]}", problems)
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value, 1):
            item_path = f"{path}.{index}.member"
            if item is None:
                problems.append(f"Value null at '{item_path}' failed to satisfy constraint: Member must not be null")
            elif shape.member.type_name == "structure" and not isinstance(item, dict):
                problems.append(f"Value '{item}' at '{item_path}' failed to satisfy constraint: "
                                "Member must be a structure")
            else:
                _null_items(shape.member, item, item_path, problems)


def check_input(operation: str, params: dict) -> None:
    """Raise ``InvalidRequestException`` listing every model constraint ``params`` breaks."""
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return
    problems: list[str] = []
    check_shape(shape, params, "", problems)
    _null_items(shape, params, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise InvalidRequest(message=f"{count} validation {noun} detected: " + "; ".join(problems))
