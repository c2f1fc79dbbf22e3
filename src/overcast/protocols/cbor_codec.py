"""Shape-driven reading and writing of CBOR trees, for the smithy-rpc-v2-cbor protocol.

cbor2 decodes a body to dicts, lists and native scalars; these plans turn that tree into the
params dict a botocore client was given, and a result dict into the tree to encode:

- blobs are byte strings (a text string is accepted and UTF-8 encoded, as botocore does);
- timestamps are tag 1 epoch seconds, which cbor2 decodes to datetimes (plain numbers and
  timestamp text are accepted too); written as tag 1 with milliseconds as a fraction;
- floats are native, ``NaN``/``Infinity`` included;
- request members are keyed by ``locationName`` or member name (botocore's serializer uses
  the former, its parser the latter), response members by member name (all botocore's cbor
  parser reads).

``reader(shape)`` raises ``BadValue`` on a value of the wrong type; constraints such as
min/max/required are the services' business. Plans are compiled once per shape and cached.
``json_codec`` is the JSON twin of this module.
"""

from __future__ import annotations

from datetime import datetime, timezone

import cbor2

from overcast.protocols.plans import PlanCache
from overcast.protocols.values import format_timestamp, parse_float, parse_integer, parse_timestamp


class BadValue(ValueError):
    """A body value that cannot be read as its shape's type."""


_INTEGERS = ("integer", "long", "short", "byte", "bigInteger")
_FLOATS = ("float", "double", "bigDecimal")


def _identity(value):
    return value


def reader(shape):
    """``read(tree) -> params`` for ``shape``."""
    return _readers.get(shape)


def writer(shape):
    """``write(value) -> tree`` for ``shape`` (``cbor2.dumps`` does the rest)."""
    return _writers.get(shape)


# ------------------------------------------------------------------------------- reading


def _compile_reader(shape, cache: PlanCache):
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return _identity
        members = []
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            members.append((key, name, cache.callable(member)))
            if key != name:
                members.append((name, name, cache.callable(member)))
        shape_name = shape.name

        def read_structure(value):
            if not isinstance(value, dict):
                raise BadValue(f"Expected a map for {shape_name}, got {_type_name(value)}")
            out = {}
            for key, name, read in members:
                item = value.get(key)
                if item is not None and name not in out:
                    out[name] = read(item)
            return out

        return read_structure
    if kind == "list":
        read_item = cache.callable(shape.member)
        shape_name = shape.name

        def read_list(value):
            if not isinstance(value, list):
                raise BadValue(f"Expected a list for {shape_name}, got {_type_name(value)}")
            return [None if item is None else read_item(item) for item in value]

        return read_list
    if kind == "map":
        read_key = cache.callable(shape.key)
        read_value = cache.callable(shape.value)
        shape_name = shape.name

        def read_map(value):
            if not isinstance(value, dict):
                raise BadValue(f"Expected a map for {shape_name}, got {_type_name(value)}")
            return {read_key(k): None if v is None else read_value(v) for k, v in value.items()}

        return read_map
    return _scalar_reader(shape)


def _scalar_reader(shape):
    kind = shape.type_name
    shape_name = shape.name

    def checked(convert, expected):
        def read(value):
            try:
                return convert(value)
            except (ValueError, TypeError, OverflowError):
                raise BadValue(f"Expected {expected} for {shape_name}, got {_describe(value)}") from None

        return read

    if kind in ("string", "character"):

        def read_string(value):
            if isinstance(value, str):
                return value
            raise BadValue(f"Expected a string for {shape_name}, got {_type_name(value)}")

        return read_string
    if kind in _INTEGERS:
        return checked(parse_integer, "an integer")
    if kind in _FLOATS:
        return checked(parse_float, "a number")
    if kind == "boolean":

        def read_boolean(value):
            if isinstance(value, bool):
                return value
            raise BadValue(f"Expected a boolean for {shape_name}, got {_type_name(value)}")

        return read_boolean
    if kind == "timestamp":
        return checked(_read_time, "a timestamp")
    if kind == "blob":
        return checked(_read_bytes, "a byte string")
    return _identity


def _read_time(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return parse_timestamp(value)


def _read_bytes(value) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(type(value).__name__)


# ------------------------------------------------------------------------------- writing


def _compile_writer(shape, cache: PlanCache):
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return _identity
        table = {name: cache.callable(member) for name, member in shape.members.items()}

        def write_structure(value):
            out = {}
            get = table.get
            for name, item in value.items():
                write = get(name)
                if write is not None and item is not None:
                    out[name] = write(item)
            return out

        return write_structure
    if kind == "list":
        write_item = cache.callable(shape.member)
        if write_item is _identity:
            return list
        return lambda value: [None if item is None else write_item(item) for item in value]
    if kind == "map":
        write_value = cache.callable(shape.value)
        if write_value is _identity:
            return dict
        return lambda value: {k: None if v is None else write_value(v) for k, v in value.items()}
    if kind == "timestamp":
        return _timestamp_tag
    if kind == "blob":
        return lambda value: value.encode("utf-8") if isinstance(value, str) else bytes(value)
    # strings, numbers (specials included) and booleans travel as they are
    return _identity


def _timestamp_tag(value) -> cbor2.CBORTag:
    # tag 1, epoch seconds with milliseconds as a fraction: what AWS sends and SDKs read
    return cbor2.CBORTag(1, format_timestamp(value, "unixtimestamp"))


def _type_name(value) -> str:
    return {dict: "a map", list: "a list", str: "a text string", bool: "a boolean", int: "an integer",
            float: "a float", bytes: "a byte string"}.get(type(value), type(value).__name__)


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_readers = PlanCache(_compile_reader)
_writers = PlanCache(_compile_writer)
