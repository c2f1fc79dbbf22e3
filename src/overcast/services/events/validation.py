"""The constraints EventBridge's model puts on input members (required, length, range,
pattern, enum), checked before an operation runs and answered as EventBridge does
(``ValidationException``)::

    1 validation error detected: Value 'a/b' at 'eventBusName' failed to satisfy constraint:
    Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+

The walk over a shape is IAM's (the same AWS wording, lowerCamelCase member paths); only the
model and the error differ."""

from __future__ import annotations

import functools

import botocore.session

from overcast.services.events.errors import ValidationException
from overcast.services.iam.validation import check_model_input


@functools.lru_cache(maxsize=1)
def events_model():
    return botocore.session.get_session().get_service_model("events")


def check_input(operation: str, params: dict, skip: tuple[str, ...] = ()) -> None:
    """Raise ValidationException listing every model constraint ``params`` breaks (but the
    top-level members in ``skip``, which the operation checks itself in its own words)."""
    check_model_input(events_model(), operation, params, ValidationException, skip)
