"""The destination check S3 makes when a notification configuration is written.

S3 sends nothing until it has confirmed each destination: the queue, topic or function must
exist and its resource policy must let ``s3.amazonaws.com`` deliver to it from this bucket.
Any that fail are named together in one ``InvalidArgument`` ("Unable to validate the
following destination configurations"), as numbered ``ArgumentName<n>`` (the ARN) and
``ArgumentValue<n>`` (why) pairs. ``x-amz-skip-destination-validation: true`` skips it.

Queues and topics are asked through the in-process client (GetQueueUrl then the queue's
Policy attribute; the topic's attributes and its Policy), the policy evaluated for the S3
service principal (sqs:SendMessage, sns:Publish); a function's policy (AddPermission) must let
S3 call lambda:InvokeFunction for the bucket.
"""

from __future__ import annotations

from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate
from overcast.auth.policy.model import AuthzRequest, PolicySet, Principal
from overcast.errors import AwsError
from overcast.services.awslambda.invoke_permission import function_lets_service

S3_SERVICE = "s3.amazonaws.com"
_QUEUE_MISSING = "The destination queue does not exist"
_QUEUE_REFUSES = "Permissions on the destination queue do not allow S3 to publish notifications from this bucket"
_TOPIC_MISSING = "The destination topic does not exist"
_TOPIC_REFUSES = "Permissions on the destination topic do not allow S3 to publish notifications from this bucket"


async def check_destinations(ctx, bucket, config: dict, now: float) -> None:
    """Raise S3's InvalidArgument naming every destination of ``config`` it cannot validate."""
    failures: list[tuple[str, str]] = []
    seen: set[str] = set()
    for entry in config.get("QueueConfigurations") or ():
        arn = entry["QueueArn"]
        if arn not in seen:
            seen.add(arn)
            reason = await _queue_refusal(ctx, bucket, arn, now)
            if reason:
                failures.append((arn, reason))
    for entry in config.get("TopicConfigurations") or ():
        arn = entry["TopicArn"]
        if arn not in seen:
            seen.add(arn)
            reason = await _topic_refusal(ctx, bucket, arn, now)
            if reason:
                failures.append((arn, reason))
    for entry in config.get("LambdaFunctionConfigurations") or ():
        arn = entry["LambdaFunctionArn"]
        if arn not in seen:
            seen.add(arn)
            if not await function_lets_s3(ctx, bucket, arn, now):
                failures.append((arn, f"Not authorized to invoke function [{arn}]"))
    if failures:
        fields: dict[str, str] = {}
        for number, (arn, reason) in enumerate(failures, start=1):
            fields[f"ArgumentName{number}"] = arn
            fields[f"ArgumentValue{number}"] = reason
        raise AwsError("InvalidArgument", "Unable to validate the following destination configurations", 400,
                       fields=fields)


async def _queue_refusal(ctx, bucket, arn: str, now: float) -> str | None:
    """Why S3 could not validate queue ``arn`` (None when it may send to it)."""
    _, _, _, region, account, name = arn.split(":", 5)
    try:
        url = (await ctx.services.call("sqs", "GetQueueUrl", {"QueueName": name, "QueueOwnerAWSAccountId": account},
                                       region=region))["QueueUrl"]
        answer = await ctx.services.call("sqs", "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["Policy"]},
                                         region=region, account=account)
    except AwsError:
        return _QUEUE_MISSING
    text = (answer.get("Attributes") or {}).get("Policy")
    if not text or not policy_lets_s3(text, "sqs:SendMessage", arn, account, bucket, now):
        return _QUEUE_REFUSES
    return None


async def _topic_refusal(ctx, bucket, arn: str, now: float) -> str | None:
    """Why S3 could not validate topic ``arn`` (None when it may publish to it)."""
    _, _, _, region, account, _ = arn.split(":", 5)
    try:
        answer = await ctx.services.call("sns", "GetTopicAttributes", {"TopicArn": arn},
                                         region=region, account=account)
    except AwsError:
        return _TOPIC_MISSING
    text = (answer.get("Attributes") or {}).get("Policy")
    if not text or not policy_lets_s3(text, "sns:Publish", arn, account, bucket, now):
        return _TOPIC_REFUSES
    return None


async def function_lets_s3(ctx, bucket, arn: str, now: float) -> bool:
    """Whether function ``arn`` exists and its policy lets S3 invoke it for ``bucket``."""
    return await function_lets_service(ctx, arn, S3_SERVICE, f"arn:{bucket.partition}:s3:::{bucket.name}",
                                       bucket.account, now)


def policy_lets_s3(text: str, action: str, resource_arn: str, resource_account: str, bucket, now: float) -> bool:
    """Whether the resource policy ``text`` lets S3 do ``action`` for events of ``bucket``."""
    try:
        policy = parse_policy(text, "resource", resource_arn)
    except (PolicyDocumentError, ValueError):
        return False
    request = AuthzRequest(
        Principal(arn=S3_SERVICE, account="", kind="service", service=S3_SERVICE), action, resource_arn,
        context={"aws:SourceArn": f"arn:{bucket.partition}:s3:::{bucket.name}", "aws:SourceAccount": bucket.account},
        resource_account=resource_account)
    return evaluate(request, PolicySet(resource=policy), now=now).allowed
