"""Finds a service's provider and an operation's method, and calls operations in process.

The registry is also the authorizer's way to the providers (``auth.authorization.authority.
Authorities``: ``authority(service)``, ``implements(service, operation)``) and the request
context's way to other services (``client(ctx)``), so neither auth nor the context imports it.
"""

from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import replace
from typing import Any, Callable

from overcast.context import RequestContext
from overcast.errors import AwsError, NotImplementedOperation
from overcast.services import IMPLEMENTED
from overcast.services.base import Provider

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(operation: str) -> str:
    """``SendMessageBatch`` -> ``send_message_batch``; ``GetHLSStreamingSessionURL`` works too."""
    return _CAMEL.sub("_", operation).lower()


class ServiceRegistry:
    """The providers of the implemented services, created on first use."""

    def __init__(self, cloud):
        self.cloud = cloud  # handed to each provider it creates
        self._providers: dict[str, "Provider"] = {}
        # (service, operation) -> (bound method, is coroutine function)
        self._methods: dict[tuple[str, str], tuple[Callable, bool]] = {}
        # Set once the cloud has started: a provider first loaded after that is started on
        # first use (before its first operation runs), as Cloud.start starts the others.
        self.live = False
        # Strict mode's authorizer (set by the gateway), for in-process calls made with the
        # caller's permissions (``ServiceClient.call(..., authorize=True)``); None: open mode.
        self.authorizer = None

    @staticmethod
    def is_implemented(service: str) -> bool:
        return service in IMPLEMENTED

    def provider(self, service: str) -> "Provider":
        provider = self._providers.get(service)
        if provider is None:
            package = IMPLEMENTED.get(service)
            if package is None:
                raise NotImplementedOperation(
                    message=f"The service {service} is not implemented by Overcast."
                )
            module = importlib.import_module(f"overcast.services.{package}.provider")
            provider = module.Provider(self.cloud)
            self._providers[service] = provider
        return provider

    def loaded(self) -> dict[str, "Provider"]:
        return dict(self._providers)

    async def started(self, service: str) -> "Provider":
        """The provider, created and (once the cloud runs) started on first use."""
        provider = self._providers.get(service)
        if provider is None:
            provider = self.provider(service)
            if self.live:
                await provider.start()
        return provider

    async def authority(self, service: str) -> "Provider | None":
        """The provider as the authorizer asks it (its ``ResourceAuthority`` hooks); None for a
        service Overcast does not implement."""
        if service in self._providers:
            return self._providers[service]
        return await self.started(service) if self.is_implemented(service) else None

    def implements(self, service: str, operation: str) -> bool:
        """Whether ``service``'s provider has a method for ``operation``."""
        if not self.is_implemented(service):
            return False
        return callable(getattr(self.provider(service), snake_case(operation), None))

    def client(self, caller: RequestContext) -> "ServiceClient":
        """The in-process client through which ``caller``'s service reaches other services."""
        return ServiceClient(self, caller)

    def method(self, service: str, operation: str) -> tuple[Callable, bool]:
        key = (service, operation)
        found = self._methods.get(key)
        if found is None:
            fn = getattr(self.provider(service), snake_case(operation), None)
            if fn is None or not callable(fn):
                raise NotImplementedOperation(
                    message=f"The operation {operation} of service {service} is not implemented by Overcast."
                )
            found = (fn, inspect.iscoroutinefunction(fn))
            self._methods[key] = found
        return found

    async def validate_request(self, ctx: "RequestContext", params: dict) -> None:
        """The provider's checks that come before authorization (``Provider.validate_request``)."""
        if ctx.service not in self._providers:
            if not self.is_implemented(ctx.service):
                return
            await self.started(ctx.service)
        self._providers[ctx.service].validate_request(ctx, params)

    async def invoke(self, ctx: "RequestContext", params: dict) -> dict:
        """Run ``ctx.operation`` of ``ctx.service`` with ``params``; returns the output dict."""
        found = self._methods.get((ctx.service, ctx.operation))
        if found is None:
            if ctx.service not in self._providers and self.is_implemented(ctx.service):
                await self.started(ctx.service)
            try:
                found = self.method(ctx.service, ctx.operation)
            except NotImplementedOperation:
                if ctx.service in self._providers:
                    self._providers[ctx.service].unimplemented(ctx, params)
                raise
        fn, is_async = found
        result = await fn(ctx, params) if is_async else fn(ctx, params)
        return result if result is not None else {}


class ServiceClient:
    """In-process client: how one service calls another (``ctx.services.call(...)``).

    Every cross-service effect is an ordinary operation call with its own context (the
    caller's account, region and principal), so it is testable like a call from outside.
    """

    def __init__(self, registry: ServiceRegistry, caller: "RequestContext"):
        self.registry = registry
        self.caller = caller

    async def call(self, service: str, operation: str, params: dict[str, Any] | None = None, *,
                   authorize: bool = False, **ctx_overrides) -> dict:
        """Run ``operation`` of ``service`` as the caller (``ctx_overrides``: other context fields).

        ``authorize``: in strict mode, decide the call for the caller's principal first, as AWS
        does when a service acts with the caller's permissions (S3 asking KMS for an object's
        data key needs the requester's kms:GenerateDataKey / kms:Decrypt); a denial is raised
        to the calling service as the callee words it. The callee then gets its own ``extra``."""
        params = params or {}
        if authorize and self.registry.authorizer is not None:
            ctx_overrides.setdefault("extra", dict(self.caller.extra))
            ctx = replace(self.caller, service=service, operation=operation, **ctx_overrides)
            await self.registry.authorizer.authorize(ctx, params)
        else:
            ctx = replace(self.caller, service=service, operation=operation, **ctx_overrides)
        return await self.registry.invoke(ctx, params)


__all__ = ["ServiceRegistry", "ServiceClient", "snake_case", "AwsError"]
