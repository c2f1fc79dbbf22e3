"""Shape-driven XML reading: rest-xml request bodies -> params, by the input shape.

The rules mirror botocore's ``RestXMLSerializer`` (what clients send):

- a member's element is named by its ``locationName``, else by the member name; namespaces
  are ignored (elements are matched by local name);
- a wrapped list is ``<Name><member/>...</Name>`` (any item element name is accepted); a
  ``flattened`` list repeats its item element directly in the parent, named by the member's
  ``locationName`` (the list member's ``locationName`` is accepted too);
- a map is ``<Name><entry><key/><value/></entry>...</Name>``, or repeated ``<Name><key/>
  <value/></Name>`` when flattened (key/value element names from the key/value shapes);
- ``xmlAttribute`` members are attributes of their structure's element (``xsi:type`` matches
  ``{namespace}type``);
- scalars: element text (an empty element is ``""``), booleans ``true``/``false``, timestamps in
  any AWS format, blobs base64.

Readers are compiled once per shape and cached (recursive shapes share one). Anything that is
not well-formed or does not fit the shape raises ``XmlShapeError``; documents with a DTD are
refused outright (no entity expansion, no external entities).
"""

from __future__ import annotations

import threading
from typing import Any, Callable
from xml.etree import ElementTree

from overcast.protocols.values import decode_blob, parse_boolean, parse_float, parse_integer, parse_timestamp

_LOCATED = ("header", "headers", "uri", "querystring", "statusCode")
_INTEGERS = ("integer", "long", "short", "byte", "bigInteger")
_FLOATS = ("float", "double", "bigDecimal")

Reader = Callable[[ElementTree.Element], Any]


class XmlShapeError(ValueError):
    """An XML body that is not well-formed or does not fit its shape."""


def parse_document(body: bytes) -> ElementTree.Element:
    """The root element of ``body``; raises ``XmlShapeError`` when it is not well-formed XML."""
    if b"<!" in body:  # CDATA is fine; a DTD (entities) is not
        lowered = body.lower()
        if b"<!doctype" in lowered or b"<!entity" in lowered:
            raise XmlShapeError("Document type declarations are not allowed.")
    try:
        return ElementTree.fromstring(body)
    except (ElementTree.ParseError, ValueError, RecursionError) as exc:
        raise XmlShapeError(f"The XML is not well-formed: {exc}") from None


def read_document(shape, body: bytes, body_only: bool = False):
    """``body`` (a whole document whose root is ``shape``'s element) as a params value."""
    root = parse_document(body)
    try:
        return reader(shape, body_only)(root)
    except XmlShapeError:
        raise
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise XmlShapeError(str(exc) or "The XML does not fit the operation.") from None


def local_name(tag: str) -> str:
    """``{namespace}Name`` -> ``Name``."""
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


_readers: dict[tuple, Reader] = {}
_lock = threading.RLock()


class _Lazy:
    __slots__ = ("fn",)

    def __init__(self):
        self.fn: Reader | None = None

    def __call__(self, element):
        return self.fn(element)


def reader(shape, body_only: bool = False) -> Reader:
    """element -> params value for ``shape`` (``body_only``: skip members carried outside the
    body, for a whole input structure)."""
    ser = shape.serialization
    traits = tuple(sorted((k, repr(v)) for k, v in ser.items())) if ser else ()
    key = (getattr(shape, "_shape_resolver", None), shape.name, shape.type_name, traits, body_only)
    found = _readers.get(key)
    if found is None:
        with _lock:
            found = _readers.get(key)
            if found is None:
                lazy = _Lazy()
                _readers[key] = lazy  # recursive references find the slot
                lazy.fn = _compile(shape, body_only)
                _readers[key] = found = lazy.fn
    return found


def _compile(shape, body_only: bool) -> Reader:
    kind = shape.type_name
    if kind == "structure":
        return _structure_reader(shape, body_only)
    if kind == "list":
        item = reader(shape.member)
        return lambda element: [item(child) for child in element]
    if kind == "map":
        return _map_entries_reader(shape, wrapped=True)
    return _scalar_reader(shape)


def _structure_reader(shape, body_only: bool) -> Reader:
    # tag -> (member name, how: "one" | "list" (flattened list item) | "map" (flattened entry), reader)
    by_tag: dict[str, tuple[str, str, Reader]] = {}
    attributes: list[tuple[str, str, str]] = []  # (member, exact name, local name)
    for name, member in shape.members.items():
        ser = member.serialization
        if body_only and ser.get("location") in _LOCATED:
            continue
        tag = ser.get("name", name)
        if ser.get("xmlAttribute"):
            attributes.append((name, tag, tag.rpartition(":")[2]))
            continue
        if member.type_name == "list" and member.serialization.get("flattened"):
            entry = (name, "list", reader(member.member))
            by_tag[tag] = entry
            by_tag.setdefault(member.member.serialization.get("name", tag), entry)
        elif member.type_name == "map" and member.serialization.get("flattened"):
            by_tag[tag] = (name, "map", _map_entries_reader(member, wrapped=False))
        else:
            by_tag[tag] = (name, "one", reader(member))

    def read_structure(element) -> dict:
        out: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue  # comments, processing instructions
            found = by_tag.get(local_name(tag))
            if found is None:
                continue
            name, how, read = found
            if how == "one":
                out[name] = read(child)
            elif how == "list":
                out.setdefault(name, []).append(read(child))
            else:
                out.setdefault(name, {}).update(read(child))
        if attributes and element.attrib:
            for name, exact, local in attributes:
                for key, value in element.attrib.items():
                    if key == exact or local_name(key) == local:
                        out[name] = value
                        break
        return out

    return read_structure


def _map_entries_reader(shape, wrapped: bool) -> Reader:
    """A map: ``wrapped`` reads ``<Name><entry>..</entry>...</Name>``; otherwise one flattened
    ``<Name><key/><value/></Name>`` element, as a one-entry dict."""
    key_tag = shape.key.serialization.get("name") or "key"
    value_tag = shape.value.serialization.get("name") or "value"
    read_key = reader(shape.key)
    read_value = reader(shape.value)

    def read_entry(entry, out: dict) -> None:
        key = value = None
        for part in entry:
            if not isinstance(part.tag, str):
                continue
            tag = local_name(part.tag)
            if tag == key_tag:
                key = read_key(part)
            elif tag == value_tag:
                value = read_value(part)
        if key is None:
            raise XmlShapeError(f"A map entry of {shape.name} has no <{key_tag}>.")
        out[key] = value

    if wrapped:

        def read_map(element) -> dict:
            out: dict = {}
            for entry in element:
                if isinstance(entry.tag, str):
                    read_entry(entry, out)
            return out

        return read_map

    def read_flat_entry(element) -> dict:
        out: dict = {}
        read_entry(element, out)
        return out

    return read_flat_entry


def _scalar_reader(shape) -> Reader:
    kind = shape.type_name
    convert: Callable[[str], Any] | None
    if kind in _INTEGERS:
        convert = parse_integer
    elif kind == "boolean":
        convert = parse_boolean
    elif kind in _FLOATS:
        convert = parse_float
    elif kind == "timestamp":
        convert = parse_timestamp
    elif kind == "blob":
        convert = decode_blob
    else:
        return _text

    def read_scalar(element):
        text = element.text or ""
        try:
            return convert(text)
        except (ValueError, TypeError, OverflowError):
            raise XmlShapeError(f"Invalid {kind} in <{local_name(element.tag)}>: {text[:100]!r}") from None

    return read_scalar


def _text(element) -> str:
    return element.text or ""
