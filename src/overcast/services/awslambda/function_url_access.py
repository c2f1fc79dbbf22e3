"""Strict mode: who may call a function URL ("Control access to Lambda function URLs").

An AuthType NONE URL serves a caller only when the function's resource policy allows
``lambda:InvokeFunctionUrl`` to anyone (``"Principal": "*"``, usually with the condition
``lambda:FunctionUrlAuthType = NONE``), as AddPermission writes it. An AWS_IAM URL serves a
signed caller whose identity policies (same account) or the function's policy (another
account: both) allow ``lambda:InvokeFunctionUrl``. Anything else is AWS's 403 ``Forbidden``.
Open mode serves every caller, as every Overcast service acts in open mode.
"""

from __future__ import annotations

from overcast.auth.authorization.principals import anonymous_caller, caller_for
from overcast.auth.policy import AuthzRequest, PolicyDocumentError, PolicySet, evaluate, parse_policy

ACTION = "lambda:InvokeFunctionUrl"


def url_call_allowed(provider, function_arn: str, auth_type: str, credential) -> bool:
    """Whether the caller (``credential``, None when unsigned) may call the URL of
    ``function_arn`` (qualified when the URL names an alias)."""
    cloud = provider.cloud
    if not cloud.settings.strict:
        return True
    facts = provider.resource_facts(None, function_arn)
    if facts is None:
        return False
    try:
        resource = parse_policy(facts.policy, "resource", function_arn) if facts.policy else None
    except (PolicyDocumentError, ValueError):
        resource = None
    if auth_type == "NONE":
        caller = anonymous_caller()
    else:
        caller = caller_for(credential, cloud.services.provider("iam"))
    request = AuthzRequest(caller.principal, ACTION, function_arn, context={"lambda:FunctionUrlAuthType": auth_type},
                           resource_account=facts.owner)
    policies = PolicySet(identity=caller.identity, resource=resource, boundary=caller.boundary,
                         session=caller.session)
    return evaluate(request, policies, now=cloud.clock.now()).allowed
