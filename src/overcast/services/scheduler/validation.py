"""The constraints Scheduler's model puts on input members (required, length, range, enum,
pattern), checked before an operation runs and answered as a ValidationException::

    1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint:
    Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$

The model walk is IAM's (the same AWS message texts); only the model and the error differ.
"""

from __future__ import annotations

import functools

import botocore.session

from overcast.services.iam.validation import _check as check_shape
from overcast.services.scheduler.errors import ValidationException


@functools.lru_cache(maxsize=1)
def service_model():
    return botocore.session.get_session().get_service_model("scheduler")


def check_input(operation: str, params: dict) -> None:
    """Raise ``ValidationException`` listing every model constraint ``params`` breaks."""
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return
    problems: list[str] = []
    check_shape(shape, params, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(problems))
