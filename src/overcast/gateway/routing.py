"""Which service and which wire protocol a request is for.

Clues, strongest first: ``X-Amz-Target`` (JSON protocols), the ``rpc-v2-cbor`` path
``/service/<TargetPrefix>/operation/<Op>``, the SigV4 credential scope's service (header or
presigned query), the Host name, and finally S3, the fallback for REST paths (path-style and
virtual-hosted ``<bucket>.localhost``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from overcast.protocols.models import catalog, service_model
from overcast.services import IMPLEMENTED
from overcast.protocols.queue_paths import PATH_PREFIX as SQS_PATH_PREFIX, is_queue_path

_REST = ("rest-json", "rest-xml")
_SQS_PATH = f"/{SQS_PATH_PREFIX}/"


@dataclass(slots=True)
class Route:
    """The service a request is for and the protocol to read and answer it in."""

    service: str  # botocore service name
    protocol: str
    implemented: bool
    # several services share the signing name: decided by ``Router.refine`` once readable
    candidates: list[str] | None = None


class ServiceIndex:
    """Lookup tables from request clues to services, for implemented and known services.

    Implemented services are indexed from their own models at once (milliseconds); every
    other service botocore knows comes from the catalog, loaded in the background so a request
    for a service Overcast lacks can still be named and answered in its protocol.
    """

    def __init__(self):
        self.by_target: dict[str, list[str]] = {}
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
                    "apiVersion": md.get("apiVersion"),
                },
            )

    def _add(self, name: str, md: dict) -> None:
        if name in self.meta:
            return
        self.meta[name] = md
        target = md.get("targetPrefix")
        if target:
            self.by_target.setdefault(target, []).append(name)
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

    def lookup(self, table: dict, key: str):
        found = table.get(key)
        if found is None and not self._catalog_loaded:
            self.load_catalog()
            found = table.get(key)
        return found

    def by_signing_name(self, signing_name: str, path: str) -> str | None:
        names = self.lookup(self.by_signing, signing_name)
        if not names:
            return None
        if signing_name == "s3" and path.startswith("/v20180820/"):
            return "s3control" if "s3control" in names else names[0]
        for name in names:
            if name in IMPLEMENTED:
                return name
        return signing_name if signing_name in names else names[0]


def choose_protocol(meta: dict, kind: str, headers: dict[str, str]) -> str:
    """The protocol this request speaks, among those the service's model supports.

    The request's shape decides (``request_kind``); the model's list only matters where the
    shape allows several (a form POST to a service that is REST only is still REST).
    """
    protocols = meta["protocols"]
    if kind == "json":
        return "json"
    if kind == "cbor":
        return "smithy-rpc-v2-cbor"
    rest = next((p for p in protocols if p in _REST), None)
    rpc = [p for p in protocols if p not in _REST]
    if kind == "form" and rpc:
        return "ec2" if "ec2" in protocols else "query"
    if rest is not None:
        return rest
    if "json" in rpc and headers.get("content-type", "").startswith("application/x-amz-json"):
        return "json"
    return rpc[0]


def request_kind(headers: dict[str, str], path: str, query_string: str) -> str:
    """``json``, ``cbor``, ``form`` (query/ec2) or ``rest``: what the request's shape says."""
    if "x-amz-target" in headers:
        return "json"
    content_type = headers.get("content-type", "")
    if headers.get("smithy-protocol") == "rpc-v2-cbor" or (
        path.startswith("/service/") and content_type.startswith("application/cbor")
    ):
        return "cbor"
    if content_type.startswith("application/x-www-form-urlencoded") or "Action=" in query_string:
        return "form"
    return "rest"


_KIND_PROTOCOLS = {
    "json": ("json",),
    "cbor": ("smithy-rpc-v2-cbor",),
    "form": ("query", "ec2"),
    "rest": _REST,
}


class Router:
    """Decides the ``Route`` of each request."""

    def __init__(self):
        self.index = ServiceIndex()
        # decided routes without candidates, by what decided them (never mutated once cached)
        self._cache: dict[tuple, Route] = {}

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
        kind = request_kind(headers, path, query_string)
        # Everything the decision below reads, as a cache key: most traffic repeats a few.
        key = (
            kind,
            signing_name,
            headers.get("x-amz-target") if kind == "json" else path[:120] if kind == "cbor" else None,
            headers.get("content-type", "")[:40] if kind == "rest" else None,
            path.startswith("/v20180820/")
            if signing_name == "s3"
            else None
            if signing_name in self.index.by_signing
            else headers.get("host"),
            # an unsigned request to a queue URL of the path form is SQS's, not an S3 key's
            (path.startswith(_SQS_PATH) and is_queue_path(path)) if not signing_name else None,
        )
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        route = self._decide(kind, path, headers, signing_name)
        if route.candidates is None:  # a route still to be refined is per request
            if len(self._cache) >= 4096:  # bounded: keys can come from clients
                self._cache.clear()
            self._cache[key] = route
        return route

    def _decide(self, kind: str, path: str, headers: dict[str, str], signing_name: str | None) -> Route:
        service = None
        candidates: list[str] = []
        if kind == "json":
            prefix, _, operation = headers["x-amz-target"].rpartition(".")
            service = self._by_target(prefix, operation)
        elif kind == "cbor":
            parts = path.split("/")
            if len(parts) >= 5:
                service = self._by_target(parts[2], parts[4])
        if service is None and signing_name:
            candidates = self._candidates(signing_name, kind, path)
            service = candidates[0] if candidates else None
        if service is None:
            service = self._from_host(headers.get("host", ""))
        if service is None and path.startswith(_SQS_PATH) and is_queue_path(path):
            service = "sqs"
        if service is None and kind == "form" and path in ("", "/"):
            # An unsigned form POST to the bare endpoint (STS AssumeRoleWithWebIdentity,
            # AssumeRoleWithSAML: the SDKs do not sign them): the form's Version names the
            # query service, read once the body is (``refine``).
            candidates = self._form_services()
            service = candidates[0] if candidates else None
            form_fallback = True
        else:
            form_fallback = False
        if service is None:
            service = "s3"
        meta = self.index.meta.get(service)
        if meta is None:
            self.index.load_catalog()
            meta = self.index.meta.get(service) or {"protocols": ["rest-xml"]}
        protocol = choose_protocol(meta, kind, headers)
        route = Route(service, protocol, service in IMPLEMENTED)
        if len(candidates) > 1 or (form_fallback and candidates):
            route.candidates = candidates
        return route

    def _form_services(self) -> list[str]:
        """Implemented services that speak the query protocol (the unsigned operations are all
        query: STS's), in a fixed order."""
        return sorted(n for n in IMPLEMENTED if n in self.index.meta and "query" in self.index.meta[n]["protocols"])

    def _by_target(self, prefix: str, operation: str) -> str | None:
        """The service with this target prefix (Timestream's write and query APIs share one:
        the one whose model has the operation wins)."""
        names = self.index.lookup(self.index.by_target, prefix)
        if not names:
            return None
        if len(names) > 1:
            for name in sorted(names, key=lambda n: n not in IMPLEMENTED):
                if operation in service_model(name).operation_names:
                    return name
        return names[0]

    def _candidates(self, signing_name: str, kind: str, path: str) -> list[str]:
        """Services signed with ``signing_name`` that speak the request's kind, implemented first."""
        names = self.index.lookup(self.index.by_signing, signing_name) or []
        if len(names) <= 1:
            return list(names)
        if signing_name == "s3":
            wanted = "s3control" if path.startswith("/v20180820/") else "s3"
            return [wanted] if wanted in names else list(names)
        fitting = [n for n in names if set(self.index.meta[n]["protocols"]) & set(_KIND_PROTOCOLS[kind])]
        names = fitting or list(names)
        # implemented first, then the one named like the signing name, then the rest
        return sorted(names, key=lambda n: (n not in IMPLEMENTED, n != signing_name))

    def refine(self, route: Route, request, find_operation) -> None:
        """Pick among several services sharing a signing name, once the request is readable.

        Query services sharing one (ELB and ELBv2) differ by ``Version``; REST services
        sharing one differ by their paths: the first whose model has the operation wins.
        """
        if route.candidates is None:
            return
        if route.protocol in ("query", "ec2"):
            from urllib.parse import parse_qs

            form = parse_qs(request.body.decode("utf-8", "replace")) if request.body else {}
            version = (form.get("Version") or request.query.get("Version") or [None])[0]
            for name in route.candidates:
                if version and self.index.meta[name].get("apiVersion") == version:
                    route.service, route.implemented = name, name in IMPLEMENTED
                    return
            if not version:
                # a link followed as is (SNS's SubscribeURL / UnsubscribeURL carry no Version):
                # the service whose model has the Action
                action = (form.get("Action") or request.query.get("Action") or [None])[0]
                for name in route.candidates:
                    if action and action in service_model(name).operation_names:
                        route.service, route.implemented = name, name in IMPLEMENTED
                        return
            return
        for name in route.candidates:
            try:
                find_operation(name)
            except Exception:  # noqa: BLE001 - not this service's request; try the next
                continue
            route.service, route.implemented = name, name in IMPLEMENTED
            return

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


# -- S3 static website endpoint ---------------------------------------------------------------

# The path form of the website endpoint, for a machine without DNS for the host form:
# ``http://localhost:4566/_overcast/website/<bucket>/<key>``.
WEBSITE_PATH = "/_overcast/website/"
_WEBSITE_LABEL = re.compile(r"^s3-website(?:-(?P<region>[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+))?$")
_REGION_LABEL = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+$")
_WEBSITE_SUFFIXES = ("localhost", "localhost.localstack.cloud", "amazonaws.com", "amazonaws.com.cn")


@dataclass(slots=True)
class WebsiteTarget:
    """A request for a bucket's website: its bucket, the path within the site (percent-encoded,
    from ``/``), the region the host names (None: the default) and the URL prefix of the site's
    root on this host (empty for the host form)."""

    bucket: str
    path: str
    region: str | None
    base: str


def website_host(host: str) -> tuple[str, str | None] | None:
    """(bucket, region or None) of a website endpoint host name, or None for any other host:
    ``<bucket>.s3-website.<region>.localhost``, ``<bucket>.s3-website-<region>.localhost`` and
    the same under ``amazonaws.com`` (so an /etc/hosts entry for the real name works)."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    labels = name.lower().rstrip(".").split(".")
    for index in range(len(labels) - 1, 0, -1):  # from the right: bucket names may hold dots
        match = _WEBSITE_LABEL.match(labels[index])
        if match is None:
            continue
        region, rest = match.group("region"), labels[index + 1:]
        if region is None and rest and _REGION_LABEL.match(rest[0]):
            region, rest = rest[0], rest[1:]
        if ".".join(rest) not in _WEBSITE_SUFFIXES:
            return None
        return ".".join(labels[:index]), region
    return None


def website_target(host: str, path: str) -> WebsiteTarget | None:
    """The website request a Host header and path make, or None. The gateway calls it only
    when the cheap tests pass (``"s3-website"`` in the host, the path form's prefix)."""
    if path.startswith(WEBSITE_PATH):
        bucket, slash, rest = path[len(WEBSITE_PATH):].partition("/")
        if not bucket:
            return None
        return WebsiteTarget(bucket, slash + rest, None, WEBSITE_PATH + bucket)
    found = website_host(host)
    if found is None:
        return None
    return WebsiteTarget(found[0], path or "/", found[1], "")
