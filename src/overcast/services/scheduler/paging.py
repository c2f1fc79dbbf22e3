"""NextToken for Scheduler's list operations: the last name answered, opaque to the caller
(base64 of the position), refused when it was not one this service handed out."""

from __future__ import annotations

import base64
import binascii

from overcast.services.scheduler.errors import ValidationException

DEFAULT_PAGE = 100  # MaxResults' documented maximum, and what a request without it gets


def encode_token(position: str) -> str:
    return base64.urlsafe_b64encode(("v1:" + position).encode()).decode()


def decode_token(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith("v1:"):
        raise ValidationException("Invalid NextToken.")
    return text[3:]


def page(items: list, key, params: dict) -> tuple[list, str | None]:
    """One page of ``items`` (sorted by ``key``) after the request's NextToken."""
    after = decode_token(params.get("NextToken"))
    if after is not None:
        items = [item for item in items if key(item) > after]
    limit = params.get("MaxResults") or DEFAULT_PAGE
    if len(items) > limit:
        return items[:limit], encode_token(key(items[limit - 1]))
    return items, None
