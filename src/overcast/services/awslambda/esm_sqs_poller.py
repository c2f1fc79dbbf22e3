"""The pollers of SQS event source mappings (esm): for each enabled mapping, a few tasks on
the event loop receive from the queue through the in-process SQS client, invoke the function
synchronously (``invoke_sync``) with AWS's SQS event, and delete what it processed.

As Lambda does with SQS ("Using Lambda with Amazon SQS"): a batch is up to BatchSize messages
gathered for at most MaximumBatchingWindowInSeconds (and under the 6 MB payload limit of a
synchronous invocation); messages no FilterCriteria pattern matches are deleted without an
invocation; a function error (or throttling) leaves the whole batch to the queue, where the
visibility timeout brings it back and the redrive policy moves it to a dead-letter queue;
with ReportBatchItemFailures only the messages the function names in ``batchItemFailures``
stay (an invalid answer fails the whole batch). ScalingConfig.MaximumConcurrency caps how
many batches of a mapping run at once (Overcast starts that many pollers, five by default and
at most ``_MAX_POLLERS``, where AWS scales its pollers up to 1,250 invocations); the pollers
take turns filling a batch, so a batch holds what the queue had, up to BatchSize, and the
invocations run side by side.
"""

from __future__ import annotations

import asyncio
import json
import logging

from overcast.errors import AwsError
from overcast.services.awslambda.esm_role import MappingRoles
from overcast.services.awslambda.esm_sqs_event import event_payload, filter_document, sqs_record
from overcast.services.events.event_patterns import compile_event_pattern
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.lambda.esm")

_DEFAULT_POLLERS = 5  # AWS starts five pollers for an SQS mapping
_MAX_POLLERS = 20  # a local machine's bound; MaximumConcurrency above it still means "up to 20"
_PAYLOAD_LIMIT = 6 * 1024 * 1024 - 64 * 1024  # 6 MB synchronous payload, less room for the envelope
_LONG_POLL = 20  # seconds, the longest ReceiveMessage wait SQS allows
_BACKOFF = 1.0  # seconds after a failed receive or a throttled invocation


class SqsMappingPollers:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._esm_tasks: dict[str, list[asyncio.Task]] = {}
        self._esm_roles = MappingRoles(self)
        self._esm_running = False

    async def start(self) -> None:
        await super().start()
        self._esm_running = True
        for row in self.db.query("SELECT uuid, account, region FROM event_source_mappings WHERE state = 'Enabled'"):
            mapping = self._esm_row(Scope(row[1], row[2]), row[0])
            if mapping is not None:
                self._esm_restart_pollers(mapping)

    async def stop(self) -> None:
        self._esm_running = False
        tasks = [task for tasks in self._esm_tasks.values() for task in tasks]
        self._esm_tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await super().stop()

    def reset(self) -> None:
        for mapping_id in list(self._esm_tasks):
            self._esm_stop_pollers(mapping_id)
        self._esm_roles.clear()
        super().reset()

    # ------------------------------------------------------------------ lifecycle
    def _esm_restart_pollers(self, mapping: dict) -> None:
        """(Re)start the pollers of ``mapping`` as it now stands (none when disabled)."""
        self._esm_stop_pollers(mapping["uuid"])
        if mapping["state"] != "Enabled" or not self._esm_running:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        maximum = (mapping["config"].get("ScalingConfig") or {}).get("MaximumConcurrency")
        count = min(maximum or _DEFAULT_POLLERS, _MAX_POLLERS)
        gathering = asyncio.Lock()  # one poller fills a batch at a time: batches fill as AWS's do
        self._esm_tasks[mapping["uuid"]] = [loop.create_task(self._esm_poll(mapping, gathering))
                                            for _ in range(count)]

    def _esm_stop_pollers(self, mapping_id: str) -> None:
        # a batch cut short returns to the queue when its visibility timeout ends: nothing is lost
        for task in self._esm_tasks.pop(mapping_id, ()):
            task.cancel()

    # ------------------------------------------------------------------ one poller
    async def _esm_poll(self, mapping: dict, gathering: asyncio.Lock) -> None:
        region, account, name = mapping["event_source_arn"].split(":", 5)[3:6]
        queue = {"url": f"/{account}/{name}", "account": account, "arn": mapping["event_source_arn"],
                 "region": region}
        patterns = [compile_event_pattern(f["Pattern"])
                    for f in (mapping["config"].get("FilterCriteria") or {}).get("Filters", ())]
        scope = Scope(mapping["account"], mapping["region"])
        while True:
            try:
                # the function as it stands now (a deleted one: nothing is received meanwhile)
                fv = self.resolve_function(scope, mapping["function_arn"])
                ctx = self._esm_roles.context(mapping["account"], region, fv.config.get("Role") or "", fv.name)
                async with gathering:
                    messages = await self._esm_gather(ctx, queue, mapping["config"])
                if messages:  # invoked outside the lock: up to the pollers' number at once
                    await self._esm_process(ctx, queue, mapping, patterns, messages, fv)
            except asyncio.CancelledError:
                raise
            except AwsError as exc:
                log.debug("event source mapping %s: %s %s", mapping["uuid"], exc.code, exc.message)
                await asyncio.sleep(_BACKOFF)
            except Exception:  # noqa: BLE001 - a poller outlives one bad batch; the messages stay queued
                log.exception("event source mapping %s failed a batch", mapping["uuid"])
                await asyncio.sleep(_BACKOFF)

    async def _esm_gather(self, ctx, queue: dict, config: dict) -> list[dict]:
        """One batch: up to BatchSize messages within the batching window."""
        batch_size = config["BatchSize"]
        window = config.get("MaximumBatchingWindowInSeconds") or 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + window
        messages: list[dict] = []
        size = 0
        while len(messages) < batch_size and size < _PAYLOAD_LIMIT:
            if messages:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                wait = min(_LONG_POLL, max(1, int(remaining)))
            else:
                wait = _LONG_POLL
            answer = await ctx.services.call("sqs", "ReceiveMessage", {
                "QueueUrl": queue["url"], "MaxNumberOfMessages": min(10, batch_size - len(messages)),
                "WaitTimeSeconds": wait, "MessageSystemAttributeNames": ["All"],
                "MessageAttributeNames": ["All"]}, account=queue["account"], authorize=self.cloud.settings.strict)
            got = answer.get("Messages") or []
            messages.extend(got)
            size += sum(len(m.get("Body", "")) for m in got)
            if not window and messages:
                break  # no batching window: invoke with what the first receive brought
            if not got and messages:
                break
        return messages

    async def _esm_process(self, ctx, queue: dict, mapping: dict, patterns: list, messages: list[dict],
                           fv) -> None:
        records = [sqs_record(message, queue["arn"], queue["region"]) for message in messages]
        if patterns:
            kept = [r for r in records if any(p.matches(filter_document(r)) for p in patterns)]
            dropped = [r for r in records if r not in kept]
            if dropped:  # Lambda deletes what no filter matches
                await self._esm_delete(ctx, queue, dropped)
            records = kept
        if not records:
            return
        scope = Scope(mapping["account"], mapping["region"])
        try:
            result = await self.invoke_sync(scope, fv, event_payload(records))
        except AwsError as exc:
            if exc.code == "TooManyRequestsException":
                await asyncio.sleep(_BACKOFF)  # the batch returns to the queue; retried later
                return
            raise
        if result.function_error:
            return  # the whole batch goes back to the queue after its visibility timeout
        failed = _reported_failures(result.payload, records) \
            if "ReportBatchItemFailures" in mapping["config"].get("FunctionResponseTypes", ()) else set()
        if failed is None:
            return  # an invalid answer fails the whole batch
        await self._esm_delete(ctx, queue, [r for r in records if r["messageId"] not in failed])

    async def _esm_delete(self, ctx, queue: dict, records: list[dict]) -> None:
        for start in range(0, len(records), 10):
            entries = [{"Id": str(index), "ReceiptHandle": record["receiptHandle"]}
                       for index, record in enumerate(records[start:start + 10])]
            await ctx.services.call("sqs", "DeleteMessageBatch", {"QueueUrl": queue["url"], "Entries": entries},
                                    account=queue["account"], authorize=self.cloud.settings.strict)


def _reported_failures(payload: bytes, records: list[dict]) -> set[str] | None:
    """The message ids the function reported failed, None when its answer fails the batch
    (Lambda: invalid JSON, an empty or null itemIdentifier, or one naming no message of the
    batch; an empty or null answer or list is a complete success)."""
    text = (payload or b"").strip()
    if not text or text == b"null":
        return set()
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return set()
    items = answer.get("batchItemFailures")
    if items is None:
        return set()
    if not isinstance(items, list):
        return None
    ids = {record["messageId"] for record in records}
    failed = set()
    for item in items:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or identifier not in ids:
            return None
        failed.add(identifier)
    return failed
