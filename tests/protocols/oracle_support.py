"""The protocol oracle: botocore's own serializers and parsers judge ours.

For every operation of every service model botocore ships:

- *requests*: params generated from the input shape are serialized by botocore's client
  serializer (``botocore.serialize.create_serializer``), prepared into real HTTP bytes exactly
  as the client would send them, turned into our ``HttpRequest`` and parsed by our protocol;
  the params must come back equal;
- *responses*: results generated from the output shape are serialized by our protocol and
  parsed by botocore's client parser (``botocore.parsers.create_parser``); the dict must come
  back equal;
- *errors*: every modelled error shape, serialized by us, must parse with botocore (the way
  the client does it: generic parse, then the modelled parse of the shape the code names) to
  the right ``Error.Code`` and members.

Values come from ``ValueGenerator``, a seeded generator that produces valid values for any
botocore shape (required members, unions with exactly one member, enum values, min/max
lengths, bounded depth for recursive shapes...). ``shape_values(shape)`` wraps it as a
hypothesis strategy: hypothesis drives the generator's random choices, so failures shrink.

Comparisons normalize only what the wire legitimately changes; every rule is in ``Normalizer``
with its reason.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import random
import struct
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.awsrequest import prepare_request_dict, create_request_object
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from overcast.protocols.base import HttpRequest, HttpResponse
from overcast.protocols.models import available_services, catalog

UTC = _dt.timezone.utc
ENDPOINT = "https://oracle.overcast.test"

# Examples per operation; the default keeps every oracle file well inside CI's budget.
ORACLE_DEPTH = int(os.environ.get("OVERCAST_ORACLE_DEPTH", "1") or "1")
ORACLE_SEED = int(os.environ.get("OVERCAST_ORACLE_SEED", "20240501") or "0")


# --------------------------------------------------------------------------------------------
# Which services and operations
# --------------------------------------------------------------------------------------------


def services_speaking(protocol: str) -> list[str]:
    """Every botocore service whose model lists ``protocol`` in ``metadata['protocols']``."""
    names = set(available_services())
    return sorted(n for n, md in catalog().items() if n in names and protocol in md["protocols"])


def operations(model) -> list:
    """All operation models of a service model, by name."""
    return [model.operation_model(name) for name in model.operation_names]


# --------------------------------------------------------------------------------------------
# Values for any shape
# --------------------------------------------------------------------------------------------

_TEXT_POOL = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    " -_.:/=+@,;!*'()[]{}~$#%?&<>\"\t\n"
    "éüßñ漢字العربية€✓🚀"
)


class ValueGenerator:
    """Valid values for botocore shapes, drawn from ``rng`` (a ``random.Random``).

    ``max_depth`` bounds nesting: past it, structures carry only their required members and
    lists/maps are empty, so recursive shapes (``AttributeValue``, JSON-like documents) end.
    ``text_pool`` is the alphabet of generated strings; the default mixes XML/URL specials,
    whitespace and non-ASCII text, without control characters other than tab and newline
    (XML 1.0 cannot carry most of them, so no AWS service returns them in an XML protocol).
    """

    def __init__(self, rng: random.Random, max_depth: int = 4, text_pool: str = _TEXT_POOL):
        self.rng = rng
        self.max_depth = max_depth
        self.text_pool = text_pool

    def value(self, shape, depth: int = 0):
        """A valid value for ``shape``."""
        return getattr(self, f"_gen_{shape.type_name}", self._gen_string)(shape, depth)

    # containers

    def _gen_structure(self, shape, depth):
        if shape.is_document_type:
            return self.document(depth)
        # event streams are framed binary messages, not values a params dict can hold
        members = {n: m for n, m in shape.members.items() if not _is_event_stream(m)}
        if shape.is_tagged_union:
            if not members:
                return {}
            name = self.rng.choice(sorted(members))
            return {name: self.value(members[name], depth + 1)}
        required = set(shape.required_members)
        result = {}
        for name, member in members.items():
            if name in required or (depth < self.max_depth and self.rng.random() < 0.6):
                result[name] = self.value(member, depth + 1)
        return result

    def _gen_list(self, shape, depth):
        low = shape.metadata.get("min", 0)
        high = max(low, min(shape.metadata.get("max", 3), 3 if depth < self.max_depth else 0))
        return [self.value(shape.member, depth + 1) for _ in range(self.rng.randint(low, high))]

    def _gen_map(self, shape, depth):
        low = shape.metadata.get("min", 0)
        high = max(low, min(shape.metadata.get("max", 3), 3 if depth < self.max_depth else 0))
        count = self.rng.randint(low, high)
        result = {}
        for _ in range(count * 3):
            if len(result) >= count:
                break
            result[self.value(shape.key, depth + 1)] = self.value(shape.value, depth + 1)
        return result

    def document(self, depth: int = 0):
        """A JSON-like document value (what a ``document`` shape carries)."""
        kind = self.rng.randrange(7 if depth < 2 else 5)
        if kind == 0:
            return self.rng.choice([True, False])
        if kind == 1:
            return self.rng.randint(-1000, 1000)
        if kind == 2:
            return self.rng.randint(-100, 100) / 4
        if kind in (3, 4):
            return self._text(0, 8)
        if kind == 5:
            return [self.document(depth + 1) for _ in range(self.rng.randint(0, 3))]
        return {self._text(1, 6): self.document(depth + 1) for _ in range(self.rng.randint(0, 3))}

    # scalars

    def _gen_string(self, shape, depth):
        enum = shape.metadata.get("enum")
        if enum and self.rng.random() < 0.8:
            return self.rng.choice(enum)
        if shape.serialization.get("hostLabel"):
            return "".join(self.rng.choice("abcdefghijklmnop0123456789-") for _ in range(self.rng.randint(1, 8)))
        low = shape.metadata.get("min", 0)
        high = max(low, min(shape.metadata.get("max", 12), low + 12))
        return self._text(low, high)

    _gen_character = _gen_string

    def _text(self, low: int, high: int) -> str:
        return "".join(self.rng.choice(self.text_pool) for _ in range(self.rng.randint(low, high)))

    def _gen_boolean(self, shape, depth):
        return self.rng.random() < 0.5

    def _int_range(self, shape, bits: int) -> tuple[int, int]:
        low = shape.metadata.get("min", -(2 ** (bits - 1)))
        high = shape.metadata.get("max", 2 ** (bits - 1) - 1)
        low = max(int(math.ceil(low)), -(2 ** (bits - 1)))
        high = min(int(math.floor(high)), 2 ** (bits - 1) - 1)
        return low, max(low, high)

    def _gen_integer(self, shape, depth):
        low, high = self._int_range(shape, 32)
        if self.rng.random() < 0.5:
            return self.rng.randint(max(low, -100), max(min(high, 100), max(low, -100)))
        return self.rng.randint(low, high)

    def _gen_long(self, shape, depth):
        low, high = self._int_range(shape, 64)
        if self.rng.random() < 0.5:
            return self.rng.randint(max(low, -100), max(min(high, 100), max(low, -100)))
        return self.rng.randint(low, high)

    _gen_short = _gen_integer
    _gen_byte = _gen_integer

    def _gen_double(self, shape, depth):
        low = shape.metadata.get("min")
        value = self.rng.choice(
            [0.0, 1.5, -2.25, 1e-7, 123456.789, 1.7976931348623157e308, self.rng.uniform(-1e6, 1e6)]
        )
        if low is not None and value < low:
            value = float(low) + abs(value)
        return value

    def _gen_float(self, shape, depth):
        # float shapes are 32-bit on some wires (cbor); draw values a float32 holds exactly
        value = self._gen_double(shape, depth)
        return struct.unpack(">f", struct.pack(">f", max(min(value, 3e38), -3e38)))[0]

    def _gen_timestamp(self, shape, depth):
        seconds = self.rng.randint(0, 4102444800)  # 1970 .. 2100
        micros = self.rng.choice([0, self.rng.randint(0, 999) * 1000, self.rng.randint(0, 999999)])
        return _dt.datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)

    def _gen_blob(self, shape, depth):
        low = shape.metadata.get("min", 0)
        return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(low, max(low, 16))))


def _is_event_stream(shape) -> bool:
    return bool(shape.serialization.get("eventstream"))


def shape_values(shape, max_depth: int = 4):
    """A hypothesis strategy of valid values for ``shape`` (hypothesis drives the choices)."""
    from hypothesis import strategies as st

    return st.randoms(use_true_random=False).map(lambda rng: ValueGenerator(rng, max_depth).value(shape))


def seeded_generator(*parts: object) -> ValueGenerator:
    """A generator seeded from ``ORACLE_SEED`` and ``parts`` (stable across runs and processes)."""
    text = "/".join(str(p) for p in (ORACLE_SEED, *parts))
    seed = 0
    for ch in text.encode():
        seed = (seed * 131 + ch) % (2**61 - 1)
    return ValueGenerator(random.Random(seed))


# --------------------------------------------------------------------------------------------
# botocore <-> our HTTP types
# --------------------------------------------------------------------------------------------

_serializers: dict[str, Any] = {}
_parsers: dict[str, Any] = {}


def botocore_request(protocol: str, operation, params: dict) -> HttpRequest:
    """``params`` as botocore's client would send them in ``protocol``, as our ``HttpRequest``.

    Serialized by botocore's serializer for ``protocol`` (with its parameter validation), then
    prepared into the real URL, headers and body bytes the client puts on the wire.
    """
    serializer = _serializers.get(protocol)
    if serializer is None:
        serializer = _serializers[protocol] = create_serializer(protocol, include_validation=True)
    request_dict = serializer.serialize_to_request(params, operation)
    prepare_request_dict(request_dict, endpoint_url=ENDPOINT)
    prepared = create_request_object(request_dict).prepare()
    url = prepared.url[len(ENDPOINT):]
    path, _, query = url.partition("?")
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = body.read()
    headers.setdefault("host", "oracle.overcast.test")
    if body:
        headers["content-length"] = str(len(body))
    return HttpRequest(prepared.method, path or "/", query, headers, body)


def _parser(protocol: str):
    parser = _parsers.get(protocol)
    if parser is None:
        parser = _parsers[protocol] = create_parser(protocol)
    return parser


def _response_dict(response: HttpResponse) -> dict:
    from urllib3._collections import HTTPHeaderDict

    body = response.body
    if not isinstance(body, (bytes, bytearray)):
        raise AssertionError(f"streamed body where bytes were expected: {type(body)}")
    return {"status_code": response.status, "headers": HTTPHeaderDict(response.headers), "body": bytes(body),
            "context": {"operation_name": ""}}


def botocore_parse(protocol: str, response: HttpResponse, shape) -> dict:
    """botocore's client parse of our response (``ResponseMetadata`` removed)."""
    parsed = _parser(protocol).parse(_response_dict(response), shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def botocore_parse_error(protocol: str, response: HttpResponse, operation) -> dict:
    """Our error response as botocore's client reads it.

    As ``botocore.endpoint`` does: the generic parse against the operation's output shape,
    then, when ``Error.Code`` names a modelled error shape, the modelled parse of that shape
    merged in. Also applies botocore's SQS-only code override (``botocore.handlers``): for sqs
    the exception class is looked up by ``QueryErrorCode`` when the response carried
    ``x-amzn-query-error``.
    Returns ``{"Error": {...}, "ResponseMetadata": {...}, <members>...}`` plus the key
    ``"__exception_code__"``: the code the client picks the exception class by.
    """
    response_dict = _response_dict(response)
    parser = _parser(protocol)
    parsed = parser.parse(response_dict, operation.output_shape)
    code = parsed.get("Error", {}).get("Code")
    if code is not None:
        shape = operation.service_model.shape_for_error_code(code)
        if shape is not None:
            parsed.update(parser.parse(response_dict, shape))
    query_code = parsed.get("Error", {}).get("QueryErrorCode")
    sqs = operation.service_model.service_name == "sqs"
    parsed["__exception_code__"] = query_code if sqs and query_code else code
    return parsed


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------

NAN = "<NaN>"  # NaN != NaN; normalized values compare NaN by this marker


@dataclass
class Normalizer:
    """What a protocol's wire legitimately changes, applied to expected and actual alike.

    - ``timestamp_precision(shape) -> timedelta``: timestamps are compared as UTC instants
      truncated to what the wire carries (botocore sends epoch *seconds* in json/cbor requests
      by default and microseconds in iso8601; our responses carry milliseconds).
    - ``drop_empty_structures`` / ``drop_empty_maps``: the query/ec2 serializers write nothing
      for an empty structure or map, so the member is absent, not empty.
    - ``drop_empty_lists``: ec2 writes nothing for an empty list (query writes ``Name=``).
    - ``drop_empty_flattened``: a flattened XML list or map with no items has no element at
      all, so it parses back absent.
    - special floats: botocore's JSON parser hands back the strings ``"NaN"``/``"Infinity"``/
      ``"-Infinity"`` that the AWS JSON protocols carry for special values, unconverted; on a
      float/double shape those strings mean the float.
    - NaN compares equal to NaN (``NAN`` marker).
    - naive/aware datetimes and ``bytes``/``bytearray`` compare by value.
    """

    timestamp_precision: Callable[[Any], _dt.timedelta] = lambda shape: _dt.timedelta(microseconds=1)
    drop_empty_structures: bool = False
    drop_empty_maps: bool = False
    drop_empty_lists: bool = False
    drop_empty_flattened: bool = False
    _missing: Any = field(default=object(), repr=False)

    def normalize(self, shape, value):
        """The comparable form of ``value`` for ``shape`` (``self._missing`` when it vanishes)."""
        if value is None:
            return None
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return _norm_document(value)
            out = {}
            for name, item in value.items():
                member = shape.members.get(name)
                if member is None:
                    out[name] = item
                    continue
                normalized = self.normalize(member, item)
                if normalized is not self._missing:
                    out[name] = normalized
            if not out and self.drop_empty_structures and not shape.is_tagged_union:
                return self._missing
            return out
        if kind == "list":
            if not value and (
                self.drop_empty_lists or (self.drop_empty_flattened and shape.serialization.get("flattened"))
            ):
                return self._missing
            items = [self.normalize(shape.member, v) for v in value]
            kept = [v for v in items if v is not self._missing]
            if value and not kept:
                # every item vanished (query writes nothing for an empty structure), and a
                # list that had items gets no empty-list marker either
                return self._missing
            return kept
        if kind == "map":
            if not value and (
                self.drop_empty_maps or (self.drop_empty_flattened and shape.serialization.get("flattened"))
            ):
                return self._missing
            out = {}
            for k, v in value.items():
                item = self.normalize(shape.value, v)
                # a vanished value leaves its key alone on the wire: the key parses with no value
                out[self.normalize(shape.key, k)] = None if item is self._missing else item
            return out
        if kind == "timestamp":
            return _truncate(value, self.timestamp_precision(shape))
        if kind in ("float", "double"):
            if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
                value = float(value)
            if isinstance(value, float) and math.isnan(value):
                return NAN
            return float(value)
        if kind == "blob":
            if isinstance(value, str):
                return value.encode("utf-8")
            return bytes(value)
        return value

    def prune(self, shape, value):
        """``normalize`` with a vanished top level as ``{}``."""
        result = self.normalize(shape, value)
        return {} if result is self._missing else result


def _norm_document(value):
    if isinstance(value, float) and math.isnan(value):
        return NAN
    if isinstance(value, dict):
        return {k: _norm_document(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm_document(v) for v in value]
    return value


def _truncate(value, precision: _dt.timedelta):
    if isinstance(value, (int, float)):
        value = _dt.datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        from overcast.protocols.values import parse_timestamp

        value = parse_timestamp(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    epoch = _dt.datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((value - epoch) // precision) * precision


SECONDS = _dt.timedelta(seconds=1)
MILLIS = _dt.timedelta(milliseconds=1)
MICROS = _dt.timedelta(microseconds=1)


def first_difference(expected, actual, path: str = "") -> str | None:
    """Where two normalized values first differ (a readable path), or None when equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                return f"{path}.{key}: missing (expected {_short(expected[key])})"
            if key not in expected:
                return f"{path}.{key}: unexpected {_short(actual[key])}"
            found = first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{path}: {len(actual)} items, expected {len(expected)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = first_difference(e, a, f"{path}[{i}]")
            if found:
                return found
        return None
    if type(expected) is not type(actual) and not (
        isinstance(expected, (int, float)) and isinstance(actual, (int, float)) and not isinstance(expected, bool)
        and not isinstance(actual, bool)
    ):
        return f"{path}: {_short(actual)} ({type(actual).__name__}), expected {_short(expected)} ({type(expected).__name__})"
    if expected != actual:
        return f"{path}: {_short(actual)}, expected {_short(expected)}"
    return None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


# --------------------------------------------------------------------------------------------
# Running an oracle over a service
# --------------------------------------------------------------------------------------------


class RequestIdContext:
    """The bits of ``RequestContext`` a serializer reads, for unit use."""

    def __init__(self, request_id: str = "oracle-request-id"):
        self.request_id = request_id
        self.account = "000000000000"
        self.region = "us-east-1"
        self.host = "oracle.overcast.test"
        self.extra: dict = {}


@dataclass
class OracleReport:
    """Outcome of one service's oracle run in one protocol."""

    service: str
    protocol: str
    operations: int = 0
    passed: int = 0
    errors_checked: int = 0
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        self.failures.append(what)

    def summary(self) -> str:
        head = f"{self.protocol} {self.service}: {self.passed}/{self.operations} operations pass"
        if self.skipped:
            head += f", {len(self.skipped)} skipped"
        if self.failures:
            head += "\n  " + "\n  ".join(self.failures[:25])
            if len(self.failures) > 25:
                head += f"\n  ... and {len(self.failures) - 25} more"
        return head


def check_request(protocol, protocol_name: str, operation, params: dict, normalizer: Normalizer) -> str | None:
    """Round-trip ``params`` botocore-serializer -> our parser; None when equal, else why not."""
    try:
        request = botocore_request(protocol_name, operation, params)
    except Exception as exc:  # noqa: BLE001 - a generator bug, reported as such
        return f"botocore could not serialize the generated params: {describe(exc)}"
    try:
        found = protocol.find_operation(operation.service_model, request)
    except Exception as exc:  # noqa: BLE001
        return f"find_operation failed: {describe(exc)}"
    if found.name != operation.name:
        return f"find_operation found {found.name}"
    try:
        parsed = protocol.parse_request(found, request)
    except Exception as exc:  # noqa: BLE001
        return f"parse_request failed: {describe(exc)}"
    shape = operation.input_shape
    if shape is None:
        return None if not parsed else f"params for an operation without input: {_short(parsed)}"
    diff = first_difference(normalizer.prune(shape, params), normalizer.prune(shape, parsed), "params")
    return f"request {diff}" if diff else None


def check_response(protocol, protocol_name: str, operation, result: dict, normalizer: Normalizer,
                   ctx=None, adjust=None) -> str | None:
    """Round-trip ``result`` our serializer -> botocore's parser; None when equal, else why not.

    ``adjust(shape, result, parsed)``, when given, reconciles what a protocol legitimately
    cannot carry before the comparison (the REST protocols' unset wire members)."""
    ctx = ctx or RequestIdContext()
    try:
        response = protocol.serialize_response(operation, result, ctx)
    except Exception as exc:  # noqa: BLE001
        return f"serialize_response failed: {describe(exc)}"
    if response.status >= 300:
        return f"serialize_response answered status {response.status}"
    try:
        parsed = botocore_parse(protocol_name, response, operation.output_shape)
    except Exception as exc:  # noqa: BLE001
        return f"botocore could not parse our response: {describe(exc)}; body={_short(response.body)}"
    shape = operation.output_shape
    if shape is None:
        return None if not parsed else f"botocore parsed output for an operation without output: {_short(parsed)}"
    if adjust is not None:
        adjust(shape, result, parsed)
    diff = first_difference(normalizer.prune(shape, result), normalizer.prune(shape, parsed), "result")
    return f"response {diff}" if diff else None


ENVELOPE_MEMBERS = ("message", "Message")
XML_ENVELOPE_MEMBERS = ("message", "Message", "Code", "Type")


def check_error(protocol, protocol_name: str, operation, error_shape, fields: dict, normalizer: Normalizer,
                expected_code: str | None = None, ctx=None, envelope: tuple = ENVELOPE_MEMBERS) -> str | None:
    """Our serialization of modelled error ``error_shape`` (carrying ``fields``) must parse with
    botocore to an exception code naming that shape and to the same members.

    ``expected_code`` is the code the client picks the exception by (the shape's error code
    by default). Members named in ``envelope`` travel as the error envelope itself (the
    message; in XML errors also ``<Code>``/``<Type>``), so they are not compared as members.
    """
    from overcast.errors import AwsError

    ctx = ctx or RequestIdContext()
    message = fields.get("message", fields.get("Message", "an oracle error"))
    if not isinstance(message, str):
        message = "an oracle error"
    others = {k: v for k, v in fields.items() if k not in ("message", "Message")}
    error = AwsError(error_shape.name, message, fields=others)
    try:
        response = protocol.serialize_error(operation.service_model, operation, error, ctx)
    except Exception as exc:  # noqa: BLE001
        return f"serialize_error({error_shape.name}) failed: {describe(exc)}"
    if response.status < 300:
        return f"error {error_shape.name} answered status {response.status}"
    try:
        parsed = botocore_parse_error(protocol_name, response, operation)
    except Exception as exc:  # noqa: BLE001
        return f"botocore could not parse error {error_shape.name}: {describe(exc)}; body={_short(response.body)}"
    want = expected_code or error_shape.error_code
    if parsed["__exception_code__"] != want:
        return f"error {error_shape.name}: client code {parsed['__exception_code__']!r}, expected {want!r}"
    # botocore's generic XML error parse turns an empty <Message></Message> into None
    if (parsed.get("Error", {}).get("Message") or "") != message and not _message_member_elsewhere(error_shape):
        return f"error {error_shape.name}: message {parsed.get('Error', {}).get('Message')!r}, expected {message!r}"
    # the message member is compared above, as Error.Message: a client that cannot map the code
    # to a shape (SQS over json) never sees it as a member
    members = {k: v for k, v in parsed.items() if k in error_shape.members and k not in envelope}
    expected = {k: v for k, v in fields.items() if k in error_shape.members and k not in envelope}
    diff = first_difference(normalizer.prune(error_shape, expected), normalizer.prune(error_shape, members), "error")
    return f"error {error_shape.name} {diff}" if diff else None


def _message_member_elsewhere(error_shape) -> bool:
    # a shape whose message member is not called message/Message: the generic Error.Message
    # is then not guaranteed by the protocol
    return not any(name in error_shape.members for name in ("message", "Message"))


def has_event_stream_output(operation) -> bool:
    """Whether the output carries an event stream (binary framed, not a dict round trip)."""
    shape = operation.output_shape
    return shape is not None and any(_is_event_stream(m) for m in shape.members.values())


def run_service_oracle(
    protocol,
    protocol_name: str,
    model,
    *,
    request_normalizer: Normalizer,
    response_normalizer: Normalizer,
    error_normalizer: Normalizer | None = None,
    depth: int = ORACLE_DEPTH,
    skip_operation: Callable[[Any], str | None] = lambda op: None,
    skip_response: Callable[[Any], str | None] = lambda op: None,
    expected_error_code: Callable[[Any], str] | None = None,
    error_envelope: tuple = ENVELOPE_MEMBERS,
) -> OracleReport:
    """Every operation of ``model`` through ``protocol`` (``depth`` examples each), and every
    modelled error shape once; returns the report (failures listed, nothing raised).

    ``skip_operation(op)`` / ``skip_response(op)`` return a reason to skip, or None.
    """
    report = OracleReport(model.service_name, protocol_name)
    for operation in operations(model):
        report.operations += 1
        reason = skip_operation(operation)
        if reason:
            report.skipped.append(f"{operation.name}: {reason}")
            continue
        ok = True
        for example in range(depth):
            gen = seeded_generator(protocol_name, model.service_name, operation.name, example)
            if operation.input_shape is not None:
                params = gen.value(operation.input_shape)
                problem = check_request(protocol, protocol_name, operation, params, request_normalizer)
                if problem:
                    report.fail(f"{operation.name} (example {example}): {problem}")
                    ok = False
                    break
            reason = skip_response(operation)
            if reason:
                if example == 0:
                    report.skipped.append(f"{operation.name} response: {reason}")
            elif operation.output_shape is not None or example == 0:
                result = gen.value(operation.output_shape) if operation.output_shape is not None else {}
                problem = check_response(protocol, protocol_name, operation, result, response_normalizer)
                if problem:
                    report.fail(f"{operation.name} (example {example}): {problem}")
                    ok = False
                    break
        if ok:
            report.passed += 1
    error_ops = {}
    for operation in operations(model):
        for shape in operation.error_shapes:
            error_ops.setdefault(shape.name, operation)
    any_op = model.operation_model(model.operation_names[0]) if model.operation_names else None
    for shape in model.error_shapes:
        operation = error_ops.get(shape.name, any_op)
        if operation is None:
            continue
        gen = seeded_generator(protocol_name, model.service_name, "error", shape.name)
        fields = gen.value(shape)
        expected = expected_error_code(shape) if expected_error_code else None
        problem = check_error(protocol, protocol_name, operation, shape, fields,
                              error_normalizer or response_normalizer, expected, envelope=error_envelope)
        report.errors_checked += 1
        if problem:
            report.fail(problem)
    return report


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 400 else text[:397] + "..."


__all__ = [
    "ValueGenerator",
    "shape_values",
    "seeded_generator",
    "services_speaking",
    "operations",
    "botocore_request",
    "botocore_parse",
    "botocore_parse_error",
    "Normalizer",
    "first_difference",
    "RequestIdContext",
    "OracleReport",
    "describe",
    "check_request",
    "check_response",
    "check_error",
    "run_service_oracle",
    "ENVELOPE_MEMBERS",
    "XML_ENVELOPE_MEMBERS",
    "has_event_stream_output",
    "ORACLE_DEPTH",
    "SECONDS",
    "MILLIS",
    "MICROS",
]
