"""What a service tells the authorizer about its own resources: the authorization interface.

The authorizer never imports a service. For each decision it asks the provider of the
resource ARN's service (or of the request's service) through the hooks below; every hook has
a default that says "nothing to add", so a service without resource policies implements
nothing. ``services/base.Provider`` inherits this class; a provider overrides what it knows:

====================================  ==========================================================
hook                                  S3 / SQS / IAM / EC2 / STS today (KMS, SNS... next)
====================================  ==========================================================
``authorization_values``              placeholders of the action table read out of parameters
                                      (a queue URL's name and account, a copy source, an IAM
                                      entity's path): the ARNs the operation names
``request_condition_keys``            service condition keys of the whole request
                                      (s3:authType, s3:signatureversion...)
``resource_facts``                    owner account and resource policy of one of its ARNs
                                      (bucket policy, queue policy; key policy, topic policy),
                                      and whether that policy must let the caller in (KMS)
``resource_tags``                     aws:ResourceTag/* of one of its ARNs (queues, roles,
                                      instances)
``resource_condition_keys``           condition keys of one resource (s3:ExistingObjectTag/*,
                                      s3:ResourceAccount)
``grant_allows``                      an allow outside policies (S3 ACLs; KMS grants)
``outside_access_blocked``            an outsider's resource-policy allow is void (S3
                                      RestrictPublicBuckets on a public bucket policy)
``denial_error``                      the service's own wording of a denial (S3, SQS);
                                      None: the protocol's default (``denials.py``)
``principal_policies``                (the identity service only) a caller's policies
====================================  ==========================================================

Hooks are synchronous and cheap: they read the provider's own state; the authorizer calls
them once per resource per request and caches what they answer for the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol


@dataclass(frozen=True, slots=True)
class ResourceFacts:
    """A resource as its service knows it.

    ``owner``: the owning account (None: unknown, the ARN's account or the caller's applies);
    ``policy``: the resource policy's JSON text, or None;
    ``absent``: no such resource and the service answers its own not-found to anyone, so no
    decision is made here (S3: NoSuchBucket);
    ``policy_required``: an Allow statement of the resource policy must name the caller or its
    account before anything else counts (KMS key policies: identity policies work only through
    the policy's account statement, and a policy without one locks out even the root).
    """

    owner: str | None = None
    policy: str | None = None
    absent: bool = False
    policy_required: bool = False


@dataclass(frozen=True, slots=True)
class Denial:
    """A decision that refuses ``action`` on ``resource``, for ``denial_error``."""

    principal: Any  # overcast.auth.policy.Principal
    action: str
    resource: str
    reason: str  # AWS's clause: "because no identity-based policy allows the s3:GetObject action"
    resource_account: str | None
    decision: Any  # overcast.auth.policy.Decision


class ResourceAuthority:
    """The provider's side of authorization; every default adds nothing."""

    def authorization_values(self, ctx, params: dict) -> dict:
        """Placeholder values of this service's action table beyond the plain parameters."""
        return {}

    def request_condition_keys(self, ctx, params: dict, request) -> dict:
        """Service condition keys of the request as a whole (``request``: the HttpRequest or None)."""
        return {}

    def resource_facts(self, ctx, arn: str) -> ResourceFacts | None:
        """Owner and policy of ``arn`` (one of this service's); None: the ARN's own account."""
        return None

    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        """The tags of ``arn`` (aws:ResourceTag/*)."""
        return {}

    def resource_condition_keys(self, ctx, arn: str, check, facts: ResourceFacts | None,
                                mentioned: Callable[[str], bool]) -> dict:
        """Condition keys of one resource for ``check`` (an action-table ``Check``);
        ``mentioned(word)``: whether a policy of the request names ``word`` (lower case), so a
        costly key is read only when a policy can use it."""
        return {}

    def grant_allows(self, ctx, arn: str, check, principal, context: dict) -> bool:
        """Whether a grant outside the policies allows ``check.action`` on ``arn`` to
        ``principal`` (asked only when no policy allowed and none denied explicitly)."""
        return False

    def outside_access_blocked(self, ctx, arn: str) -> bool:
        """Whether another account's allow from the resource policy is void."""
        return False

    def denial_error(self, ctx, denial: Denial):
        """The service's own error for ``denial`` (an AwsError), or None for the protocol's."""
        return None


class Authorities(Protocol):
    """How the authorizer reaches providers: ``await authority(service)`` -> provider or None.

    Implemented by the service registry (``services/registry.py``); given to the authorizer
    by whoever builds it (the gateway), so ``auth`` imports no service."""

    async def authority(self, service: str) -> ResourceAuthority | None:
        """The provider of ``service`` (loaded and started on first use), None if not implemented."""

    def implements(self, service: str, operation: str) -> bool:
        """Whether ``service``'s provider has a method for ``operation``."""
