"""PutEvents, as EventBridge answers it.

Request-level checks first, as AWS orders them (ValidationException): the model's
constraints (1 to 10 entries; EventBusName's pattern; TraceHeader and resource lengths;
EndpointId's pattern), with the request's values as EventBridge's Java service echoes them,
then the total entry size ("Calculating PutEvents event entry size": Time 14 bytes when
given, Source, DetailType, Detail and each resource in UTF-8), then EndpointId (Overcast has
no global endpoints, so any named one is unknown).

Then each entry on its own, its failure in its result entry (ErrorCode/ErrorMessage) and in
FailedEntryCount, the others accepted: Source, DetailType and Detail are required
(InvalidArgument), Detail must be a JSON object (MalformedDetail), and the ``aws.`` sources
belong to AWS's services (NotAuthorizedForSourceException). An entry naming a bus that does
not exist gets its EventId and goes nowhere, as AWS answers it.

Accepted events are built into AWS's envelope and handed, one call per bus, to
``accept_events`` (dispatch.py), which writes their deliveries before this answers.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from overcast.services.events.dispatch import build_envelope, format_event_time
from overcast.services.events.errors import ResourceNotFoundException, ValidationException
from overcast.storage.scope import Scope

MAX_ENTRIES = 10
# "Amazon EventBridge increases event payload size from 256 KB to 1 MB" (January 2026): the
# request's entries may total 1 MiB (1,048,576 bytes accepted, one more refused).
MAX_REQUEST_BYTES = 1024 * 1024
TIME_BYTES = 14  # "If specified, the Time parameter is 14 bytes"
_BUS_PATTERN = r"(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[\.\-_A-Za-z0-9]+"
_ENDPOINT_PATTERN = r"^[A-Za-z0-9\-]+[\.][A-Za-z0-9\-]+$"
_AWS_SOURCE_PREFIX = "aws."
_SIMPLE_BUS = re.compile(r"[\.\-_A-Za-z0-9]{1,256}")  # a plain name: within every constraint, nothing to check

_OVER_LIMIT = "Total size of the entries in the request is over the limit."


def _required(name: str) -> dict:
    return {"ErrorCode": "InvalidArgument",
            "ErrorMessage": f"Parameter {name} is not valid. Reason: {name} is a required argument."}


_MALFORMED = {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
_NOT_AUTHORIZED_SOURCE = {"ErrorCode": "NotAuthorizedForSourceException",
                          "ErrorMessage": "Not authorized for the source."}


def _java(value) -> str:
    """A value as EventBridge's Java service prints it in a validation message."""
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return value.strftime("%a %b %d %H:%M:%S UTC %Y")
    if isinstance(value, list):
        return "[" + ", ".join(_java(item) for item in value) + "]"
    return str(value)


def _entry_text(entry: dict) -> str:
    fields = (("time", "Time"), ("source", "Source"), ("resources", "Resources"), ("detailType", "DetailType"),
              ("detail", "Detail"), ("eventBusName", "EventBusName"), ("traceHeader", "TraceHeader"))
    inner = ", ".join(f"{java}={_java(entry.get(key))}" for java, key in fields)
    return f"PutEventsRequestEntry({inner}, kmsKeyIdentifier=null, internalMetadata=null)"


def _constraint_problems(params: dict) -> list[str]:
    entries = params.get("Entries")
    if entries is None:
        return ["Value null at 'entries' failed to satisfy constraint: Member must not be null"]
    problems = []
    if not isinstance(entries, list):
        return problems
    if not 1 <= len(entries) <= MAX_ENTRIES:
        listed = "[" + ", ".join(_entry_text(e) if isinstance(e, dict) else _java(e) for e in entries) + "]"
        bound = ("greater than or equal to 1" if not entries else f"less than or equal to {MAX_ENTRIES}")
        problems.append(f"Value '{listed}' at 'entries' failed to satisfy constraint: Member must have length {bound}")
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            continue
        bus = entry.get("EventBusName")
        where = f"entries.{index}.member"
        if isinstance(bus, str) and not _SIMPLE_BUS.fullmatch(bus):
            if not re.fullmatch(_BUS_PATTERN, bus):
                problems.append(f"Value '{bus}' at '{where}.eventBusName' failed to satisfy constraint: "
                                f"Member must satisfy regular expression pattern: {_BUS_PATTERN}")
            if len(bus) > 1600:
                problems.append(f"Value '{bus}' at '{where}.eventBusName' failed to satisfy constraint: "
                                "Member must have length less than or equal to 1600")
            elif not bus:
                problems.append(f"Value '{bus}' at '{where}.eventBusName' failed to satisfy constraint: "
                                "Member must have length greater than or equal to 1")
        trace = entry.get("TraceHeader")
        if isinstance(trace, str) and not 1 <= len(trace) <= 500:
            bound = ("greater than or equal to 1" if not trace else "less than or equal to 500")
            problems.append(f"Value '{trace}' at '{where}.traceHeader' failed to satisfy constraint: "
                            f"Member must have length {bound}")
        for position, resource in enumerate(entry.get("Resources") or (), 1):
            if isinstance(resource, str) and len(resource) > 2048:
                problems.append(f"Value '{resource}' at '{where}.resources.{position}.member' failed to satisfy "
                                "constraint: Member must have length less than or equal to 2048")
    endpoint = params.get("EndpointId")
    if isinstance(endpoint, str):
        if not re.fullmatch(_ENDPOINT_PATTERN[1:-1], endpoint):
            problems.append(f"Value '{endpoint}' at 'endpointId' failed to satisfy constraint: "
                            f"Member must satisfy regular expression pattern: {_ENDPOINT_PATTERN}")
        if len(endpoint) > 50:
            problems.append(f"Value '{endpoint}' at 'endpointId' failed to satisfy constraint: "
                            "Member must have length less than or equal to 50")
    return problems


def check_put_events_request(params: dict) -> int:
    """The request-level checks (also strict mode's, before authorization); the entries' size."""
    problems = _constraint_problems(params)
    if problems:
        count = len(problems)
        raise ValidationException(f"{count} validation error{'s' if count > 1 else ''} detected: "
                                  + "; ".join(problems))
    size = entries_size(params["Entries"])
    if size > MAX_REQUEST_BYTES:
        raise ValidationException(_OVER_LIMIT)
    return size


def _utf8(value) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else 0


def entries_size(entries: list) -> int:
    """The entries' size as EventBridge counts it against the request limit."""
    size = 0
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        if entry.get("Time") is not None:
            size += TIME_BYTES
        size += _utf8(entry.get("Source")) + _utf8(entry.get("DetailType")) + _utf8(entry.get("Detail"))
        for resource in entry.get("Resources") or ():
            size += _utf8(resource)
    return size


# "For the JSON number (integer) data type, the constraints are: a minimum value of
# -9,223,372,036,854,775,808 and a maximum value of 9,223,372,036,854,775,807" (PutEvents)
_INT64 = range(-2 ** 63, 2 ** 63)


def _int64(text: str) -> int:
    value = int(text)
    if value not in _INT64:
        raise ValueError(f"integer out of range: {text}")
    return value


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number out of range: {text}")
    return value


def _no_constant(text: str):
    raise ValueError(f"not JSON: {text}")  # NaN, Infinity: Python's extensions, not JSON


def check_entry(entry: dict) -> tuple[dict | None, dict | None]:
    """(the result entry of an entry EventBridge refuses, or None; the entry's parsed Detail)."""
    for name in ("Source", "DetailType", "Detail"):
        if not entry.get(name) or not isinstance(entry[name], str):
            return _required(name), None
    try:
        detail = json.loads(entry["Detail"], parse_int=_int64, parse_float=_finite, parse_constant=_no_constant)
    except (TypeError, ValueError, RecursionError):
        return _MALFORMED, None
    if not isinstance(detail, dict):
        return _MALFORMED, None
    if entry["Source"].startswith(_AWS_SOURCE_PREFIX):
        return _NOT_AUTHORIZED_SOURCE, None
    return None, detail


def _event_time(value, now: float) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return now


class PutEventsOperations:
    def put_events(self, ctx, params: dict) -> dict:
        size = check_put_events_request(params)
        if params.get("EndpointId") is not None:
            raise ResourceNotFoundException(f"Endpoint {params['EndpointId']} does not exist.")
        scope = Scope.of(ctx)
        now = self.clock.now()
        results: list[dict] = []
        by_bus: dict[object, tuple] = {}
        failed = 0
        for entry in params["Entries"]:
            if not isinstance(entry, dict):
                entry = {}
            problem, detail = check_entry(entry)
            if problem is not None:
                failed += 1
                results.append(dict(problem))
                continue
            bus = self.bus_row(scope, entry.get("EventBusName"))
            event = build_envelope(scope, source=entry["Source"], detail_type=entry["DetailType"], detail=detail,
                                   resources=[r for r in entry.get("Resources") or () if isinstance(r, str)],
                                   time=_event_time(entry.get("Time"), now))
            results.append({"EventId": event["id"]})
            if bus is None:  # AWS accepts an event for a bus that does not exist, and drops it
                continue
            group = by_bus.setdefault(bus.bus_id, (bus, [], []))
            group[1].append(event)
            group[2].append(entry.get("TraceHeader"))
        for bus, events, traces in by_bus.values():
            self.accept_events(scope, bus, events, trace_headers=traces if any(traces) else None)
        self.events_metrics.put_events(scope, len(results), failed, size)
        return {"FailedEntryCount": failed, "Entries": results}


__all__ = ["PutEventsOperations", "build_envelope", "format_event_time", "check_put_events_request",
           "check_entry", "entries_size"]
