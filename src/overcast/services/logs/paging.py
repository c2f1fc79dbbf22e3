"""Logs' opaque pagination tokens: the sort key of the last item of a page, so a page
continues after it even when items were added or removed in between."""

from __future__ import annotations

import base64
import json

from overcast.services.logs.errors import InvalidParameterException

INVALID_TOKEN = "The specified nextToken is invalid."


def make_token(kind: str, key) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, key], separators=(",", ":")).encode()).decode()


def read_token(kind: str, token: str | None):
    """The key a token of ``kind`` carries (None without a token)."""
    if token is None:
        return None
    try:
        found_kind, key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise InvalidParameterException(INVALID_TOKEN) from None
    if found_kind != kind:
        raise InvalidParameterException(INVALID_TOKEN)
    return key
