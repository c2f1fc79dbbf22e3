"""The per-request context handed to every service operation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class ServiceCalls(Protocol):
    """What a context needs of the service registry: a client for cross-service calls."""

    def client(self, caller: "RequestContext") -> Any:
        """An object with ``async call(service, operation, params=None, **ctx_overrides) -> dict``."""


@dataclass(slots=True)
class RequestContext:
    """Who is calling, where, and how to reach the rest of the cloud."""

    account: str
    region: str
    service: str  # botocore service name ("sqs", "s3"...)
    operation: str = ""  # AWS operation name ("SendMessage")
    request_id: str = ""
    trace_id: str | None = None
    access_key: str = ""
    principal_arn: str = ""
    user_id: str = ""
    source_ip: str = ""
    protocol: str = ""
    host: str = ""  # Host header as sent; services build URLs (queue URLs...) from it
    secure: bool = False
    # The caller's resolved access key (``overcast.auth.credentials.Credential``), or None.
    credential: Any = None
    registry: ServiceCalls | None = None  # the service registry
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def services(self):
        """The in-process client through which this call's service reaches other services."""
        return self.registry.client(self)
