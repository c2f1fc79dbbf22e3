"""Shape-driven XML writing: a botocore shape and a value in, XML text out.

Used by the query and ec2 responses and by rest-xml bodies. The rules are the ones botocore's
XML response parser reads (``botocore.parsers.BaseXMLResponseParser``):

- a member's element is named by its ``locationName`` (``serialization['name']``), else by the
  member name;
- a wrapped list is ``<Name><member>..</member>...</Name>`` where the item element is the list
  member's ``locationName`` (``member`` by default); a ``flattened`` list repeats the item
  element with no wrapper, named by the list member's ``locationName`` if it has one, else by
  the member's name;
- a map is ``<Name><entry><key>..</key><value>..</value></entry>...</Name>`` (key/value
  elements named by the key/value shapes' ``locationName``); a ``flattened`` map repeats
  ``<Name><key/><value/></Name>``;
- structure members with ``xmlAttribute`` become attributes of the structure's element, and
  an ``xmlNamespace`` trait ({"uri", "prefix"}) adds ``xmlns[:prefix]="uri"`` to it;
- timestamps are iso8601 unless ``timestampFormat`` says otherwise, blobs are base64,
  booleans ``true``/``false``, floats ``NaN``/``Infinity``/``-Infinity`` when special;
- ``None`` values are left out, as an absent member.

Writing is string building over per-shape plans compiled once and cached (recursive shapes
share one plan), so a response costs list appends, not model walks.

Public functions:

- ``write_element(shape, tag, value, namespace=None) -> str``: one complete element;
- ``write_members(shape, value) -> str``: a structure's children only (the content of a
  wrapper the caller writes itself, e.g. query's ``<OpResult>``);
- ``element_writer(shape)`` / ``members_writer(shape)``: the compiled plans behind those two,
  for callers that append to their own ``list[str]`` on a hot path;
- ``escape_text(text)`` / ``escape_attr(text)``: XML escaping of character data.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable

from overcast.protocols.plans import shape_key
from overcast.protocols.values import encode_blob, format_float, format_timestamp, timestamp_format

# (out, tag, value) -> None: appends one element (or, for flattened lists/maps, the repeated
# elements) named ``tag`` holding ``value``.
ElementWriter = Callable[[list, str, Any], None]
# (out, value) -> None: appends the child elements of a structure value.
MembersWriter = Callable[[list, dict], None]

_plans: dict[tuple, "_Plan"] = {}
_plans_lock = threading.RLock()


# Characters XML 1.0 has no place for (C0 controls but tab, LF and CR; lone surrogates;
# U+FFFE, U+FFFF). AWS writes them as hexadecimal character references (an S3 key holding
# U+0007 lists as ``<Key>a&#x7;</Key>``): the response stays one piece of text a lenient
# parser reads, and a client that needs strict XML asks for ``encoding-type=url``.
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _char_reference(match: re.Match) -> str:
    return f"&#x{ord(match.group()):x};"


def escape_text(text: str) -> str:
    """``text`` escaped for element content (``&``, ``<``, ``>``; ``\\r`` as ``&#13;`` so it survives
    XML line-end normalisation; characters XML 1.0 forbids as ``&#x..;``, as AWS writes them)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if not text.isprintable():  # one C-speed scan: the common text skips the search below
        text = _NOT_XML_CHARS.sub(_char_reference, text)
    return text


def escape_attr(text: str) -> str:
    """``text`` escaped for a double-quoted attribute value."""
    text = escape_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#9;")
    return text


def write_element(shape, tag: str, value, namespace: str | None = None) -> str:
    """The XML text of ``value`` (shaped by ``shape``) as an element named ``tag``.

    ``namespace`` adds ``xmlns="namespace"`` to the element (on top of any ``xmlNamespace``
    trait of the shape), as query/rest-xml roots carry the service's namespace.
    """
    out: list[str] = []
    plan = _plan_for(shape)
    if namespace is not None and plan.kind == "structure":
        plan.write_structure(out, tag, value, f' xmlns="{escape_attr(namespace)}"')
    else:
        plan.write(out, tag, value)
    return "".join(out)


def write_element_in_order(shape, tag: str, value: dict, order: tuple[str, ...],
                           namespace: str | None = None) -> str:
    """Like ``write_element`` for a structure, its children in ``order`` (member names) rather
    than the model's: for the few results whose service writes another order than its model
    lists (S3's listings). Members missing from ``order`` are written after, in model order."""
    plan = _plan_for(shape)
    members = shape.members
    extra = "" if namespace is None else f' xmlns="{escape_attr(namespace)}"'
    out: list[str] = [f"<{tag}{plan._ns}{extra}>"]
    for name in order:
        item = value.get(name)
        if item is not None:
            _plan_for(members[name]).write(out, _child_tag(name, members[name]), item)
    rest = {name: item for name, item in value.items() if name not in order}
    if rest:
        plan.write_children(out, rest)
    out.append(f"</{tag}>")
    return "".join(out)


def _child_tag(name: str, member) -> str:
    """The element name of structure member ``name`` (a flattened list's items are named by
    the list's member)."""
    ser = member.serialization
    tag = ser.get("name", name)
    if member.type_name == "list" and ser.get("flattened"):
        tag = member.member.serialization.get("name") or tag
    return tag


def write_members(shape, value: dict) -> str:
    """The child elements of structure ``value`` (no enclosing element)."""
    out: list[str] = []
    _plan_for(shape).write_children(out, value)
    return "".join(out)


def element_writer(shape) -> ElementWriter:
    """The compiled writer of ``shape``: ``writer(out, tag, value)`` appends to ``out``."""
    return _plan_for(shape).write


def members_writer(shape) -> MembersWriter:
    """The compiled children writer of structure ``shape``: ``writer(out, value)``."""
    return _plan_for(shape).write_children


def _plan_for(shape) -> "_Plan":
    # keyed as every protocol plan is (plans.shape_key); a _Plan holds several writers, so it
    # is registered itself before compiling, and recursive shapes find it
    key = shape_key(shape)
    plan = _plans.get(key)
    if plan is None:
        with _plans_lock:
            plan = _plans.get(key)
            if plan is None:
                plan = _Plan(shape)
                _plans[key] = plan  # registered before compiling: recursive shapes find it
                plan.compile()
    return plan


class _Plan:
    """How to write one shape: compiled once into closures over its members' plans."""

    __slots__ = ("shape", "kind", "write", "write_children", "write_structure", "_attributes", "_ns")

    def __init__(self, shape):
        self.shape = shape
        self.kind = shape.type_name
        self.write_children = _not_a_structure
        self.write_structure = None
        self._attributes: list[tuple[str, str, Callable]] = []
        self._ns = ""

    def compile(self) -> None:
        shape = self.shape
        kind = self.kind
        if kind == "structure":
            self._compile_structure(shape)
        elif kind == "list":
            self._compile_list(shape)
        elif kind == "map":
            self._compile_map(shape)
        else:
            self.write = _scalar_writer(shape)

    def _compile_structure(self, shape) -> None:
        ns = shape.serialization.get("xmlNamespace")
        if isinstance(ns, dict) and ns.get("uri"):
            prefix = ns.get("prefix")
            attr = f"xmlns:{prefix}" if prefix else "xmlns"
            self._ns = f' {attr}="{escape_attr(ns["uri"])}"'
        elif isinstance(ns, str):
            self._ns = f' xmlns="{escape_attr(ns)}"'
        children: list[tuple[str, str, _Plan]] = []
        attributes: list[tuple[str, str, Callable]] = []
        for name, member in shape.members.items():
            ser = member.serialization
            if ser.get("location") in ("header", "headers", "statusCode", "uri", "querystring"):
                continue  # carried outside the body by the REST protocols
            if ser.get("eventheader"):
                continue
            if ser.get("xmlAttribute"):
                attributes.append((name, ser.get("name", name), _scalar_text(member)))
                continue
            tag = ser.get("name", name)
            if member.type_name == "list" and ser.get("flattened"):
                tag = member.member.serialization.get("name") or tag
            children.append((name, tag, _plan_for(member)))
        self._attributes = attributes
        ns_attr = self._ns

        def write_children(out: list, value: dict) -> None:
            get = value.get
            for name, tag, plan in children:
                item = get(name)
                if item is not None:
                    plan.write(out, tag, item)

        def write_structure(out: list, tag: str, value: dict, extra: str = "") -> None:
            attrs = ns_attr + extra
            for name, attr_name, to_text in attributes:
                item = value.get(name)
                if item is not None:
                    attrs += f' {attr_name}="{escape_attr(to_text(item))}"'
            out.append(f"<{tag}{attrs}>")
            write_children(out, value)
            out.append(f"</{tag}>")

        def write(out: list, tag: str, value: dict) -> None:
            write_structure(out, tag, value)

        self.write_children = write_children
        self.write_structure = write_structure
        self.write = write

    def _compile_list(self, shape) -> None:
        member = shape.member
        item_plan = _plan_for(member)
        if shape.serialization.get("flattened"):

            def write(out: list, tag: str, value) -> None:
                item_write = item_plan.write
                for item in value:
                    if item is not None:
                        item_write(out, tag, item)

        else:
            item_tag = member.serialization.get("name", "member")

            def write(out: list, tag: str, value) -> None:
                item_write = item_plan.write
                out.append(f"<{tag}>")
                for item in value:
                    if item is not None:
                        item_write(out, item_tag, item)
                out.append(f"</{tag}>")

        self.write = write

    def _compile_map(self, shape) -> None:
        key_plan = _plan_for(shape.key)
        value_plan = _plan_for(shape.value)
        key_tag = shape.key.serialization.get("name") or "key"
        value_tag = shape.value.serialization.get("name") or "value"
        if shape.serialization.get("flattened"):

            def write(out: list, tag: str, value: dict) -> None:
                for k, v in value.items():
                    out.append(f"<{tag}>")
                    key_plan.write(out, key_tag, k)
                    if v is not None:
                        value_plan.write(out, value_tag, v)
                    out.append(f"</{tag}>")

        else:

            def write(out: list, tag: str, value: dict) -> None:
                out.append(f"<{tag}>")
                for k, v in value.items():
                    out.append("<entry>")
                    key_plan.write(out, key_tag, k)
                    if v is not None:
                        value_plan.write(out, value_tag, v)
                    out.append("</entry>")
                out.append(f"</{tag}>")

        self.write = write


def _not_a_structure(out: list, value) -> None:
    raise TypeError("members of a non-structure shape")


def _scalar_text(shape) -> Callable[[Any], str]:
    """value -> element/attribute text for a scalar shape (escaping left to the caller)."""
    kind = shape.type_name
    if kind == "boolean":
        return lambda v: "true" if v else "false"
    if kind in ("integer", "long", "short", "byte", "bigInteger"):
        return lambda v: str(int(v))
    if kind in ("float", "double", "bigDecimal"):
        return format_float
    if kind == "timestamp":
        fmt = timestamp_format(shape, "iso8601")
        return lambda v: str(format_timestamp(v, fmt))
    if kind == "blob":
        return encode_blob
    return str


def _scalar_writer(shape) -> ElementWriter:
    kind = shape.type_name
    if kind in ("string", "character"):

        def write(out: list, tag: str, value) -> None:
            text = value if isinstance(value, str) else str(value)
            out.append(f"<{tag}>{escape_text(text)}</{tag}>")

        return write
    to_text = _scalar_text(shape)
    if kind in ("integer", "long", "boolean", "blob", "timestamp", "float", "double"):
        # no escaping needed: digits, true/false, base64, ISO dates, NaN/Infinity

        def write(out: list, tag: str, value) -> None:
            out.append(f"<{tag}>{to_text(value)}</{tag}>")

        return write

    def write(out: list, tag: str, value) -> None:
        out.append(f"<{tag}>{escape_text(to_text(value))}</{tag}>")

    return write
