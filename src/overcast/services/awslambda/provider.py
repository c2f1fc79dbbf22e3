"""AWS Lambda: the provider is composed of one class per concern, each in its own module (the
split between the helpers is ``lambda-contract``).

| module | operations |
|---|---|
| ``functions.py`` (``FunctionOperations``) | Create/Get/List/Delete functions, code and configuration updates |
| ``tags.py`` (``TagOperations``) | TagResource, UntagResource, ListTags |
| ``invoke.py`` (``InvokeOperations``) | Invoke RequestResponse/DryRun, execution environments |
| ``async_invoke.py`` (``AsyncInvokeOperations``) | Invoke Event, event invoke configs, InvokeAsync |
| ``versions.py`` (``VersionOperations``) | PublishVersion, ListVersionsByFunction |
| ``aliases.py`` (``AliasOperations``) | aliases and their routing |
| ``permissions.py`` (``PermissionOperations``) | AddPermission, RemovePermission, GetPolicy |
| ``layers.py`` (``LayerOperations``) | layer versions and their policies |
| ``concurrency.py`` (``ConcurrencyOperations``) | function concurrency, GetAccountSettings |
| ``event_source_mappings.py`` (``EventSourceMappingOperations``) | event source mappings (SQS) |
| ``function_urls.py`` (``FunctionUrlOperations``) | function URLs |

``authority.py`` is Lambda's side of strict-mode authorization. An operation no mixin defines
answers 501 (code signing, provisioned concurrency, capacity providers...).

A mixin with an ``__init__`` takes ``(self, cloud)`` and calls ``super().__init__(cloud)``
first. Private methods carry a prefix naming their concern (the mixins share one namespace).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from overcast.services.awslambda.aliases import AliasOperations
from overcast.services.awslambda.async_invoke import AsyncInvokeOperations
from overcast.services.awslambda.authority import LambdaAuthority
from overcast.services.awslambda.concurrency import ConcurrencyOperations
from overcast.services.awslambda.event_source_mappings import EventSourceMappingOperations
from overcast.services.awslambda.function_urls import FunctionUrlOperations
from overcast.services.awslambda.functions import FunctionOperations
from overcast.services.awslambda.invoke import InvokeOperations
from overcast.services.awslambda.layers import LayerOperations
from overcast.services.awslambda.permissions import PermissionOperations
from overcast.services.awslambda.schema import MIGRATIONS
from overcast.services.awslambda.tags import TagOperations
from overcast.services.awslambda.validation import check_input
from overcast.services.awslambda.versions import VersionOperations
from overcast.services.base import Provider as BaseProvider


class Provider(FunctionOperations, TagOperations, InvokeOperations, AsyncInvokeOperations, VersionOperations, AliasOperations,
               PermissionOperations, LayerOperations, ConcurrencyOperations, EventSourceMappingOperations,
               FunctionUrlOperations, LambdaAuthority, BaseProvider):
    service_name = "lambda"
    migrations = MIGRATIONS

    def validate_request(self, ctx, params: dict) -> None:
        """Strict mode: the model's constraints are checked before authorization, as Lambda
        orders them (the operations check them again in open mode)."""
        check_input(ctx.operation, params)

    async def code_download(self, query: dict) -> bytes | None:
        """The zip a GetFunction Code.Location (or a layer version's Content.Location) names
        (None when the URL is not one Overcast signed, has expired, or names code no longer stored)."""
        if not self.code_store.verified(query):
            return None
        blob = self.layer_code_blob(query)
        if blob is None:
            row = self.db.query_one("SELECT code_blob FROM function_versions WHERE function_id = ? AND version = ? "
                                    "AND code_sha256 = ?", (query.get("function"), query.get("version"),
                                                            query.get("sha")))
            if row is None:
                return None
            blob = row[0]
        return await asyncio.to_thread(Path(self.code_store.blobs.path(blob)).read_bytes)
