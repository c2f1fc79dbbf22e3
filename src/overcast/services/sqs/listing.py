"""Pagination of ListQueues and ListDeadLetterSourceQueues.

Both answer at most 1,000 URLs. ``MaxResults`` (1-1000) asks for pages; only then does the
answer carry a ``NextToken`` when more follow. The token is opaque to clients: here it is
the name of the last queue returned (queues are listed by name), base64-encoded.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Sequence, TypeVar

from overcast.errors import AwsError

T = TypeVar("T")

MAX_PAGE = 1000  # "The response includes a maximum of 1,000 results."


def checked_max_results(value: Any) -> int | None:
    """MaxResults as given (None when absent), or InvalidParameterValue outside 1-1000."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE:
        raise AwsError(
            "InvalidParameterValue",
            f"Value {value} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and {MAX_PAGE}.",
        )
    return value


def encode_token(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def decode_token(token: Any) -> str | None:
    """The name a NextToken resumes after (None when no token was given)."""
    if token is None or token == "":
        return None
    try:
        document = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        after = document["after"]
        if isinstance(after, str):
            return after
    except (ValueError, KeyError, TypeError, binascii.Error):
        pass
    raise AwsError("InvalidParameterValue", "Invalid NextToken value.")


def page(items: Sequence[T], names: Sequence[str], params: dict) -> tuple[list[T], str | None]:
    """One page of ``items`` (sorted by ``names``) for the request's MaxResults / NextToken."""
    max_results = checked_max_results(params.get("MaxResults"))
    after = decode_token(params.get("NextToken"))
    start = 0
    if after is not None:
        while start < len(names) and names[start] <= after:
            start += 1
    size = max_results or MAX_PAGE
    chosen = list(items[start:start + size])
    more = start + size < len(items)
    token = encode_token(names[start + size - 1]) if more and max_results is not None else None
    return chosen, token
