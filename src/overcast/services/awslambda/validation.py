"""The constraints Lambda's model puts on input members (required, length, range, pattern,
enum), checked before an operation runs and answered as Lambda does (``ValidationException``)::

    1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint:
    Member must have value less than or equal to 900

The walk over a shape is IAM's (the same AWS wording, lowerCamelCase member paths). Lambda
enforces bounds its published model leaves open or wider (Timeout's 900 s, MemorySize's 10,240
MB for functions outside capacity providers, EphemeralStorage's 512-10,240 MB)."""

from __future__ import annotations

import functools

import botocore.session

from overcast.services.awslambda.errors import ValidationException
from overcast.services.iam.validation import _check as collect_problems

# member -> (min, max) Lambda enforces beyond the model
_BOUNDS = {"Timeout": (1, 900), "MemorySize": (128, 10240)}


@functools.lru_cache(maxsize=1)
def lambda_model():
    return botocore.session.get_session().get_service_model("lambda")


def check_input(operation: str, params: dict) -> None:
    """Raise ValidationException listing every model constraint ``params`` breaks."""
    model = lambda_model()
    if operation not in model.operation_names:
        return
    shape = model.operation_model(operation).input_shape
    if shape is None:
        return
    problems: list[str] = []
    collect_problems(shape, params, "", problems, tuple(_BOUNDS))
    for name, (low, high) in _BOUNDS.items():
        if name in shape.members:
            _bound(params.get(name), _camel(name), low, high, problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: " + "; ".join(problems))


def _bound(value, path: str, low: int, high: int, problems: list[str]) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        return
    prefix = f"Value '{value}' at '{path}' failed to satisfy constraint: "
    if value < low:
        problems.append(prefix + f"Member must have value greater than or equal to {low}")
    elif value > high:
        problems.append(prefix + f"Member must have value less than or equal to {high}")


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]
