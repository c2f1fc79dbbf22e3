"""NextToken for EventBridge's List* operations: an opaque token naming the last item answered
(lists are in name order, so a page resumes after it, whatever changed in between)."""

from __future__ import annotations

import base64
import binascii

from overcast.services.events.errors import ValidationException

INVALID_TOKEN = "The NextToken provided is invalid."


def make_token(last_name: str) -> str:
    return base64.urlsafe_b64encode(("1:" + last_name).encode()).decode()


def read_token(token: str | None) -> str | None:
    """The name a token resumes after, or None for the first page."""
    if token is None:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise ValidationException(INVALID_TOKEN) from None
    if not text.startswith("1:"):
        raise ValidationException(INVALID_TOKEN)
    return text[2:]


def page(names_after: list, limit: int | None, name_of) -> tuple[list, str | None]:
    """The first ``limit`` items (all when None) and the token of the next page, if any."""
    if limit is None or len(names_after) <= limit:
        return names_after, None
    items = names_after[:limit]
    return items, make_token(name_of(items[-1]))
