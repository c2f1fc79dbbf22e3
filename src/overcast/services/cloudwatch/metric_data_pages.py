"""GetMetricData's pagination: at most MaxDatapoints points a page (default 100,800, AWS's
limit of one call), results cut where the budget ends (their StatusCode ``PartialData``), and
an opaque NextToken bound to the request it continues."""

from __future__ import annotations

import base64
import hashlib
import json

from overcast.services.cloudwatch.errors import InvalidNextToken
from overcast.services.cloudwatch.metric_queries import QueryResult

DEFAULT_MAX_DATAPOINTS = 100_800


def request_fingerprint(params: dict) -> str:
    """What a NextToken must be presented with again: the same queries and time range."""
    basis = {k: params.get(k) for k in ("MetricDataQueries", "StartTime", "EndTime", "ScanBy", "LabelOptions")}
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode_token(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "f": fingerprint}).encode()).decode()


def decode_token(token: str, fingerprint: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = decoded["o"]
        if decoded["f"] != fingerprint or not isinstance(offset, int) or offset < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeError):
        raise InvalidNextToken("The service returned an invalid NextToken.") from None
    return offset


def page(results: list[QueryResult], offset: int, budget: int) -> tuple[list[QueryResult], int | None]:
    """The results of the page starting ``offset`` points in, and the next page's offset."""
    total = sum(len(r.values) for r in results)
    high = min(offset + budget, total)
    out: list[QueryResult] = []
    begin = 0
    for result in results:
        count = len(result.values)
        end = begin + count
        if count and begin < high and end > offset:
            first, last = max(offset, begin) - begin, min(high, end) - begin
            status = "PartialData" if end > high else result.status_code
            out.append(QueryResult(result.id, result.label, result.timestamps[first:last],
                                   result.values[first:last], status, result.messages))
        elif not count and offset <= begin and (begin < high or high == total):
            out.append(result)
        begin = end
    return out, (high if high < total else None)
