"""X-Ray tracing of published messages: the trace header SNS hands on with every delivery,
and the segment a topic with active tracing records.

A Publish or PublishBatch carrying ``X-Amzn-Trace-Id`` keeps it with the message (so it
survives the durable delivery queue); each delivery carries it on: SQS gets it as the
message's ``AWSTraceHeader`` system attribute, HTTP/S endpoints as the ``X-Amzn-Trace-Id``
header. A topic's ``TracingConfig`` decides the rest, as AWS documents it:

- ``PassThrough`` (the default): the header goes on as it came.
- ``Active``: for a sampled trace (``Sampled=1``) SNS also records its own segment (origin
  ``AWS::SNS``) in the topic owner's account, child of the publisher's subsegment, and the
  header handed on names that segment as ``Parent``, so the subscribers' segments hang under
  the topic in the service map; each delivery adds a subsegment to it (an ``aws`` call for
  SQS, a ``remote`` one for HTTP/S), from the Publish to the delivery (or to the last failed
  retry), so the map has an edge from the topic to each subscriber. The segment is stored after the call answers, never in its
  way. In strict mode, as on AWS, SNS may send it only when one of the account's X-Ray
  resource policies lets ``sns.amazonaws.com`` call ``xray:PutTraceSegments`` for the topic
  (aws:SourceArn, aws:SourceAccount); otherwise the segment is dropped and the header still
  goes on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from urllib.parse import urlsplit

from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate
from overcast.auth.policy.model import AuthzRequest, PolicySet, Principal
from overcast.services.xray.propagation import parse_trace_header

log = logging.getLogger("overcast.sns.tracing")

ACTIVE = "Active"
# the service a delivery by protocol reaches, as its subsegment names it
_PROTOCOL_SERVICES = {"lambda": "Lambda", "firehose": "Firehose", "email": "Email", "email-json": "Email",
                      "sms": "SMS", "application": "MobilePush"}
SEGMENT_ORIGIN = "AWS::SNS"


def with_parent(header: str, parent: str) -> str:
    """``header`` with its Parent field set to ``parent`` (the other fields kept, in order)."""
    parts, replaced = [], False
    for part in header.split(";"):
        if part.partition("=")[0].strip() == "Parent":
            parts.append(f"Parent={parent}")
            replaced = True
        else:
            parts.append(part)
    if not replaced:
        parts.insert(1, f"Parent={parent}")
    return ";".join(parts)


class TopicTracer:
    """What Publish calls for a message that came with a trace header."""

    def __init__(self, provider):
        self.provider = provider
        # (account, region, topic ARN) -> segment documents
        self._pending: dict[tuple[str, str, str], list[str]] = {}
        self._scheduled = False
        self._sending: set[asyncio.Task] = set()

    def trace(self, ctx, topic, message, started: float) -> None:
        """Set the header ``message``'s deliveries carry; record SNS's segment when the topic
        traces actively and the trace is sampled."""
        header = ctx.trace_id
        message.trace_header = header
        if topic.attributes.get("TracingConfig") != ACTIVE or "Sampled=1" not in header:
            return
        fields = parse_trace_header(header)
        if fields.get("Sampled") != "1" or not fields.get("Root"):
            return
        segment_id = os.urandom(8).hex()
        doc = {"trace_id": fields["Root"], "id": segment_id, "name": topic.name, "origin": SEGMENT_ORIGIN,
               "start_time": started, "end_time": self.provider.clock.now(),
               "http": {"response": {"status": 200}},
               "aws": {"operation": ctx.operation or "Publish", "region": topic.region, "account_id": topic.account,
                       "request_id": ctx.request_id, "topic_arn": topic.arn, "message_id": message.message_id}}
        if fields.get("Parent"):
            doc["parent_id"] = fields["Parent"]
        self._record((topic.account, topic.region, topic.arn), json.dumps(doc, separators=(",", ":")))
        message.trace_header = with_parent(header, segment_id)
        message.trace_segment, message.trace_started = segment_id, started

    def delivered(self, sub, message, failed: bool) -> None:
        """Add to SNS's segment of ``message`` the subsegment of its delivery to ``sub`` (from
        the Publish to the delivery, or to the end of its retries): the service map shows an
        edge from the topic to each subscriber."""
        root = parse_trace_header(message.trace_header or "").get("Root")
        if not root:
            return
        parts = message.topic_arn.split(":")
        doc = {"type": "subsegment", "trace_id": root, "parent_id": message.trace_segment,
               "id": os.urandom(8).hex(), "start_time": message.trace_started, "end_time": self.provider.clock.now()}
        queue = sub.endpoint.split(":")
        if sub.protocol == "sqs" and len(queue) == 6:
            doc.update(name="SQS", namespace="aws", aws={
                "operation": "SendMessage", "region": queue[3], "account_id": queue[4],
                "queue_url": f"https://sqs.{queue[3]}.amazonaws.com/{queue[4]}/{queue[5]}"})
        elif sub.protocol in ("http", "https"):
            doc.update(name=_host(sub.endpoint), namespace="remote",
                       http={"request": {"method": "POST", "url": sub.endpoint}})
        else:
            doc.update(name=_PROTOCOL_SERVICES.get(sub.protocol, "SNS"), namespace="aws",
                       aws={"operation": "Deliver", "protocol": sub.protocol})
        if failed:
            doc["fault"] = True
        self._record((parts[4], parts[3], message.topic_arn), json.dumps(doc, separators=(",", ":")))

    def _record(self, key: tuple[str, str, str], doc: str) -> None:
        self._pending.setdefault(key, []).append(doc)
        if not self._scheduled:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not serving (a call made outside the server): nowhere to send it
                self._pending.clear()
                return
            self._scheduled = True
            loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        pending, self._pending = self._pending, {}
        for key, docs in pending.items():
            task = asyncio.get_running_loop().create_task(self._send(*key, docs))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, account: str, region: str, topic_arn: str, docs: list[str]) -> None:
        from overcast.services.sns.sqs_delivery import SNS_SERVICE, sns_context

        ctx = sns_context(self.provider, account, region)
        try:
            if self.provider.cloud.settings.strict and not await _xray_lets_sns_send(
                    ctx, SNS_SERVICE, topic_arn, account, self.provider.clock.now()):
                log.info("no X-Ray resource policy lets SNS send the segments of %s: dropped", topic_arn)
                return
            for start in range(0, len(docs), 50):  # a bounded call, however big the batch
                answer = await ctx.services.call("xray", "PutTraceSegments",
                                                 {"TraceSegmentDocuments": docs[start:start + 50]})
                for rejected in answer.get("UnprocessedTraceSegments") or ():
                    log.info("X-Ray refused an SNS segment: %s", rejected)
        except Exception:  # noqa: BLE001 - a trace SNS could not record must never fail a delivery
            log.exception("recording %d SNS segments failed", len(docs))

    def reset(self) -> None:
        self._pending.clear()


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:  # not a URL one can read: named as subscribed
        return url


async def _xray_lets_sns_send(ctx, service: str, topic_arn: str, account: str, now: float) -> bool:
    """Whether the account's X-Ray resource policies let SNS put the topic's segments: one
    allows and none denies."""
    answer = await ctx.services.call("xray", "ListResourcePolicies", {})
    request = AuthzRequest(Principal(arn=service, account="", kind="service", service=service),
                           "xray:PutTraceSegments", "*",
                           context={"aws:SourceArn": topic_arn, "aws:SourceAccount": account},
                           resource_account=account)
    allowed = False
    for stored in answer.get("ResourcePolicies") or ():
        try:
            policy = parse_policy(stored.get("PolicyDocument") or "", "resource", "*")
        except (PolicyDocumentError, ValueError):
            continue
        decision = evaluate(request, PolicySet(resource=policy), now=now)
        if decision.reason == "explicit_deny":
            return False
        allowed = allowed or decision.allowed
    return allowed
