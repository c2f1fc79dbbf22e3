"""The per-request context handed to every service operation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from overcast.services.registry import ServiceClient, ServiceRegistry


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
    registry: "ServiceRegistry | None" = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def services(self) -> "ServiceClient":
        """The in-process client through which this call's service reaches other services."""
        from overcast.services.registry import ServiceClient

        return ServiceClient(self.registry, self)
