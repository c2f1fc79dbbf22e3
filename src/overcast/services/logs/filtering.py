"""FilterLogEvents and TestMetricFilter, on the filter-pattern language (``filter_pattern``).

FilterLogEvents reads a group's events off the event loop (``filter_scan.scan`` through
``provider.read``). Its ``nextToken`` carries where the previous page stopped (timestamp and
ingestion sequence), so events ingested meanwhile behind that point come on later pages.
``interleaved`` is ignored (AWS ignores it since 2019) and ``searchedLogStreams`` is always
empty (AWS stopped filling it in 2020). ``unmask`` needs no work here: Overcast stores
events as they were put (masking by data protection policies is not applied).
"""

from __future__ import annotations

from overcast.services.logs.errors import InvalidParameterException
from overcast.services.logs.filter_pattern import FilterPatternError, compile_pattern
from overcast.services.logs.filter_scan import FilterScan, scan
from overcast.services.logs.identifiers import EITHER_NAME_OR_ID, name_or_identifier
from overcast.services.logs.paging import INVALID_TOKEN, make_token, read_token
from overcast.services.logs.request_checks import CHECKS as REQUEST_CHECKS
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

DEFAULT_LIMIT = 10_000  # FilterLogEvents: "The default is 10,000 events."
NAMES_AND_PREFIX = "Cannot specify both logStreamNames and logStreamNamePrefix."
_TOKEN_KIND = "filter"


def _compile(text: str | None, metric_filter_wording: bool = False):
    try:
        return compile_pattern(text or "")
    except FilterPatternError as e:
        raise InvalidParameterException(e.message_for_metric_filter() if metric_filter_wording else str(e)) from None


def _position_of(token: str | None) -> tuple[int, int] | None:
    key = read_token(_TOKEN_KIND, token)
    if key is None:
        return None
    if (not isinstance(key, list) or len(key) != 2
            or not all(isinstance(k, int) and not isinstance(k, bool) for k in key)):
        raise InvalidParameterException(INVALID_TOKEN)
    return key[0], key[1]


def check_filter_log_events(params: dict) -> None:
    """FilterLogEvents' own parameter checks, made before authorization (strict mode) and
    before the group is looked up: the model's constraints, the parameters that exclude each
    other, the pattern's syntax and the token's form."""
    check_input("FilterLogEvents", params)
    if (params.get("logGroupName") is None) == (params.get("logGroupIdentifier") is None):
        raise InvalidParameterException(EITHER_NAME_OR_ID)
    if params.get("logStreamNames") is not None and params.get("logStreamNamePrefix") is not None:
        raise InvalidParameterException(NAMES_AND_PREFIX)
    _compile(params.get("filterPattern"))
    _position_of(params.get("nextToken"))


def check_test_metric_filter(params: dict) -> None:
    check_input("TestMetricFilter", params)
    _compile(params["filterPattern"], metric_filter_wording=True)


REQUEST_CHECKS.setdefault("FilterLogEvents", check_filter_log_events)
REQUEST_CHECKS.setdefault("TestMetricFilter", check_test_metric_filter)


class FilterOperations:
    async def filter_log_events(self, ctx, params: dict) -> dict:
        check_filter_log_events(params)
        scope = Scope.of(ctx)
        group_name = name_or_identifier(scope, params)
        names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
        pattern = _compile(params.get("filterPattern"))
        after = _position_of(params.get("nextToken"))
        group = self.require_group(scope, group_name)
        job = FilterScan(
            group_id=group.group_id, start=params.get("startTime"), end=params.get("endTime"), after=after,
            stream_names=tuple(names) if names is not None else None, stream_prefix=prefix,
            limit=params.get("limit") or DEFAULT_LIMIT, pattern=pattern,
        )
        events, position = await self.read(scan, job)
        for event in events:
            del event["_seq"]
        answer = {"events": events, "searchedLogStreams": []}
        if position is not None:
            answer["nextToken"] = make_token(_TOKEN_KIND, list(position))
        return answer

    def test_metric_filter(self, ctx, params: dict) -> dict:
        check_test_metric_filter(params)
        pattern = _compile(params["filterPattern"], metric_filter_wording=True)
        matches = []
        for number, message in enumerate(params["logEventMessages"], 1):
            found = pattern.match(message)
            if found is not None:
                matches.append({"eventNumber": number, "eventMessage": message,
                                "extractedValues": found.extracted_values()})
        return {"matches": matches}
