"""Strict mode: whether another account's SNS topic lets an alarm publish to it.

An alarm's SNS action publishes as the CloudWatch service principal
(``cloudwatch.amazonaws.com``). A topic of the alarm's own account takes it; another
account's topic must allow it in its policy ("Principal": {"Service":
"cloudwatch.amazonaws.com"}, "Action": "sns:Publish", usually with aws:SourceArn = the alarm
or aws:SourceAccount = the alarm's account), as SNS delivery to SQS asks of a queue policy.
"""

from __future__ import annotations

from overcast.auth.authorization.denials import denial_message
from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate
from overcast.auth.policy.model import AuthzRequest, PolicySet, Principal
from overcast.errors import AwsError

CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com"
_PUBLISH = "SNS:Publish"  # as SNS spells its actions in its refusals


async def topic_refusal(provider, ctx, alarm, topic_arn: str) -> str | None:
    """Why ``alarm`` may not publish to ``topic_arn`` (another account's topic whose policy
    does not let CloudWatch publish for it), or None when it may."""
    topic_account, region = topic_arn.split(":")[4], topic_arn.split(":")[3]
    if not provider.cloud.settings.strict or topic_account == alarm.account:
        return None
    try:
        answer = await ctx.services.call("sns", "GetTopicAttributes", {"TopicArn": topic_arn},
                                         account=topic_account, region=region)
    except AwsError as exc:
        return exc.message or exc.code
    principal = Principal(arn=CLOUDWATCH_SERVICE, account="", kind="service", service=CLOUDWATCH_SERVICE)
    text = (answer.get("Attributes") or {}).get("Policy")
    if text and _allows(text, principal, topic_arn, topic_account, alarm, provider.clock.now()):
        return None
    return denial_message(principal, _PUBLISH, topic_arn,
                          f"because no resource-based policy allows the {_PUBLISH} action")


def _allows(text: str, principal, topic_arn: str, topic_account: str, alarm, now: float) -> bool:
    try:
        policy = parse_policy(text, "resource", topic_arn)
    except (PolicyDocumentError, ValueError):
        return False
    request = AuthzRequest(principal, "sns:Publish", topic_arn,
                           context={"aws:SourceArn": alarm.arn, "aws:SourceAccount": alarm.account},
                           resource_account=topic_account)
    return evaluate(request, PolicySet(resource=policy), now=now).allowed
