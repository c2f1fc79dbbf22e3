"""Delivery to SNS topics: Publish as EventBridge's service principal, the target's input as
the message. In strict mode the topic's policy must let ``events.amazonaws.com`` publish
with aws:SourceArn = the rule, as on AWS."""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.services.events.dispatch import Delivery, DeliveryFailure
from overcast.services.events.senders import arn_parts, events_context, failure_of, policy_lets_events

KIND = "sns"


def sender(provider):
    async def send(delivery: Delivery) -> None:
        topic_arn = delivery.target["Arn"]
        region, account, _ = arn_parts(topic_arn, "sns")
        ctx = events_context(provider, delivery.rule.account, region)
        try:
            if provider.cloud.settings.strict:
                answer = await ctx.services.call("sns", "GetTopicAttributes", {"TopicArn": topic_arn},
                                                 account=account)
                if not policy_lets_events((answer.get("Attributes") or {}).get("Policy"), "sns:Publish", topic_arn,
                                          account, delivery.rule.arn, delivery.rule.account, provider.clock.now()):
                    raise DeliveryFailure("NO_PERMISSIONS", f"The policy of {topic_arn} does not let EventBridge "
                                          "publish for this rule.", retryable=False)
            params = {"TopicArn": topic_arn, "Message": delivery.input_text}
            if topic_arn.endswith(".fifo"):  # a FIFO topic needs a group; the event id deduplicates retries
                params["MessageGroupId"] = delivery.rule.name
                params["MessageDeduplicationId"] = delivery.event.get("id", "")
            await ctx.services.call("sns", "Publish", params, account=account)
        except AwsError as exc:
            raise failure_of(exc) from exc

    return send
