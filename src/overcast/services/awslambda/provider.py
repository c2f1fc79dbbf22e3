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
from overcast.services.awslambda.versions import VersionOperations
from overcast.services.base import Provider as BaseProvider


class Provider(FunctionOperations, TagOperations, InvokeOperations, AsyncInvokeOperations, VersionOperations, AliasOperations,
               PermissionOperations, LayerOperations, ConcurrencyOperations, EventSourceMappingOperations,
               FunctionUrlOperations, LambdaAuthority, BaseProvider):
    service_name = "lambda"
    migrations = MIGRATIONS
