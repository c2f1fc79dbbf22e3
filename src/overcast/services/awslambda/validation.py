"""The constraints Lambda's model puts on input members (required, length, range, pattern,
enum), checked before an operation runs and answered as Lambda does (``ValidationException``)::

    1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint:
    Member must have value less than or equal to 900

The walk over a shape is IAM's (the same AWS wording, lowerCamelCase member paths). Lambda
enforces bounds its published model leaves open or wider (Timeout's 900 s, MemorySize's 10,240
MB for functions outside capacity providers, EphemeralStorage's 512-10,240 MB)."""

from __future__ import annotations

import functools
import re

import botocore.session

from overcast.services.awslambda.errors import ValidationException
from overcast.services.iam.validation import _check as collect_problems
from overcast.services.iam.validation import problems_text

# member -> (min, max) Lambda enforces beyond the model
_BOUNDS = {"Timeout": (1, 900), "MemorySize": (128, 10240)}
NAME_LIMIT = 64
_VARIABLE_KEY = re.compile(r"[a-zA-Z]([a-zA-Z0-9_])+")


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
    if operation == "CreateFunction":
        _name_length(params.get("FunctionName"), problems)
    environment = params.get("Environment")
    if isinstance(environment, dict) and isinstance(environment.get("Variables"), dict):
        if any(not _VARIABLE_KEY.fullmatch(key) for key in environment["Variables"]):
            # the values are sensitive: AWS's text names no value
            problems.append("Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy "
                            f"constraint: [Member must satisfy regular expression pattern: {_VARIABLE_KEY.pattern}]")
    if problems:
        raise ValidationException(problems_text(problems))


def _bound(value, path: str, low: int, high: int, problems: list[str]) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        return
    prefix = f"Value '{value}' at '{path}' failed to satisfy constraint: "
    if value < low:
        problems.append(prefix + f"Member must have value greater than or equal to {low}")
    elif value > high:
        problems.append(prefix + f"Member must have value less than or equal to {high}")


def _name_length(value, problems: list[str]) -> None:
    """A new function's name has at most 64 characters (the model's 140 allow for an ARN)."""
    if not isinstance(value, str):
        return
    name = value.split(":function:")[-1] if ":function:" in value else value
    if len(name) > NAME_LIMIT and len(value) <= 140:
        problems.append(f"Value '{value}' at 'functionName' failed to satisfy constraint: Member must have length "
                        f"less than or equal to {NAME_LIMIT}")


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]
