"""Shape-driven JSON values: wire JSON -> params, and results -> JSON-ready values.

The rules are botocore's (``JSONSerializer`` / ``BaseJSONParser``): members keyed by their
``locationName``, blobs base64, timestamps epoch seconds unless ``timestampFormat`` says
otherwise, special floats as ``"NaN"``/``"Infinity"``/``"-Infinity"``, documents as they are.

Readers check JSON types as they go (a string where a structure belongs is a
``JsonShapeError``, which the protocol turns into its 4xx) but do not check constraints
(lengths, ranges, enums, required members): that is the service's business.

Codecs are compiled once per shape into closures and cached; recursive shapes share one.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from overcast.protocols.values import (
    UNIX,
    decode_blob,
    encode_blob,
    format_timestamp,
    json_float,
    parse_float,
    parse_timestamp,
    timestamp_format,
)

# Members carried outside a request body; in a response only header/statusCode members are
# (botocore's parser reads any other member from the body, so we write them there).
_LOCATED_IN_REQUEST = ("header", "headers", "uri", "querystring")
_LOCATED_IN_RESPONSE = ("header", "headers", "statusCode")
_INTEGERS = ("integer", "long", "short", "byte", "bigInteger")
_FLOATS = ("float", "double", "bigDecimal")

Codec = Callable[[Any], Any]


class JsonShapeError(ValueError):
    """A JSON value that does not fit its shape."""


def _key(shape, body_only: bool) -> tuple:
    ser = shape.serialization
    traits = tuple(sorted((k, repr(v)) for k, v in ser.items())) if ser else ()
    return (getattr(shape, "_shape_resolver", None), shape.name, shape.type_name, traits, body_only)


class _Lazy:
    """A codec slot filled after compiling, so recursive shapes can refer to themselves."""

    __slots__ = ("fn",)

    def __init__(self):
        self.fn: Codec | None = None

    def __call__(self, value):
        return self.fn(value)


_readers: dict[tuple, Codec] = {}
_writers: dict[tuple, Codec] = {}
_lock = threading.RLock()


def reader(shape, body_only: bool = False) -> Codec:
    """value parsed by ``json.loads`` -> params value for ``shape``.

    ``body_only`` skips members carried outside a request body (headers, URI, query string).
    """
    return _cached(_readers, shape, body_only, _compile_reader)


def writer(shape, body_only: bool = False) -> Codec:
    """result value -> JSON-ready value for ``shape`` (``json.dumps`` does the rest).

    ``body_only`` skips members carried outside a response body (headers, status code).
    """
    return _cached(_writers, shape, body_only, _compile_writer)


def _cached(cache: dict, shape, body_only: bool, compile_fn) -> Codec:
    key = _key(shape, body_only)
    codec = cache.get(key)
    if codec is None:
        with _lock:
            codec = cache.get(key)
            if codec is None:
                lazy = _Lazy()
                cache[key] = lazy  # recursive references see the slot
                lazy.fn = compile_fn(shape, body_only)
                cache[key] = codec = lazy.fn
    return codec


# ------------------------------------------------------------------------- readers

# the Python type a JSON value of a scalar shape has when it needs no conversion
_PLAIN_TYPES = {"string": str, "character": str, "boolean": bool, **{kind: int for kind in _INTEGERS}}


def _flat_member_types(shape, body_only: bool) -> dict[str, type] | None:
    """For a structure of plain scalars (strings, integers, booleans) keyed by their own
    names, each member's Python type; None for any other shape."""
    if shape.type_name != "structure" or shape.is_document_type or not shape.members:
        return None
    types = {}
    for name, member in shape.members.items():
        ser = member.serialization
        plain = _PLAIN_TYPES.get(member.type_name)
        if plain is None or ser.get("name", name) != name or (body_only and ser.get("location")):
            return None
        types[name] = plain
    return types


def _flat_list_reader(shape, read_item: Codec, types: dict[str, type]) -> Codec:
    """A list of flat structures, read with no call per member: an item whose keys are all
    members and whose values all have their member's type already is what ``read_item`` would
    build, so it is kept as it is; any other item goes through ``read_item`` (same result,
    same errors). Batches of 10,000 structures (PutLogEvents) read several times faster."""

    def read_flat_list(value):
        if not isinstance(value, list):
            raise _fail(shape, value)
        out = []
        append = out.append
        get = types.get
        for item in value:
            if type(item) is dict:
                for key, member_value in item.items():
                    if type(member_value) is not get(key):
                        break
                else:
                    append(item)
                    continue
            append(None if item is None else read_item(item))
        return out

    return read_flat_list


def _fail(shape, value) -> JsonShapeError:
    text = repr(value)
    return JsonShapeError(f"Expected {shape.type_name} for {shape.name}, got {text[:100]}")


def _compile_reader(shape, body_only: bool) -> Codec:
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return _identity
        members = []
        for name, member in shape.members.items():
            ser = member.serialization
            if body_only and ser.get("location") in _LOCATED_IN_REQUEST:
                continue
            members.append((ser.get("name", name), name, reader(member)))

        def read_structure(value):
            if not isinstance(value, dict):
                raise _fail(shape, value)
            out = {}
            for wire, name, read in members:
                item = value.get(wire)
                if item is not None:
                    out[name] = read(item)
            return out

        return read_structure
    if kind == "list":
        read_item = reader(shape.member)
        flat = _flat_member_types(shape.member, body_only)
        if flat is not None:
            return _flat_list_reader(shape, read_item, flat)

        def read_list(value):
            if not isinstance(value, list):
                raise _fail(shape, value)
            return [None if item is None else read_item(item) for item in value]

        return read_list
    if kind == "map":
        read_key = reader(shape.key)
        read_value = reader(shape.value)

        def read_map(value):
            if not isinstance(value, dict):
                raise _fail(shape, value)
            return {read_key(k): None if v is None else read_value(v) for k, v in value.items()}

        return read_map
    if kind in ("string", "character"):

        def read_string(value):
            if not isinstance(value, str):
                raise _fail(shape, value)
            return value

        return read_string
    if kind in _INTEGERS:

        def read_integer(value):
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise _fail(shape, value)

        return read_integer
    if kind == "boolean":

        def read_boolean(value):
            if isinstance(value, bool):
                return value
            raise _fail(shape, value)

        return read_boolean
    if kind in _FLOATS:

        def read_float(value):
            try:
                return parse_float(value)
            except ValueError:
                raise _fail(shape, value) from None

        return read_float
    if kind == "timestamp":

        def read_timestamp(value):
            try:
                return parse_timestamp(value)
            except ValueError:
                raise _fail(shape, value) from None

        return read_timestamp
    if kind == "blob":

        def read_blob(value):
            try:
                return decode_blob(value)
            except ValueError:
                raise _fail(shape, value) from None

        return read_blob
    return _identity


def _identity(value):
    return value


# ------------------------------------------------------------------------- writers


def _compile_writer(shape, body_only: bool) -> Codec:
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return _identity
        members = {}
        for name, member in shape.members.items():
            ser = member.serialization
            if body_only and (ser.get("location") in _LOCATED_IN_RESPONSE or ser.get("eventheader")):
                continue
            members[name] = (ser.get("name", name), writer(member))

        def write_structure(value):
            out = {}
            get = members.get
            for name, item in value.items():
                if item is None:
                    continue
                found = get(name)
                if found is not None:
                    out[found[0]] = found[1](item)
            return out

        return write_structure
    if kind == "list":
        write_item = writer(shape.member)
        if write_item is _identity:
            return list
        return lambda value: [None if item is None else write_item(item) for item in value]
    if kind == "map":
        write_value = writer(shape.value)
        if write_value is _identity:
            return dict
        return lambda value: {str(k): None if v is None else write_value(v) for k, v in value.items()}
    if kind == "timestamp":
        fmt = timestamp_format(shape, UNIX)
        return lambda value: format_timestamp(value, fmt)
    if kind == "blob":
        return encode_blob
    if kind in _FLOATS:
        return json_float
    return _identity
