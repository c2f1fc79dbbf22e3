"""Strict mode's authorization step: after a request is parsed and before its operation runs.

For each check the operation's table entry asks for (an action on one or more resources),
the policy engine decides from the caller's identity policies (with permission boundary and
session policies) and the resource's own policy (bucket policy, queue policy); the first
denial answers the request with the service's own error. A request every check allowed is
marked ``ctx.extra["authorized"]``, so a provider lets a granted caller of another account
reach its resource (an S3 bucket shared by bucket policy); items of a multi-item request that
were denied on their own are listed in ``ctx.extra["denied_items"]`` (S3 DeleteObjects keys as
(key, version id)) for the service to report among its per-item results.
"""

from __future__ import annotations

import logging

from overcast.auth.authorization.denials import access_denied
from overcast.auth.authorization.derived import derived_values
from overcast.auth.authorization.principals import Caller, caller_for, principal_kind
from overcast.auth.authorization.request_context import global_context, s3_context
from overcast.auth.authorization.resources import ResourceOwners
from overcast.auth.authorization.table import checks_for, parameters_read
from overcast.auth.policy import AuthzRequest, Decision, PolicySet, evaluate
from overcast.errors import AwsError
from overcast.services.registry import snake_case

log = logging.getLogger("overcast.auth.authorization")

# Services whose resources carry policies of their own (the provider answers who owns a
# resource and its policy).
_RESOURCE_POLICY_SERVICES = ("s3", "sqs")


def _mentions(word: str, caller: Caller, resource_policy) -> bool:
    """Whether any policy of the request names ``word`` (lower case): costly context keys are
    only looked up for a policy that can use them."""
    policies = [*caller.identity, *caller.session, caller.boundary, resource_policy]
    return any(p is not None and word in (p.text or "").lower() for p in policies)


async def _instance_tags(ctx, checks, owners: ResourceOwners) -> None:
    """The tags of the EC2 instances the checks name, read through EC2's own DescribeTags."""
    arns = {resource for check in checks for resource in check.resources
            if ":instance/" in resource and not resource.endswith("/*")}
    if not arns:
        return
    ids = sorted(arn.rsplit("/", 1)[-1] for arn in arns)
    found = await ctx.services.call("ec2", "DescribeTags", {"Filters": [{"Name": "resource-id", "Values": ids}]})
    by_id: dict[str, dict[str, str]] = {}
    for tag in found.get("Tags") or []:
        by_id.setdefault(tag["ResourceId"], {})[tag["Key"]] = tag["Value"]
    for arn in arns:
        owners.remember_tags(arn, by_id.get(arn.rsplit("/", 1)[-1], {}))


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
    """Decides every request of a strict-mode cloud (``await authorize(ctx, params, request)``)."""

    def __init__(self, cloud):
        self.cloud = cloud

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
        checks = checks_for(ctx.service, ctx.operation, params, derived_values(ctx, params))
        if checks is None:
            provider = await self._provider(ctx.service)
            if provider is None or not callable(getattr(provider, snake_case(ctx.operation), None)):
                return  # not implemented: the operation call answers that
            # Every implemented operation has a table entry (a test holds it); failing closed
            # keeps a forgotten one from being an open door.
            log.error("no authorization table entry for %s %s", ctx.service, ctx.operation)
            raise AwsError("AccessDenied", "Access Denied", 403)
        if not checks:
            ctx.extra["authorized"] = True
            return
        caller = caller_for(ctx.credential, await self._identity_source(ctx.credential))
        providers = {}
        if ctx.service in _RESOURCE_POLICY_SERVICES:
            providers[ctx.service] = await self._provider(ctx.service)
        elif ctx.service in ("iam", "sts"):  # roles' tags
            providers["iam"] = await self._provider("iam")
        owners = ResourceOwners(providers, ctx.region)
        base = global_context(ctx, caller.principal, self.cloud.clock.now(), request)
        if ctx.service == "ec2" and _mentions("resourcetag", caller, None):
            await _instance_tags(ctx, checks, owners)
        encode = await self._encoder() if ctx.protocol == "ec2" else None
        for check in checks:
            for resource in check.resources:
                self._decide(ctx, caller, check, resource, owners, base, request, encode, body_unknown)
        ctx.extra["authorized"] = True

    def _decide(self, ctx, caller: Caller, check, resource: str, owners: ResourceOwners, base: dict,
                request, encode, body_unknown: bool = False) -> None:
        principal = caller.principal
        if check.trust_checked_by_service:
            # The service decides the whole request itself (STS: the role's trust policy with
            # the caller's identity, boundary and session policies, as AWS evaluates it). A
            # decision here, without the trust policy, would refuse a same-account principal
            # that the trust policy names directly and no identity policy mentions.
            return
        owner, policy = owners.lookup(resource)
        if owner is None and ctx.service == "s3" and resource != "*" and ctx.operation != "CreateBucket":
            return  # no such bucket: S3 answers NoSuchBucket to anyone
        if caller.anonymous:
            resource_account = None  # only the resource's policy speaks for an anonymous caller
        else:
            resource_account = owner or principal.account
        context = dict(base)
        if ctx.service == "s3":
            context.update(s3_context(ctx, request, owner))
        for key, value in owners.tags(resource).items():
            context[f"aws:ResourceTag/{key}"] = value
            if ctx.service == "ec2":
                context[f"ec2:ResourceTag/{key}"] = value
        context.update(check.conditions)
        if check.existing_object_tags and _mentions("existingobjecttag", caller, policy):
            for key, value in owners.object_tags(resource, check.conditions.get("s3:VersionId")).items():
                context[f"s3:ExistingObjectTag/{key}"] = value
        decision = evaluate(
            AuthzRequest(principal, check.action, resource, context, resource_account, body_unknown),
            PolicySet(caller.identity, policy, caller.boundary, caller.session),
        )
        if not decision.allowed and decision.reason == "implicit_deny" and decision.denied_by == "resource" \
                and ctx.service == "s3" and owner is not None and owners.acl_allows(
                    resource, check.action, check.conditions.get("s3:VersionId"), principal.account or None):
            # what the resource side lacks an ACL grant can give (ACLs enabled on the bucket)
            decision = Decision(True, "allowed", decision.matched, None)
        if decision.allowed and owner is not None and principal.account != owner and ctx.service == "s3" \
                and owners.public_access_restricted(resource):
            # an outsider's allow comes from the bucket policy, which RestrictPublicBuckets
            # limits to the owner's account while the policy is public
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
            raise access_denied(ctx, principal, check.action, resource, decision, resource_account, encode, context)

    async def _identity_source(self, credential):
        """The IAM provider (users', groups' and roles' policies), unless the caller needs none."""
        if credential is None or credential.is_root:
            return None
        return await self._provider("iam")

    async def _encoder(self):
        """STS's encoder of the decision details EC2-style denials carry."""
        sts = await self._provider("sts")
        return getattr(sts, "encode_authorization_message", None) if sts is not None else None

    async def _provider(self, service: str):
        """A provider, loaded (and started, as the registry would) on first use; None if absent."""
        registry = self.cloud.services
        found = registry.loaded().get(service)
        if found is not None:
            return found
        if not registry.is_implemented(service):
            return None
        provider = registry.provider(service)
        if registry.live:
            await provider.start()
        return provider
