"""Strict mode's authorization step: after a request is parsed and before its operation runs.

For each check the operation's table entry asks for (an action on one or more resources),
the policy engine decides from the caller's identity policies (with permission boundary and
session policies) and the resource's own policy; the first denial answers the request with the
service's own error. What only a service knows (a resource's owner, policy and tags, the ARNs
its parameters name, grants outside policies, its denial wording) it tells through the
authorization interface (``authority.py``), which each provider implements: this module never
imports a service. A request every check allowed is marked ``ctx.extra["authorized"]``, so a
provider lets a granted caller of another account reach its resource (an S3 bucket shared by
bucket policy); items of a multi-item request that were denied on their own are listed in
``ctx.extra["denied_items"]`` (S3 DeleteObjects keys as (key, version id)) for the service to
report among its per-item results.
"""

from __future__ import annotations

import functools
import logging

from overcast.auth.authenticator import UNSIGNED_LINKS
from overcast.auth.authorization.denials import access_denied
from overcast.auth.authorization.derived import derived_values
from overcast.auth.authorization.principals import Caller, caller_for, principal_kind
from overcast.auth.authorization.request_context import global_context
from overcast.auth.authorization.resources import ResourceOwners, arn_service
from overcast.auth.authorization.table import checks_for, parameters_read
from overcast.auth.policy import AuthzRequest, Decision, PolicySet, evaluate
from overcast.auth.policy.evaluate import principal_strength, request_context, statement_applies
from overcast.errors import AwsError

log = logging.getLogger("overcast.auth.authorization")

# the service whose provider knows callers' policies (users, groups, roles)
_IDENTITY_SERVICE = "iam"


@functools.lru_cache(maxsize=1024)
def _lowered(text: str) -> str:
    return text.lower()


def _mentions(word: str, caller: Caller, resource_policy) -> bool:
    """Whether any policy of the request names ``word`` (lower case): costly context keys are
    only looked up for a policy that can use them."""
    policies = [*caller.identity, *caller.session, caller.boundary, resource_policy]
    return any(p is not None and p.text and word in _lowered(p.text) for p in policies)


def _policy_lets_in(policy, request: AuthzRequest) -> bool:
    """Whether an Allow statement of a resource policy names the caller (or its account) and
    applies to the request: what a KMS key policy must do before identity policies count."""
    context = request_context(request)  # lower-cased keys, as conditions look them up
    for statement in policy.statements:
        if statement.effect == "Allow" and principal_strength(statement, request.principal) is not None \
                and statement_applies(statement, request, context, policy.variables_enabled):
            return True
    return False


def _check_session_token_scope(ctx) -> None:
    """GetSessionToken credentials (no MFA here) call neither IAM nor STS, but for AssumeRole and
    GetCallerIdentity (STS GetSessionToken reference); AWS answers InvalidClientTokenId."""
    credential = ctx.credential
    if credential is None or not credential.session_token or credential.role_arn:
        return
    if principal_kind(credential.principal_arn) not in ("user", "root"):
        return
    if ctx.service == "iam":
        raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid", 403)
    if ctx.service == "sts" and ctx.operation not in ("AssumeRole", "GetCallerIdentity"):
        raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)


class Authorizer:
    """Decides every request of a strict-mode cloud (``await authorize(ctx, params, request)``).

    ``authorities``: the providers, as ``authority.Authorities`` (the service registry);
    ``clock``: the cloud clock (aws:CurrentTime); ``messages``: ``AuthorizationMessages`` for
    the encoded denials of EC2-style services."""

    def __init__(self, authorities, clock, messages=None):
        self._authorities = authorities
        self._clock = clock
        self._messages = messages

    @staticmethod
    def decides_without_body(service: str, operation) -> str | None:
        """How the decision on ``operation`` (a botocore OperationModel) can be made before the
        body is invited: "whole" when it reads nothing from the body; "deny-only" when the body
        only fills condition keys (judged with those keys unknown, in the caller's favour, a
        denial then holds for every body); None when the body chooses what is checked."""
        shape = operation.input_shape
        if shape is None:
            return "whole"
        body = {name for name, member in shape.members.items() if not member.serialization.get("location")}
        if not (parameters_read(service, operation.name) & body):
            return "whole"
        if not (parameters_read(service, operation.name, structural_only=True) & body):
            return "deny-only"
        return None

    async def authorize(self, ctx, params: dict, request=None, body_unknown: bool = False) -> None:
        """Return when the caller may make this call; raise the service's denial otherwise.
        ``body_unknown``: the body is not read yet, condition keys it would fill count in the
        caller's favour (only a denial is final)."""
        _check_session_token_scope(ctx)
        if ctx.credential is None and (ctx.service, ctx.operation) in UNSIGNED_LINKS:
            ctx.extra["authorized"] = True  # the link itself is the proof: its service checks it
            return
        authority = await self._authorities.authority(ctx.service)
        checks = checks_for(ctx.service, ctx.operation, params, derived_values(ctx, params, authority))
        if checks is None:
            if not self._authorities.implements(ctx.service, ctx.operation):
                return  # not implemented: the operation call answers that
            # Every implemented operation has a table entry (a test holds it); failing closed
            # keeps a forgotten one from being an open door.
            log.error("no authorization table entry for %s %s", ctx.service, ctx.operation)
            raise AwsError("AccessDenied", "Access Denied", 403)
        if not checks:
            ctx.extra["authorized"] = True
            return
        caller = caller_for(ctx.credential, await self._identity_source(ctx.credential))
        owners = ResourceOwners(ctx, await self._resource_authorities(ctx.service, authority, checks))
        base = global_context(ctx, caller.principal, self._clock.now(), request)
        if authority is not None:
            base.update(authority.request_condition_keys(ctx, params, request))
        for check in checks:
            for resource in check.resources:
                self._decide(ctx, authority, caller, check, resource, owners, base, body_unknown)
        ctx.extra["authorized"] = True

    def _decide(self, ctx, authority, caller: Caller, check, resource: str, owners: ResourceOwners, base: dict,
                body_unknown: bool = False) -> None:
        principal = caller.principal
        if check.trust_checked_by_service:
            # The service decides the whole request itself (STS: the role's trust policy with
            # the caller's identity, boundary and session policies, as AWS evaluates it). A
            # decision here, without the trust policy, would refuse a same-account principal
            # that the trust policy names directly and no identity policy mentions.
            return
        facts, policy = owners.lookup(resource)
        if facts.absent:
            return  # no such resource: its service answers its not-found to anyone
        owner = facts.owner
        if caller.anonymous:
            resource_account = None  # only the resource's policy speaks for an anonymous caller
        else:
            resource_account = owner or principal.account
        context = dict(base)
        holder = owners.authority(resource)
        if holder is not None:
            context.update(holder.resource_condition_keys(
                ctx, resource, check, facts, lambda word: _mentions(word, caller, policy)))
        if _mentions("resourcetag", caller, policy):
            for key, value in owners.tags(resource).items():
                context[f"aws:ResourceTag/{key}"] = value
        context.update(check.conditions)
        request = AuthzRequest(principal, check.action, resource, context, resource_account, body_unknown)
        if facts.policy_required and policy is not None and not _policy_lets_in(policy, request):
            # nothing but the resource policy can open the resource (KMS keys)
            decision = Decision(False, "implicit_deny", [], "resource")
        else:
            decision = evaluate(request, PolicySet(caller.identity, policy, caller.boundary, caller.session))
        if not decision.allowed and decision.reason == "implicit_deny" and decision.denied_by == "resource" \
                and owner is not None and holder is not None \
                and holder.grant_allows(ctx, resource, check, principal, context):
            # what the resource side lacks a grant outside policies can give (S3 ACLs)
            decision = Decision(True, "allowed", decision.matched, None)
        if decision.allowed and owner is not None and principal.account != owner and holder is not None \
                and holder.outside_access_blocked(ctx, resource):
            # an outsider's allow comes from the resource policy, which its service voids
            # (S3 RestrictPublicBuckets on a public bucket policy)
            decision = Decision(False, "implicit_deny", decision.matched, "resource")
        if check.probe:
            # one probe per item (DeleteObjects' bypass): allowed only if allowed for every item
            probes = ctx.extra.setdefault("probes", {})
            probes[check.action] = probes.get(check.action, True) and decision.allowed
            return
        if not decision.allowed and check.item is not None:
            # one item of a multi-item request (a DeleteObjects key): the service reports it
            item = check.item
            ctx.extra.setdefault("denied_items", set()).add((item.get("Key"), item.get("VersionId")))
            return
        if not decision.allowed:
            raise access_denied(ctx, authority, principal, check.action, resource, decision, resource_account,
                                self._messages, context)

    async def _resource_authorities(self, service: str, authority, checks) -> dict:
        """The providers of the request's service and of every service the checks' ARNs name."""
        found = {service: authority} if authority is not None else {}
        for check in checks:
            for resource in check.resources:
                named = arn_service(resource)
                if named is not None and named not in found:
                    provider = await self._authorities.authority(named)
                    if provider is not None:
                        found[named] = provider
        return found

    async def _identity_source(self, credential):
        """The identity service's provider (users', groups' and roles' policies), unless the
        caller needs none."""
        if credential is None or credential.is_root:
            return None
        return await self._authorities.authority(_IDENTITY_SERVICE)
