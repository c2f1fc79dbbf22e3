"""Per request: what the services holding the named resources say about them.

Each resource ARN is asked of the provider of its service (the ARN's third field; S3 ARNs
carry no account): ``ResourceAuthority.resource_facts`` for its owner and resource policy,
``resource_tags`` for aws:ResourceTag/*. A resource no provider knows belongs to the account
in its ARN; ``*``, an ARN without an account and AWS's own resources (an AWS managed policy)
belong to no account: the caller's rules apply.
"""

from __future__ import annotations

import functools
import logging

from overcast.auth.authorization.authority import ResourceFacts
from overcast.auth.policy import Policy, PolicyDocumentError, parse_policy

log = logging.getLogger("overcast.auth.authorization")

_NOTHING = ResourceFacts()


@functools.lru_cache(maxsize=512)
def parsed_resource_policy(text: str, source: str) -> Policy | None:
    """A stored resource policy, parsed once per distinct text (None when the engine cannot read it)."""
    try:
        return parse_policy(text, "resource", source)
    except PolicyDocumentError as exc:
        log.warning("ignoring unreadable %s: %s", source, exc.message)
        return None


@functools.lru_cache(maxsize=4096)
def arn_service(resource: str) -> str | None:
    """The service field of an ARN (``arn:aws:sqs:...`` -> ``sqs``); None for ``*`` and non-ARNs."""
    if not resource.startswith("arn:"):
        return None
    parts = resource.split(":", 5)
    return parts[2] if len(parts) == 6 else None


class ResourceOwners:
    """Resource ARN -> (facts, parsed policy) and tags, cached for one request."""

    def __init__(self, ctx, authorities: dict):
        self._ctx = ctx
        self._authorities = authorities  # service -> provider, loaded ahead by the authorizer
        self._found: dict[str, tuple[ResourceFacts, Policy | None]] = {}
        self._tags: dict[str, dict[str, str]] = {}

    def authority(self, resource: str):
        """The provider of ``resource``'s service, or None."""
        service = arn_service(resource)
        return self._authorities.get(service) if service else None

    def lookup(self, resource: str) -> tuple[ResourceFacts, Policy | None]:
        found = self._found.get(resource)
        if found is None:
            found = self._found[resource] = self._lookup(resource)
        return found

    def tags(self, resource: str) -> dict[str, str]:
        """The resource's tags where its service tells them, else {}."""
        found = self._tags.get(resource)
        if found is None:
            authority = self.authority(resource)
            found = self._tags[resource] = authority.resource_tags(self._ctx, resource) if authority else {}
        return found

    def _lookup(self, resource: str) -> tuple[ResourceFacts, Policy | None]:
        service = arn_service(resource)
        if service is None:
            return _NOTHING, None
        authority = self._authorities.get(service)
        facts = authority.resource_facts(self._ctx, resource) if authority is not None else None
        if facts is None:
            account = resource.split(":", 5)[4]
            return (ResourceFacts(owner=account) if account.isdigit() else _NOTHING), None
        # one label for all: the cache then parses a bucket's policy once, not once per object
        policy = parsed_resource_policy(facts.policy, "resource policy") if facts.policy else None
        return facts, policy
