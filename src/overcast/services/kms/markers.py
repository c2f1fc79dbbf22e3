"""Pagination of KMS's list operations: ``Limit`` (1-1000, default 100) and an opaque
``Marker`` that carries where the next page starts."""

from __future__ import annotations

import base64
import binascii
from typing import Callable

from overcast.services.kms.errors import InvalidMarkerException

DEFAULT_LIMIT = 100


def encode_marker(position: str) -> str:
    return base64.urlsafe_b64encode(position.encode()).decode()


def decode_marker(marker: str | None) -> str:
    if marker is None:
        return ""
    try:
        # strict: a marker this module did not write (stray characters included) is refused
        return base64.b64decode(marker.encode("ascii"), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidMarkerException("Invalid marker.") from None


def page(fetch: Callable[[str, int], list], params: dict, key: Callable, default_limit: int = DEFAULT_LIMIT):
    """(items of this page, next marker or None): ``fetch(after, n)`` returns up to ``n`` items
    sorted after position ``after``; ``key(item)`` is an item's position."""
    limit = params.get("Limit") or default_limit
    items = fetch(decode_marker(params.get("Marker")), limit + 1)
    if len(items) > limit:
        return items[:limit], encode_marker(key(items[limit - 1]))
    return items, None
