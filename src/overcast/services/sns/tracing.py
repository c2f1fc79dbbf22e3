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
  the topic in the service map. The segment is stored after the call answers, never in its
  way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os

from overcast.services.xray.propagation import parse_trace_header

log = logging.getLogger("overcast.sns.tracing")

ACTIVE = "Active"
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
        self._pending: dict[tuple[str, str], list[str]] = {}  # (account, region) -> segment documents
        self._scheduled = False
        self._sending: set[asyncio.Task] = set()

    def header_to_forward(self, ctx, topic, started: float, message_id: str) -> str:
        """The header the deliveries of this message carry; records SNS's segment when the
        topic traces actively and the trace is sampled."""
        header = ctx.trace_id
        if topic.attributes.get("TracingConfig") != ACTIVE or "Sampled=1" not in header:
            return header
        fields = parse_trace_header(header)
        if fields.get("Sampled") != "1" or not fields.get("Root"):
            return header
        segment_id = os.urandom(8).hex()
        doc = {"trace_id": fields["Root"], "id": segment_id, "name": topic.name, "origin": SEGMENT_ORIGIN,
               "start_time": started, "end_time": self.provider.clock.now(),
               "http": {"response": {"status": 200}},
               "aws": {"operation": ctx.operation or "Publish", "region": topic.region, "account_id": topic.account,
                       "request_id": ctx.request_id, "topic_arn": topic.arn, "message_id": message_id}}
        if fields.get("Parent"):
            doc["parent_id"] = fields["Parent"]
        self._record(topic.account, topic.region, json.dumps(doc, separators=(",", ":")))
        return with_parent(header, segment_id)

    def _record(self, account: str, region: str, doc: str) -> None:
        self._pending.setdefault((account, region), []).append(doc)
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
        for (account, region), docs in pending.items():
            for start in range(0, len(docs), 50):  # PutTraceSegments takes 50 documents a call at most
                task = asyncio.get_running_loop().create_task(self._send(account, region, docs[start:start + 50]))
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)

    async def _send(self, account: str, region: str, docs: list[str]) -> None:
        from overcast.services.sns.sqs_delivery import sns_context

        ctx = sns_context(self.provider, account, region)
        try:
            answer = await ctx.services.call("xray", "PutTraceSegments", {"TraceSegmentDocuments": docs})
        except Exception:  # noqa: BLE001 - a trace SNS could not record must never fail a delivery
            log.exception("recording %d SNS segments failed", len(docs))
            return
        for rejected in answer.get("UnprocessedTraceSegments") or ():
            log.info("X-Ray refused an SNS segment: %s", rejected)

    def reset(self) -> None:
        self._pending.clear()
