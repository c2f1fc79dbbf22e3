"""Sending S3 event notifications to their destinations: SQS queues, SNS topics and Lambda
functions.

Each event message (or ``s3:TestEvent``) the notifier matches is handed to the cloud's
scheduler as a durable one-shot timer due now (``s3.notification``): the write that caused
it only pays for that row, the message survives a crash, and it is sent on the event loop
right after, through the in-process client, as S3's service principal does on AWS:
SendMessage to a queue, Publish to a topic (Subject "Amazon S3 Notification"), an Event
Invoke of a function (the event as its payload). In strict mode
the destination's policy is asked again at delivery (it may have changed since the
configuration was validated); S3 drops what the destination refuses or what no longer
exists, as on AWS. EventBridge messages (the default bus of the bucket's account and
region) go through the cloud's service-event publisher, with the id and time S3 gave them.
"""

from __future__ import annotations

import calendar
import json
import logging
import time
from types import SimpleNamespace

from overcast.context import RequestContext
from overcast.errors import AwsError

from .notification_destinations import S3_SERVICE, function_lets_s3, policy_lets_s3

log = logging.getLogger("overcast.s3.notifications")

TIMER_KIND = "s3.notification"
SUBJECT = "Amazon S3 Notification"


def schedule_delivery(cloud, destination: str, message: dict, bucket) -> None:
    """Queue ``message`` for ``destination`` (durably; sent once the event loop gets to it)."""
    if destination.split(":")[2:3] == ["events"]:
        publish_to_eventbridge(cloud, message)
        return
    payload = {"destination": destination, "message": message,
               "bucket": {"name": bucket.name, "partition": bucket.partition, "account": bucket.account}}
    cloud.scheduler.schedule(cloud.clock.now(), TIMER_KIND, payload)


def publish_to_eventbridge(cloud, event: dict) -> None:
    """S3's EventBridge event (``notifications.eventbridge_event``: a whole envelope) onto its
    account and region's default bus, keeping its id, time, resources and detail."""
    try:
        stamp = calendar.timegm(time.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ"))
        scope, source, detail_type = (event["account"], event["region"]), event["source"], event["detail-type"]
    except (KeyError, TypeError, ValueError):
        log.warning("S3 EventBridge notification dropped: not an event envelope: %r", event)
        return
    cloud.service_events.publish(scope, source=source, detail_type=detail_type, detail=event.get("detail") or {},
                                 resources=event.get("resources") or (), time=stamp, event_id=event.get("id"))


class NotificationSender:
    """The handler of ``s3.notification`` timers."""

    def __init__(self, provider):
        self.provider = provider
        provider.cloud.scheduler.on(TIMER_KIND, self.send)

    async def send(self, payload: dict) -> None:
        destination = payload.get("destination") or ""
        message = payload.get("message") or {}
        bucket = SimpleNamespace(**(payload.get("bucket") or {}))
        parts = destination.split(":")
        if len(parts) < 6:
            return
        service, region, account = parts[2], parts[3], parts[4]
        ctx = RequestContext(account=account, region=region, service="s3", principal_arn=S3_SERVICE,
                             registry=self.provider.cloud.services)
        body = json.dumps(message, separators=(",", ":"))
        try:
            if service == "sqs":
                await self._to_queue(ctx, destination, parts[5], body, bucket)
            elif service == "sns":
                await self._to_topic(ctx, destination, body, bucket)
            elif service == "lambda":
                await self._to_function(ctx, destination, body, bucket)
            elif service == "events":  # queued before EventBridge existed
                publish_to_eventbridge(self.provider.cloud, message)
            else:
                log.info("S3 notification for %s dropped: Overcast has no %s yet", destination, service)
        except AwsError as exc:  # the destination refused it or is gone: S3 drops the event
            log.info("S3 notification to %s dropped: %s %s", destination, exc.code, exc.message)

    async def _to_queue(self, ctx, arn: str, name: str, body: str, bucket) -> None:
        if name.endswith(".fifo"):  # S3 cannot send to FIFO queues (no message group to give)
            log.info("S3 notification to %s dropped: a FIFO queue", arn)
            return
        queue_url = f"/{ctx.account}/{name}"
        if self.provider.cloud.settings.strict:
            answer = await ctx.services.call("sqs", "GetQueueAttributes",
                                             {"QueueUrl": queue_url, "AttributeNames": ["Policy"]})
            text = (answer.get("Attributes") or {}).get("Policy")
            if not text or not policy_lets_s3(text, "sqs:SendMessage", arn, ctx.account, bucket,
                                              self.provider.clock.now()):
                log.info("S3 notification to %s dropped: the queue policy does not let S3 send", arn)
                return
        await ctx.services.call("sqs", "SendMessage", {"QueueUrl": queue_url, "MessageBody": body})

    async def _to_topic(self, ctx, arn: str, body: str, bucket) -> None:
        if self.provider.cloud.settings.strict:
            answer = await ctx.services.call("sns", "GetTopicAttributes", {"TopicArn": arn})
            text = (answer.get("Attributes") or {}).get("Policy")
            if not text or not policy_lets_s3(text, "sns:Publish", arn, ctx.account, bucket,
                                              self.provider.clock.now()):
                log.info("S3 notification to %s dropped: the topic policy does not let S3 publish", arn)
                return
        await ctx.services.call("sns", "Publish", {"TopicArn": arn, "Subject": SUBJECT, "Message": body})

    async def _to_function(self, ctx, arn: str, body: str, bucket) -> None:
        if self.provider.cloud.settings.strict and not await function_lets_s3(ctx, bucket, arn,
                                                                              self.provider.clock.now()):
            log.info("S3 notification to %s dropped: the function policy does not let S3 invoke it", arn)
            return
        await ctx.services.call("lambda", "Invoke", {"FunctionName": arn, "InvocationType": "Event",
                                                     "Payload": body.encode("utf-8")})
