"""Shape-driven reading and writing of JSON-like trees, for the json and cbor protocols.

Both protocols carry a body that decodes to dicts, lists and scalars; they differ only in how
a few scalar types travel and in member naming:

==========  ==============================  ==========================================
            json (``JSON``)                 cbor (``CBOR``)
==========  ==============================  ==========================================
blob        base64 text                     byte string
timestamp   epoch seconds (or the           tag 1 epoch seconds (decoded by cbor2 to a
            ``timestampFormat`` trait)      datetime)
float       number, or "NaN"/"Infinity"     float (specials native)
keys        ``locationName`` or member      requests: ``locationName`` or member name
            name                            (botocore's serializer); responses: member
                                            name (what botocore's parser reads)
==========  ==============================  ==========================================

``Codec.reader(shape)`` compiles a function from the decoded body to the params dict a
botocore client was given (raising ``BadValue`` on a value of the wrong type; constraints such
as min/max/required are the services' business); ``Codec.writer(shape)`` compiles a function
from a result dict to the tree to encode. Plans are compiled once per shape and cached.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from overcast.protocols.plans import PlanCache
from overcast.protocols.values import (
    decode_blob,
    encode_blob,
    format_timestamp,
    json_float,
    parse_float,
    parse_integer,
    parse_timestamp,
    timestamp_format,
    to_datetime,
)


class BadValue(ValueError):
    """A body value that cannot be read as its shape's type."""


_INTEGERS = ("integer", "long", "short", "byte", "bigInteger")
_FLOATS = ("float", "double", "bigDecimal")


def _identity(value):
    return value


class Codec:
    """Readers and writers of one wire flavour (``JSON`` or ``CBOR`` below)."""

    def __init__(self, name: str, *, binary: bool, write_location_names: bool, write_timestamp=None):
        self.name = name
        self.binary = binary  # cbor: native bytes and datetimes
        self.write_location_names = write_location_names
        # binary wires: how a timestamp value is handed to the encoder (default: aware datetime)
        self.write_timestamp = write_timestamp or to_datetime
        self._readers = PlanCache(self._compile_reader)
        self._writers = PlanCache(self._compile_writer)

    def reader(self, shape):
        """``read(tree) -> params`` for ``shape``."""
        return self._readers.get(shape)

    def writer(self, shape):
        """``write(value) -> tree`` for ``shape``."""
        return self._writers.get(shape)

    # ---------------------------------------------------------------- reading

    def _compile_reader(self, shape, cache: PlanCache):
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return _identity
            members = []
            for name, member in shape.members.items():
                key = member.serialization.get("name", name)
                members.append((key, name, cache.callable(member)))
                if key != name:  # accept the member name too (botocore's cbor parser writes it)
                    members.append((name, name, cache.callable(member)))
            shape_name = shape.name

            def read_structure(value):
                if not isinstance(value, dict):
                    raise BadValue(f"Expected an object for {shape_name}, got {_type_name(value)}")
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
        return self._scalar_reader(shape)

    def _scalar_reader(self, shape):
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
            if self.binary:

                def read_time(value):
                    if isinstance(value, datetime):
                        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
                    return parse_timestamp(value)

                return checked(read_time, "a timestamp")
            return checked(parse_timestamp, "a timestamp")
        if kind == "blob":
            if self.binary:

                def read_bytes(value):
                    if isinstance(value, (bytes, bytearray)):
                        return bytes(value)
                    if isinstance(value, str):
                        return value.encode("utf-8")
                    raise TypeError

                return checked(read_bytes, "a blob")
            return checked(decode_blob, "base64 text")
        return _identity

    # ---------------------------------------------------------------- writing

    def _compile_writer(self, shape, cache: PlanCache):
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return _identity
            table = {}
            for name, member in shape.members.items():
                key = member.serialization.get("name", name) if self.write_location_names else name
                table[name] = (key, cache.callable(member))

            def write_structure(value):
                out = {}
                for name, item in value.items():
                    entry = table.get(name)
                    if entry is not None and item is not None:
                        out[entry[0]] = entry[1](item)
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
            if self.binary:
                return self.write_timestamp
            fmt = timestamp_format(shape, "unixtimestamp")
            return lambda value: format_timestamp(value, fmt)
        if kind == "blob":
            if self.binary:
                return lambda value: value.encode("utf-8") if isinstance(value, str) else bytes(value)
            return encode_blob
        if kind in _FLOATS:
            return _identity if self.binary else _write_json_float
        # strings, integers, booleans travel as they are
        return _identity


def _write_json_float(value):
    if isinstance(value, float) and not math.isfinite(value):
        return json_float(value)
    return value


def _type_name(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", bytes: "a byte string"}.get(type(value), type(value).__name__)


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


JSON = Codec("json", binary=False, write_location_names=True)

__all__ = ["Codec", "BadValue", "JSON"]
