"""TestEventPattern: whether a pattern matches an event, decided by the very matcher delivery
uses (patterns' ``compile_event_pattern``), after AWS's checks of the event: a JSON object
with the envelope fields the API requires."""

from __future__ import annotations

import json

from overcast.services.events.errors import ValidationException
from overcast.services.events.rules import check_event_pattern
from overcast.services.events.validation import check_input

# The API reference names id, account, source, time, region, resources and detail-type as
# mandatory, but AWS answers an event without ``resources`` (the CLI's own example omits it)
REQUIRED_FIELDS = ("id", "account", "source", "time", "region", "detail-type")
EVENT_NOT_VALID = "Parameter Event is not valid."


def check_test_event_pattern(params: dict) -> dict:
    """The parsed event, after the checks of both parameters (pattern first, as AWS)."""
    check_input("TestEventPattern", params)
    check_event_pattern(params["EventPattern"])
    try:
        event = json.loads(params["Event"])
    except ValueError:
        raise ValidationException(EVENT_NOT_VALID) from None
    if not isinstance(event, dict) or any(field not in event for field in REQUIRED_FIELDS):
        raise ValidationException(EVENT_NOT_VALID)
    return event


class TestPatternOperations:
    def test_event_pattern(self, ctx, params: dict) -> dict:
        from overcast.services.events.event_patterns import compile_event_pattern

        event = check_test_event_pattern(params)
        return {"Result": compile_event_pattern(params["EventPattern"]).matches(event)}
