"""Delivery to Lambda functions: an Event invocation as EventBridge's service principal, the
target's input (the event by default) as the payload. In strict mode the function's policy
(AddPermission) must let ``events.amazonaws.com`` invoke it with aws:SourceArn = the rule,
as on AWS; a refusal or a missing function is not retried (dead-lettered)."""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.services.awslambda.invoke_permission import function_lets_service
from overcast.services.events.dispatch import Delivery, DeliveryFailure
from overcast.services.events.senders import EVENTS_SERVICE, arn_parts, events_context, failure_of

KIND = "lambda"


def sender(provider):
    async def send(delivery: Delivery) -> None:
        function_arn = delivery.target["Arn"]
        region, account, _ = arn_parts(function_arn, "lambda")
        ctx = events_context(provider, delivery.rule.account, region)
        if provider.cloud.settings.strict and not await function_lets_service(
                ctx, function_arn, EVENTS_SERVICE, delivery.rule.arn, delivery.rule.account, provider.clock.now()):
            raise DeliveryFailure("NO_PERMISSIONS", f"The policy of {function_arn} does not let EventBridge invoke "
                                  "it for this rule.", retryable=False)
        try:
            await ctx.services.call("lambda", "Invoke", {"FunctionName": function_arn, "InvocationType": "Event",
                                                         "Payload": delivery.input_text.encode("utf-8")},
                                    account=account)
        except AwsError as exc:
            raise failure_of(exc) from exc

    return send
