"""Pagination of SNS's lists: 100 entries a page, an opaque NextToken naming where to resume."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Callable, Sequence, TypeVar

from overcast.services.sns.arns import invalid_parameter

T = TypeVar("T")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+=*$")
PAGE_SIZE = 100  # ListTopics, ListSubscriptions, ListSubscriptionsByTopic: "up to 100"


def page(items: Sequence[T], key: Callable[[T], str], token) -> tuple[list[T], str | None]:
    """One page of ``items`` (sorted by ``key``) after ``token``; the next token or None."""
    start = 0
    if token is not None and token != "":
        if not _TOKEN.match(str(token)):
            raise invalid_parameter("NextToken")
        try:
            after = base64.urlsafe_b64decode(str(token).encode("ascii")).decode("utf-8")
        except (ValueError, binascii.Error, UnicodeError):
            raise invalid_parameter("NextToken") from None
        while start < len(items) and key(items[start]) <= after:
            start += 1
    chosen = list(items[start:start + PAGE_SIZE])
    more = start + PAGE_SIZE < len(items)
    next_token = base64.urlsafe_b64encode(key(chosen[-1]).encode("utf-8")).decode("ascii") if more else None
    return chosen, next_token
