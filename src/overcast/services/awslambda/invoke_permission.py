"""Whether a function's resource policy lets a service invoke it: what SNS, EventBridge, S3
and Logs ask in strict mode before they invoke a function as their service principal, as AWS
checks the policy AddPermission wrote (``aws:SourceArn`` / ``aws:SourceAccount`` conditions
included). They ask through the in-process Lambda client (GetPolicy), never Lambda's tables."""

from __future__ import annotations

from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate
from overcast.auth.policy.model import AuthzRequest, PolicySet, Principal
from overcast.errors import AwsError


def _unqualified(function_arn: str) -> tuple[str, str | None]:
    parts = function_arn.split(":")
    if len(parts) == 8:
        return ":".join(parts[:7]), parts[7]
    return function_arn, None


async def function_lets_service(ctx, function_arn: str, service: str, source_arn: str | None, source_account: str,
                                now: float) -> bool:
    """Whether the policy of ``function_arn`` (qualified or not) lets ``service`` (a service
    principal, ``sns.amazonaws.com``) call lambda:InvokeFunction for ``source_arn`` (None: a
    source without an ARN of its own, only its account). ``ctx``
    is the calling service's context."""
    unqualified, qualifier = _unqualified(function_arn)
    region, account = unqualified.split(":")[3:5]
    params = {"FunctionName": unqualified}
    if qualifier:
        params["Qualifier"] = qualifier
    try:
        answer = await ctx.services.call("lambda", "GetPolicy", params, account=account, region=region)
    except AwsError:  # no function, or no policy: nobody else may invoke it
        return False
    text = answer.get("Policy")
    if not text:
        return False
    try:
        policy = parse_policy(text, "resource", function_arn)
    except (PolicyDocumentError, ValueError):
        return False
    request = AuthzRequest(Principal(arn=service, account="", kind="service", service=service),
                           "lambda:InvokeFunction", function_arn,
                           context={"aws:SourceAccount": source_account,
                                    **({"aws:SourceArn": source_arn} if source_arn else {})},
                           resource_account=account)
    return evaluate(request, PolicySet(resource=policy), now=now).allowed
