"""Strict mode: a function's execution role must exist and let ``lambda.amazonaws.com`` assume
it, or CreateFunction / UpdateFunctionConfiguration answer AWS's InvalidParameterValueException.
Open mode accepts any role ARN the model's pattern accepts, as every Overcast service does."""

from __future__ import annotations

from overcast.auth.policy import AuthzRequest, PolicyDocumentError, PolicySet, evaluate, parse_policy
from overcast.auth.policy.model import Principal

LAMBDA_SERVICE = "lambda.amazonaws.com"
ROLE_REFUSED = "The role defined for the function cannot be assumed by Lambda."


def role_refused(provider, role_arn: str) -> bool:
    cloud = provider.cloud
    if not cloud.settings.strict:
        return False
    role = cloud.services.provider("iam").role_by_arn(role_arn)
    if role is None:
        return True
    try:
        trust = parse_policy(role.trust_policy, "trust", f"trust policy of {role.arn}")
    except PolicyDocumentError:
        return True
    principal = Principal(arn=LAMBDA_SERVICE, account="", kind="service", service=LAMBDA_SERVICE)
    request = AuthzRequest(principal, "sts:AssumeRole", role.arn, {}, role.account)
    return not evaluate(request, PolicySet(resource=trust)).allowed
