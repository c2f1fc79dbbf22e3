"""NextToken paging of DescribeAlarms and DescribeAlarmHistory: the token names the position
after the last item returned and the query it belongs to."""

from __future__ import annotations

import base64
import json

from overcast.services.cloudwatch.errors import InvalidNextToken, InvalidParameterValue


def page_size(params: dict, default: int, maximum: int = 100) -> int:
    size = params.get("MaxRecords")
    if size is None:
        return default
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= maximum:
        raise InvalidParameterValue(f"The value {size} for parameter MaxRecords is invalid.")
    return size


def page(items: list, params: dict, size: int, fingerprint: str) -> tuple[list, str | None]:
    """The page of ``items`` the request's NextToken points to, and the next token."""
    start = 0
    token = params.get("NextToken")
    if token:
        try:
            start, seen = json.loads(base64.urlsafe_b64decode(token.encode()))
            if seen != fingerprint or not isinstance(start, int) or start < 0:
                raise ValueError(token)
        except (ValueError, TypeError):
            raise InvalidNextToken("The service returned an invalid token.") from None
    chunk = items[start:start + size]
    following = None
    if start + size < len(items):
        following = base64.urlsafe_b64encode(json.dumps([start + size, fingerprint]).encode()).decode()
    return chunk, following
