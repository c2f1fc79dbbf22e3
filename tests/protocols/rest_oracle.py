"""The REST side of the protocol oracle: what rest-json and rest-xml add to ``oracle_support``.

Values for members that travel in HTTP headers, URI labels and status codes are drawn from
what HTTP can carry (the generic generator's tabs, newlines and non-ASCII text cannot be sent
in a header by any client); timestamps are compared at the precision of the place they travel
in. Everything else is the shared oracle: botocore's serializer -> our parser, our serializer
-> botocore's parser, every modelled error shape.
"""

from __future__ import annotations

import asyncio
import random
import string
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from oracle_support import (
    MICROS,
    MILLIS,
    ORACLE_DEPTH,
    ORACLE_SEED,
    SECONDS,
    Normalizer,
    OracleReport,
    RequestIdContext,
    ValueGenerator,
    check_error,
    check_response,
    describe,
    first_difference,
    operations,
)

from overcast.protocols.base import HttpRequest


def has_event_stream_input(operation) -> bool:
    shape = operation.input_shape
    return shape is not None and any(m.serialization.get("eventstream") for m in shape.members.values())


def has_event_stream_output(operation) -> bool:
    shape = operation.output_shape
    return shape is not None and any(m.serialization.get("eventstream") for m in shape.members.values())

# what a header value can hold: printable ASCII (no leading/trailing blanks, trimmed by HTTP)
_HEADER_POOL = string.ascii_letters + string.digits + " -_.:/=+@;!*'()[]{}~$#%?&<>"
# header list items as botocore's *response* parser splits them (on "," without unquoting)
_HEADER_ITEM_POOL = string.ascii_letters + string.digits + "-_.:/=+@!*'()[]{}~$#%?&<>"
_HEADER_NAME_POOL = string.ascii_lowercase + string.digits + "-"
_STATUS_CODES = (200, 201, 202)


class RestValueGenerator(ValueGenerator):
    """``ValueGenerator`` with the HTTP rules of REST bindings.

    ``direction`` is ``"input"`` or ``"output"``: output header lists are also kept free of
    commas and quotes, which botocore's response parser does not unquote.
    """

    def __init__(self, rng: random.Random, direction: str, max_depth: int = 4):
        super().__init__(rng, max_depth)
        self.direction = direction

    def value(self, shape, depth: int = 0):
        location = shape.serialization.get("location")
        if shape.serialization.get("hostLabel"):
            return super().value(shape, depth)
        if location == "statusCode":
            return self.rng.choice(_STATUS_CODES)
        if location == "header":
            return self._header_value(shape)
        if location == "headers":
            return {self._header_name(): self._header_text(1, 10) for _ in range(self.rng.randint(1, 3))}
        if location == "querystring" and shape.type_name == "map":
            return {f"q-{self._header_name()}": self._query_map_value(shape.value) for _ in range(self.rng.randint(1, 3))}
        if location == "querystring" and shape.type_name == "list":
            # an empty list puts nothing in the query string: it comes back absent
            return [super(RestValueGenerator, self).value(shape.member) for _ in range(self.rng.randint(1, 3))]
        if location == "uri" and shape.metadata.get("enum"):
            return self.rng.choice(shape.metadata["enum"])  # an empty label routes nowhere
        if location == "uri" and shape.type_name == "string":
            low = max(1, shape.metadata.get("min", 1))
            return self._text(low, max(low, min(shape.metadata.get("max", 12), low + 12)))
        return super().value(shape, depth)

    def _query_map_value(self, shape):
        if shape.type_name == "list":
            return [super(RestValueGenerator, self).value(shape.member) for _ in range(self.rng.randint(1, 3))]
        return super().value(shape)

    def _header_name(self) -> str:
        return "".join(self.rng.choice(_HEADER_NAME_POOL) for _ in range(self.rng.randint(1, 8))).strip("-") or "h"

    def _header_text(self, low: int, high: int, pool: str = _HEADER_POOL) -> str:
        text = "".join(self.rng.choice(pool) for _ in range(self.rng.randint(low, high))).strip()
        return text + "x" * (max(low, 1) - len(text))

    def _header_value(self, shape):
        if shape.serialization.get("jsonvalue"):
            return self.document(0)
        kind = shape.type_name
        if kind == "list":
            pool = _HEADER_POOL + ',"' if self.direction == "input" else _HEADER_ITEM_POOL
            item = shape.member
            count = self.rng.randint(1, 3)
            if item.type_name == "string":
                enum = item.metadata.get("enum")
                return [self.rng.choice(enum) if enum else self._header_text(1, 10, pool) for _ in range(count)]
            return [super(RestValueGenerator, self).value(item) for _ in range(count)]
        if kind == "string":
            enum = shape.metadata.get("enum")
            if enum:
                return self.rng.choice(enum)
            low = max(1, shape.metadata.get("min", 1))
            return self._header_text(low, max(low, min(shape.metadata.get("max", 16), low + 16)))
        return super().value(shape)

    def _gen_float(self, shape, depth):
        # JSON and XML carry doubles; the float32 rounding of the shared generator (for cbor)
        # can fall below a modelled minimum
        return self._gen_double(shape, depth)

    def _gen_blob(self, shape, depth):
        # payload blobs come back as text in botocore's parser (it decodes the body as UTF-8)
        if self.direction == "output" or shape.serialization.get("streaming"):
            return self._text(1, 16).encode("utf-8")
        return super()._gen_blob(shape, depth)


def generate(shape, direction: str, *parts) -> dict:
    """A value for ``shape`` from a generator seeded by ``ORACLE_SEED`` and ``parts``."""
    text = "/".join(str(p) for p in (ORACLE_SEED, direction, *parts))
    gen = RestValueGenerator(random.Random(text), direction)
    value = gen.value(shape)
    payload = shape.serialization.get("payload")
    if payload and not shape.members[payload].serialization.get("eventstream"):
        member = shape.members[payload]
        if member.type_name in ("blob", "string") and not value.get(payload):
            # an empty payload body is no member at all: botocore sends nothing either way
            value[payload] = b"x" if member.type_name == "blob" else "x"
        elif payload not in value:
            # an absent structure payload is an empty body (or "{}"), which reads back as {}
            value[payload] = gen.value(member)
    for name, member in shape.members.items():
        if member.serialization.get("location") == "statusCode":
            value[name] = gen.value(member)  # the status line always carries one
    if shape.metadata.get("exception"):
        for name, member in shape.members.items():
            if member.serialization.get("name", "").lower() == "x-amzn-errortype":
                value[name] = shape.error_code  # that header is where the error code travels
    return value


def rest_request(protocol_name: str, operation, params: dict) -> HttpRequest:
    """``params`` as botocore's client sends them (serializer + request preparation), as our
    ``HttpRequest``; the host carries the operation's ``hostPrefix`` as the client puts it."""
    from botocore.awsrequest import create_request_object, prepare_request_dict
    from botocore.serialize import create_serializer

    serializer = _SERIALIZERS.get(protocol_name)
    if serializer is None:
        serializer = _SERIALIZERS[protocol_name] = create_serializer(protocol_name, include_validation=True)
    request_dict = serializer.serialize_to_request(params, operation)
    prepare_request_dict(request_dict, endpoint_url=ENDPOINT)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    headers["host"] = url.netloc
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = body.read()
    if body:
        headers.setdefault("content-length", str(len(body)))  # as given, when the caller set it
    return HttpRequest(prepared.method, url.path or "/", url.query, headers, body)


def check_rest_request(protocol, protocol_name: str, operation, params: dict, normalizer,
                       aliases: dict[str, str] | None = None) -> str | None:
    """botocore-serialized ``params`` must route to ``operation`` (or to the operation
    ``aliases`` names for it: same wire request) and parse back equal."""
    aliases = aliases or {}
    try:
        request = rest_request(protocol_name, operation, params)
    except Exception as exc:  # noqa: BLE001 - a generator bug, reported as such
        return f"botocore could not serialize the generated params: {describe(exc)}"
    try:
        found = protocol.find_operation(operation.service_model, request)
    except Exception as exc:  # noqa: BLE001
        return f"find_operation failed: {describe(exc)}"
    if found.name == aliases.get(f"{operation.service_model.service_name}.{operation.name}"):
        found = operation  # the same request on the wire; what it holds must still parse
    elif found.name != operation.name:
        return f"find_operation found {found.name} for {request.method} {request.path}?{request.query_string}"
    try:
        parsed = protocol.parse_request(found, request)
    except Exception as exc:  # noqa: BLE001
        return f"parse_request failed: {describe(exc)}"
    shape = operation.input_shape
    if shape is None:
        return None if not parsed else f"params for an operation without input: {parsed!r:.200}"
    for name, member in shape.members.items():
        # botocore adds Content-Type (JSON bodies) and Content-Length (any body); where the model
        # binds such a header to a member, the member is on the wire though the caller did not
        # set it
        header = member.serialization.get("name", "").lower()
        if header in ("content-type", "content-length") and name not in params and name in parsed:
            if str(parsed[name]) == request.headers.get(header):
                del parsed[name]
    diff = first_difference(normalizer.prune(shape, params), normalizer.prune(shape, parsed), "params")
    return f"request {diff}" if diff else None


def unset_wire_members(shape, given: dict, parsed: dict) -> None:
    """Drop from ``parsed`` what the wire adds on its own, not the members given:

    - a member bound to ``Content-Type`` that was not set still reads back the type of the
      body we sent;
    - a header map with the empty prefix (dataexchange's ``ResponseHeaders``) reads back every
      header of the response, request id and content type included.
    """
    for name, member in shape.members.items():
        ser = member.serialization
        if ser.get("location") == "header" and ser.get("name", "").lower() == "content-type":
            if name not in given:
                parsed.pop(name, None)
        elif ser.get("location") == "headers" and name not in given and parsed.get(name) == {}:
            del parsed[name]  # no header with the prefix reads back as an empty map
        elif ser.get("location") == "headers" and not ser.get("name") and name in parsed:
            expected = {k.lower() for k in given.get(name) or {}}
            parsed[name] = {k: v for k, v in parsed[name].items() if k.lower() in expected}
            if not parsed[name] and name not in given:
                del parsed[name]


def check_rest_response(protocol, protocol_name: str, operation, result: dict, normalizer) -> str | None:
    """Our serialization of ``result`` must parse with botocore's client parser to ``result``."""
    return check_response(protocol, protocol_name, operation, result, normalizer, adjust=unset_wire_members)


_SERIALIZERS: dict = {}
ENDPOINT = "https://oracle.overcast.test"


def _request_precision(body_default: str):
    def precision(shape):
        location = shape.serialization.get("location")
        if location == "header":
            return SECONDS  # botocore truncates header timestamps to seconds in any format
        default = {"querystring": "iso8601", "uri": "iso8601"}.get(location, body_default)
        fmt = (shape.serialization.get("timestampFormat") or default).lower()
        # botocore writes rfc822 and (by default) unix timestamps in whole seconds
        return SECONDS if fmt in ("rfc822", "unixtimestamp") else MICROS

    return precision


def _response_precision(body_default: str):
    def precision(shape):
        location = shape.serialization.get("location")
        default = "rfc822" if location == "header" else body_default
        fmt = (shape.serialization.get("timestampFormat") or default).lower()
        return SECONDS if fmt == "rfc822" else MILLIS

    return precision


def normalizers(protocol_name: str) -> tuple[Normalizer, Normalizer]:
    """(request, response) normalizers for a REST protocol."""
    body_default = "unixtimestamp" if protocol_name == "rest-json" else "iso8601"
    flattened = protocol_name == "rest-xml"
    return (
        Normalizer(timestamp_precision=_request_precision(body_default), drop_empty_flattened=flattened),
        Normalizer(timestamp_precision=_response_precision(body_default), drop_empty_flattened=flattened),
    )


class _RawStream:
    """What botocore's ``EventStream`` reads: an object with ``stream()`` yielding chunks."""

    def __init__(self, chunks: list[bytes]):
        self.chunks = chunks

    def stream(self):
        yield from self.chunks

    def close(self):
        pass


def collect(body) -> list[bytes]:
    """The chunks of a response body (bytes, or an async iterator run to the end)."""
    if isinstance(body, (bytes, bytearray)):
        return [bytes(body)]

    async def drain():
        return [chunk async for chunk in body]

    return asyncio.run(drain())


def check_event_stream_response(protocol, protocol_name: str, operation, result: dict, normalizer) -> str | None:
    """An event-stream output: one event of every kind the stream models, encoded by us, must
    decode with botocore's ``EventStream`` to the same events; then a modelled exception (or a
    generic error) ending the stream must raise ``EventStreamError`` with its code."""
    from botocore.exceptions import EventStreamError
    from botocore.parsers import create_parser
    from urllib3._collections import HTTPHeaderDict

    from overcast.errors import AwsError

    shape = operation.output_shape
    payload = shape.serialization["payload"]
    stream_shape = shape.members[payload]
    events, exceptions = [], []
    for name, member in stream_shape.members.items():
        if member.metadata.get("exception"):
            exceptions.append(name)  # AWS names an exception event by its stream member
        else:
            event = generate(member, "output", operation.name, name)
            for part, part_shape in member.members.items():
                if part_shape.serialization.get("eventpayload"):  # an absent payload reads back empty
                    empty = {"blob": b"x", "string": "x"}.get(part_shape.type_name, {})
                    event.setdefault(part, empty)
            events.append({name: event})

    def parse(source):
        response = protocol.serialize_response(operation, {**result, payload: source}, RequestIdContext())
        chunks = collect(response.body)
        response_dict = {"status_code": response.status, "headers": HTTPHeaderDict(response.headers),
                         "body": _RawStream(chunks), "context": {"operation_name": operation.name}}
        return create_parser(protocol_name).parse(response_dict, shape)

    try:
        parsed = parse(iter(events))
        stream = parsed.pop(payload)
        parsed.pop("ResponseMetadata", None)
        unset_wire_members(shape, result, parsed)
        got = list(stream)
    except Exception as exc:  # noqa: BLE001
        return f"event stream did not decode: {describe(exc)}"
    diff = first_difference(normalizer.prune(shape, {k: v for k, v in result.items() if k != payload}),
                            normalizer.prune(shape, parsed), "result")
    if diff:
        return f"response {diff}"
    for i, (want, have) in enumerate(zip(events, got)):
        diff = first_difference(normalizer.prune(stream_shape, want), normalizer.prune(stream_shape, have), f"event[{i}]")
        if diff:
            return f"event stream {diff}"
    if len(got) != len(events):
        return f"event stream: {len(got)} events, expected {len(events)}"
    code = exceptions[0] if exceptions else "SomethingBroke"

    async def failing():
        yield events[0] if events else {}
        raise AwsError(code, "stream failed")

    try:
        list(parse(failing() if events else _raise_async(AwsError(code, "stream failed")))[payload])
    except EventStreamError as exc:
        if exc.response["Error"]["Code"] != code:
            return f"event stream error code {exc.response['Error']['Code']!r}, expected {code!r}"
        return None
    except Exception as exc:  # noqa: BLE001
        return f"event stream error did not decode: {describe(exc)}"
    return "event stream error was not raised by the client"


async def _raise_async(error):
    raise error
    yield  # pragma: no cover - makes this an async generator


@dataclass
class RestOracle:
    """Runs the oracle over one service in one REST protocol."""

    protocol: object
    protocol_name: str
    depth: int = ORACLE_DEPTH
    # "service.Operation" -> reason, for requests not checked at all (documented at use)
    skip_requests: dict[str, str] = field(default_factory=dict)
    # "service.Operation" -> the operation its requests route to: the two are the same request
    # on the wire (documented at use); the request must still parse as the named operation
    route_aliases: dict[str, str] = field(default_factory=dict)
    # "service.Operation" -> reason, for responses not checked (documented at use)
    skip_responses: dict[str, str] = field(default_factory=dict)
    # "service.Operation" -> check(protocol, protocol_name, operation, result, normalizer), for
    # responses botocore reads with an operation-specific handler (documented at use)
    response_fixups: dict = field(default_factory=dict)

    def run(self, model) -> OracleReport:
        report = OracleReport(model.service_name, self.protocol_name)
        request_norm, response_norm = normalizers(self.protocol_name)
        skips = self.skip_requests
        checked_errors: set[str] = set()
        for operation in operations(model):
            report.operations += 1
            failures = []
            key = f"{model.service_name}.{operation.name}"
            if has_event_stream_input(operation):
                skips = {**skips, key: "botocore cannot send event-stream input (bidirectional HTTP/2)"}
            skip_response = self.skip_responses.get(key)
            if skip_response:
                report.skipped.append(f"{operation.name} response: {skip_response}")
            for example in range(self.depth):
                if key in skips:
                    if example == 0:
                        report.skipped.append(f"{operation.name} request: {skips[key]}")
                elif operation.input_shape is not None or example == 0:
                    params = generate(operation.input_shape, "input", model.service_name, operation.name, example) \
                        if operation.input_shape is not None else {}
                    why = check_rest_request(self.protocol, self.protocol_name, operation, params, request_norm,
                                             self.route_aliases)
                    if why:
                        failures.append(f"{operation.name}: {why}")
                if (operation.output_shape is not None or example == 0) and not skip_response:
                    result = generate(operation.output_shape, "output", model.service_name, operation.name, example) \
                        if operation.output_shape is not None else {}
                    fixup = self.response_fixups.get(key)
                    if fixup is None and has_event_stream_output(operation):
                        fixup = check_event_stream_response
                    why = fixup(self.protocol, self.protocol_name, operation, result, response_norm) if fixup \
                        else check_rest_response(self.protocol, self.protocol_name, operation, result, response_norm)
                    if why:
                        failures.append(f"{operation.name}: {why}")
            for error_shape in operation.error_shapes:
                if error_shape.name in checked_errors:
                    continue
                checked_errors.add(error_shape.name)
                fields = generate(error_shape, "output", model.service_name, error_shape.name)
                why = check_error(self.protocol, self.protocol_name, operation, error_shape, fields, response_norm)
                if why:
                    failures.append(f"{operation.name}: {why}")
            if failures:
                report.failures.extend(failures)
            else:
                report.passed += 1
        return report


__all__ = ["RestOracle", "RestValueGenerator", "generate", "normalizers", "describe"]
