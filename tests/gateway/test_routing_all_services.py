"""Every service botocore knows is routed to itself, from the request botocore's client sends.

For each service, one operation's request is built by botocore's own serializer and signed
with SigV4 as the SDK would, then handed to the router: it must name that service and a
protocol the service speaks. (Host names are the custom endpoint's, as with ``endpoint_url``.)
"""

from __future__ import annotations

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.serialize import create_serializer

from overcast.gateway.routing import Router
from overcast.protocols import HttpRequest, get_protocol
from overcast.protocols.models import available_services, service_model

CREDS = Credentials("test", "test")
_router = None


def router() -> Router:
    global _router
    if _router is None:
        _router = Router()
        _router.index.load_catalog()
    return _router


def minimal(shape, depth=0):
    """The smallest value botocore's serializer accepts for ``shape`` (required members only)."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return {}
        out = {}
        members = shape.required_members or ([next(iter(shape.members))] if shape.metadata.get("union") else [])
        for name in members:
            out[name] = minimal(shape.members[name], depth + 1)
        return out
    if kind == "list":
        return [minimal(shape.member, depth + 1)] if depth < 3 else []
    if kind == "map":
        return {}
    if kind == "string":
        return shape.enum[0] if shape.enum else "x"
    if kind in ("integer", "long"):
        return 1
    if kind in ("float", "double"):
        return 1.0
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"x"
    if kind == "timestamp":
        import datetime

        return datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return "x"


def signed_request(service: str):
    model = service_model(service)
    protocol = model.metadata["protocol"]
    operation = model.operation_model(model.operation_names[0])
    params = minimal(operation.input_shape) if operation.input_shape else {}
    serialized = create_serializer(protocol, include_validation=False).serialize_to_request(params, operation)
    url = "http://localhost:4566" + serialized["url_path"]
    if serialized["query_string"]:
        from urllib.parse import urlencode

        qs = serialized["query_string"]
        url += "?" + (urlencode(qs, doseq=True) if isinstance(qs, dict) else qs)
    body = serialized["body"]
    if isinstance(body, dict):
        from urllib.parse import urlencode

        body = urlencode(body, doseq=True)
    request = AWSRequest(method=serialized["method"], url=url, data=body, headers=serialized["headers"])
    signing = model.metadata.get("signingName") or model.metadata.get("endpointPrefix")
    SigV4Auth(CREDS, signing, "us-east-1").add_auth(request)
    prepared = request.prepare()
    from urllib.parse import urlsplit

    parts = urlsplit(prepared.url)
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    headers.setdefault("host", parts.netloc)
    body = prepared.body or b""
    body = body.encode() if isinstance(body, str) else body
    return model, prepared.method, parts.path, parts.query, headers, signing, body


@pytest.mark.parametrize("service", available_services())
def test_service_is_routed_to_itself(service):
    model, method, path, query, headers, signing, body = signed_request(service)
    route = router().route(method, path, query, headers, signing)
    if route.candidates:
        request = HttpRequest(method, path, query, headers, body)
        wire = get_protocol(route.protocol)
        router().refine(route, request, lambda name: wire.find_operation(service_model(name), request))
    assert route.service == service or _same_wire(route.service, service, model), route
    assert route.protocol in model.metadata.get("protocols", [model.metadata["protocol"]])


def _same_wire(routed: str, service: str, model) -> bool:
    """The routed service answers this very request too: same signing name and protocol, and an
    operation of the same name at the same method and URI (Greengrass v1 and v2 both have
    ``PUT /greengrass/servicerole``; Neptune and DocumentDB are the RDS API at its endpoint).
    Such a request is indistinguishable on the wire; AWS tells them apart by host name only."""
    other = service_model(routed)
    operation = model.operation_model(model.operation_names[0])
    if other.signing_name != model.signing_name or operation.name not in other.operation_names:
        return False
    twin = other.operation_model(operation.name)
    return (twin.http.get("method"), twin.http.get("requestUri")) == (
        operation.http.get("method"),
        operation.http.get("requestUri"),
    )
