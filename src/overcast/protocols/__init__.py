"""Spec-driven wire protocols: one module per protocol botocore knows."""

from __future__ import annotations

import importlib

from overcast.protocols.base import HttpRequest, HttpResponse, WireProtocol

# protocol name (as botocore's service models spell it) -> module defining ``PROTOCOL``
_MODULES = {
    "query": "overcast.protocols.query",
    "ec2": "overcast.protocols.ec2",
    "json": "overcast.protocols.json",
    "rest-json": "overcast.protocols.rest_json",
    "rest-xml": "overcast.protocols.rest_xml",
    "smithy-rpc-v2-cbor": "overcast.protocols.rpc_v2_cbor",
}
_CACHE: dict[str, WireProtocol] = {}

PROTOCOL_NAMES = tuple(_MODULES)


def get_protocol(name: str) -> WireProtocol:
    """The protocol implementation for a botocore protocol name."""
    proto = _CACHE.get(name)
    if proto is None:
        proto = importlib.import_module(_MODULES[name]).PROTOCOL
        _CACHE[name] = proto
    return proto


__all__ = ["HttpRequest", "HttpResponse", "WireProtocol", "get_protocol", "PROTOCOL_NAMES"]
