"""Which service and which wire protocol a request is for.

Clues, strongest first: ``X-Amz-Target`` (JSON protocols), the ``rpc-v2-cbor`` path
``/service/<TargetPrefix>/operation/<Op>``, the SigV4 credential scope's service (header or
presigned query), the Host name, and finally S3, the fallback for REST paths (path-style and
virtual-hosted ``<bucket>.localhost``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from overcast.protocols.models import catalog, service_model
from overcast.services import IMPLEMENTED

_REST = ("rest-json", "rest-xml")


@dataclass(slots=True)
class Route:
    """The service a request is for and the protocol to read and answer it in."""

    service: str  # botocore service name
    protocol: str
    implemented: bool


class ServiceIndex:
    """Lookup tables from request clues to services, for implemented and known services.

    Implemented services are indexed from their own models at once (milliseconds); every
    other service botocore knows comes from the catalog, loaded in the background so a request
    for a service Overcast lacks can still be named and answered in its protocol.
    """

    def __init__(self):
        self.by_target: dict[str, str] = {}
        self.by_signing: dict[str, list[str]] = {}
        self.by_endpoint: dict[str, str] = {}
        self.meta: dict[str, dict] = {}
        self._catalog_loaded = False
        self._lock = threading.Lock()
        for name in IMPLEMENTED:
            md = service_model(name).metadata
            self._add(
                name,
                {
                    "signingName": md.get("signingName") or md.get("endpointPrefix") or name,
                    "endpointPrefix": md.get("endpointPrefix", name),
                    "targetPrefix": md.get("targetPrefix"),
                    "protocols": md.get("protocols") or [md["protocol"]],
                },
            )

    def _add(self, name: str, md: dict) -> None:
        if name in self.meta:
            return
        self.meta[name] = md
        target = md.get("targetPrefix")
        if target:
            self.by_target.setdefault(target, name)
        self.by_signing.setdefault(md["signingName"], []).append(name)
        self.by_endpoint.setdefault(md["endpointPrefix"], name)

    def load_catalog(self) -> None:
        """Index every service botocore knows (idempotent; seconds the first time per version)."""
        if self._catalog_loaded:
            return
        with self._lock:
            if not self._catalog_loaded:
                for name, md in catalog().items():
                    self._add(name, md)
                self._catalog_loaded = True

    def _lookup(self, table: dict, key: str):
        found = table.get(key)
        if found is None and not self._catalog_loaded:
            self.load_catalog()
            found = table.get(key)
        return found

    def by_signing_name(self, signing_name: str, path: str) -> str | None:
        names = self._lookup(self.by_signing, signing_name)
        if not names:
            return None
        if signing_name == "s3" and path.startswith("/v20180820/"):
            return "s3control" if "s3control" in names else names[0]
        for name in names:
            if name in IMPLEMENTED:
                return name
        return signing_name if signing_name in names else names[0]


def choose_protocol(meta: dict, headers: dict[str, str], method: str, path: str, query_string: str) -> str:
    """The protocol this request speaks, among those the service's model supports."""
    protocols = meta["protocols"]
    content_type = headers.get("content-type", "")
    if "x-amz-target" in headers:
        return "json"
    if headers.get("smithy-protocol") == "rpc-v2-cbor" or (
        path.startswith("/service/") and content_type.startswith("application/cbor")
    ):
        return "smithy-rpc-v2-cbor"
    rest = next((p for p in protocols if p in _REST), None)
    rpc = [p for p in protocols if p not in _REST]
    if rpc:
        # an RPC-capable service: form bodies (or GET ?Action=) are query/ec2
        if content_type.startswith("application/x-www-form-urlencoded") or "Action=" in query_string:
            return "ec2" if "ec2" in protocols else "query"
        if rest is None:
            return "json" if "json" in protocols and content_type.startswith("application/x-amz-json") else rpc[0]
    return rest or protocols[0]


class Router:
    """Decides the ``Route`` of each request."""

    def __init__(self):
        self.index = ServiceIndex()

    def warm(self) -> None:
        """Load the full catalog in a background thread (so the first unknown request is quick)."""
        threading.Thread(target=self.index.load_catalog, name="overcast-catalog", daemon=True).start()

    def route(
        self,
        method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        signing_name: str | None,
    ) -> Route:
        service = None
        target = headers.get("x-amz-target")
        if target:
            prefix = target.rpartition(".")[0]
            service = self.index._lookup(self.index.by_target, prefix)
        elif path.startswith("/service/") and (
            headers.get("smithy-protocol") == "rpc-v2-cbor" or headers.get("content-type", "").startswith("application/cbor")
        ):
            prefix = path.split("/", 3)[2]
            service = self.index._lookup(self.index.by_target, prefix)
        if service is None and signing_name:
            service = self.index.by_signing_name(signing_name, path)
        if service is None:
            service = self._from_host(headers.get("host", ""))
        if service is None:
            service = "s3"
        meta = self.index.meta.get(service)
        if meta is None:
            self.index.load_catalog()
            meta = self.index.meta.get(service) or {"protocols": ["rest-xml"]}
        protocol = choose_protocol(meta, headers, method, path, query_string)
        return Route(service, protocol, service in IMPLEMENTED)

    def _from_host(self, host: str) -> str | None:
        """``sqs.us-east-1.localhost.localstack.cloud``, ``sts.amazonaws.com``... -> service."""
        name = host.split(":", 1)[0].lower()
        if not name or name[0].isdigit() or "." not in name:
            return None
        first = name.split(".", 1)[0]
        if first in ("s3", "s3-accelerate") or ".s3." in f".{name}" or first.startswith("s3-"):
            return "s3"
        found = self.index.by_endpoint.get(first)
        return found if found is not None and found != "s3" else None
