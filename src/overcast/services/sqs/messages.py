"""SQS message operations: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
ChangeMessageVisibility(Batch).

Each operation checks its parameters the way SQS does, then hands the work to the message
engine (``engine.py``, ``self.engine``), which commits before anything is answered.
"""

from __future__ import annotations

import asyncio

from overcast.errors import AwsError
from overcast.services.sqs.batches import answer, check_batch, check_batch_size, check_fifo_batch, failure
from overcast.services.sqs.encryption import MessageSealing
from overcast.services.sqs.engine import MAX_VISIBILITY, MessageEngine
from overcast.services.sqs.fifo import sequence_number
from overcast.services.sqs.message_validation import check_fifo_id, invalid_parameter, missing_parameter
from overcast.services.sqs.message_view import AttributeSelection, message_view, system_selection
from overcast.services.sqs.metrics import QueueMetrics
from overcast.services.sqs.outgoing import Outgoing, payload_size, prepare

MAX_RECEIVE = 10  # MaxNumberOfMessages: 1 to 10
MAX_WAIT = 20  # WaitTimeSeconds: 0 to 20


def _sender(ctx) -> str:
    # SenderId: the IAM user id of the caller, or the account for the root user.
    return ctx.user_id or ctx.account


def _send_result(out: Outgoing, outcome, fifo: bool) -> dict:
    result = {"MessageId": outcome.message_id, "MD5OfMessageBody": out.md5_body}
    if out.md5_attributes is not None:
        result["MD5OfMessageAttributes"] = out.md5_attributes
    if out.md5_system is not None:
        result["MD5OfMessageSystemAttributes"] = out.md5_system
    if fifo:
        result["SequenceNumber"] = sequence_number(outcome.seq)
    return result


def _integer(params: dict, name: str, default: int, low: int, high: int, reason: str) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid_parameter(f"Value {value} for parameter {name} is invalid. Reason: {reason}")
    return value


def _visibility_timeout(value) -> int:
    if value is None:
        raise missing_parameter("VisibilityTimeout")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VISIBILITY:
        raise invalid_parameter(
            f"Value {value} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
        )
    return value


class MessageOperations:
    """The message operations of the SQS provider (the engine does the work)."""

    def __init__(self, cloud):
        super().__init__(cloud)
        self.engine = MessageEngine(self)
        self.sealing = MessageSealing(self)
        self.queue_metrics = QueueMetrics(self)

    async def start(self) -> None:
        await super().start()
        self.engine.load()

    def reset(self) -> None:
        super().reset()
        self.engine.reset()
        self.sealing.reset()
        self.queue_metrics.reset()

    def drain(self) -> None:
        super().drain()
        self.engine.polls.close(self.engine.loaded_states())

    # -- send ------------------------------------------------------------------------------

    async def send_message(self, ctx, params: dict) -> dict:
        queue = self.queues.resolve(ctx, params.get("QueueUrl"))
        out = prepare(queue, params, ctx.trace_id)
        seal = await self.sealing.sealer(ctx, queue)
        outcome = self.engine.send(queue, [out], _sender(ctx), seal)[0]
        self.queue_metrics.sent(queue, (out.size,))
        return _send_result(out, outcome, queue.is_fifo)

    async def send_message_batch(self, ctx, params: dict) -> dict:
        queue = self.queues.resolve(ctx, params.get("QueueUrl"))
        entries = check_batch(params.get("Entries"), "SendMessageBatchRequestEntry")
        if queue.is_fifo:
            check_fifo_batch(entries, queue.content_based_deduplication)
        ready, failed = [], []
        total = 0
        for entry in entries:
            try:
                out = prepare(queue, entry, ctx.trace_id)
                ready.append((entry["Id"], out))
                total += out.size
            except AwsError as error:
                failed.append(failure(entry["Id"], error))
                total += payload_size(entry)
        # The whole batch is refused, before any entry is sent, when the messages together
        # exceed the limit (the entries were only checked, nothing was stored yet).
        check_batch_size(total)
        successful = []
        if ready:
            seal = await self.sealing.sealer(ctx, queue)
            outcomes = self.engine.send(queue, [out for _, out in ready], _sender(ctx), seal)
            self.queue_metrics.sent(queue, [out.size for _, out in ready])
            fifo = queue.is_fifo
            for (entry_id, out), outcome in zip(ready, outcomes):
                result = _send_result(out, outcome, fifo)
                result["Id"] = entry_id
                successful.append(result)
        return answer(successful, failed, omit_empty_failed=True)

    # -- receive ---------------------------------------------------------------------------

    async def receive_message(self, ctx, params: dict) -> dict:
        queue = self.queues.resolve(ctx, params.get("QueueUrl"))
        limit = _integer(params, "MaxNumberOfMessages", 1, 1, MAX_RECEIVE, "Must be between 1 and 10, if provided.")
        visibility = _integer(params, "VisibilityTimeout", queue.visibility_timeout, 0, MAX_VISIBILITY,
                              "Must be >= 0 and <= 43200, if provided.")
        wait = _integer(params, "WaitTimeSeconds", queue.receive_wait_time_seconds, 0, MAX_WAIT,
                        "Must be >= 0 and <= 20, if provided.")
        attempt_id = params.get("ReceiveRequestAttemptId")
        if not queue.is_fifo:
            attempt_id = None  # it applies only to FIFO queues; standard queues ignore it
        elif attempt_id is not None:
            check_fifo_id("ReceiveRequestAttemptId", attempt_id)
        system = system_selection(params.get("AttributeNames"), params.get("MessageSystemAttributeNames"))
        selection = AttributeSelection(params.get("MessageAttributeNames"))
        engine = self.engine
        got = engine.receive(queue, limit, visibility, attempt_id)
        if not got and wait:
            got = await self._long_poll(queue, wait, limit, visibility, attempt_id)
        self.queue_metrics.received(queue, len(got))
        if not got:
            return {}
        fifo = queue.is_fifo
        got = await self.sealing.open_all(ctx, queue, got)
        return {"Messages": [message_view(received, fifo, system, selection) for received in got]}

    async def _long_poll(self, queue, wait: int, limit: int, visibility: int, attempt_id) -> list:
        """Wait up to ``wait`` seconds for messages; returns as soon as some could be taken."""
        engine = self.engine
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        qs = engine.state(queue)
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await engine.polls.wait(qs, remaining)
            if qs.dropped or queue.deleted or engine.polls.closing:
                return []
            got = engine.receive(queue, limit, visibility, attempt_id)
            if got:
                return got

    # -- delete ----------------------------------------------------------------------------

    def delete_message(self, ctx, params: dict) -> dict:
        queue = self.queues.resolve(ctx, params.get("QueueUrl"))
        handle = params.get("ReceiptHandle")
        if not handle:
            raise missing_parameter("ReceiptHandle")
        error = self.engine.delete(queue, [handle])[0]
        if error is not None:
            raise error
        self.queue_metrics.deleted(queue, 1)
        return {}

    def delete_message_batch(self, ctx, params: dict) -> dict:
        queue = self.queues.resolve(ctx, params.get("QueueUrl"))
        entries = check_batch(params.get("Entries"), "DeleteMessageBatchRequestEntry")
        failed, asked = [], []
        for index, entry in enumerate(entries, 1):
            if not entry.get("ReceiptHandle"):
                failed.append(failure(entry["Id"], missing_parameter(f"DeleteMessageBatchRequestEntry.{index}.ReceiptHandle")))
            else:
                asked.append(entry)
        results = self.engine.delete(queue, [entry["ReceiptHandle"] for entry in asked]) if asked else []
        successful = []
        for entry, error in zip(asked, results):
            if error is None:
                successful.append({"Id": entry["Id"]})
            else:
                failed.append(failure(entry["Id"], error))
        self.queue_metrics.deleted(queue, len(successful))
        return answer(successful, failed)

    # -- visibility ------------------------------------------------------------------------

    def change_message_visibility(self, ctx, params: dict) -> dict:
        queue = self.queues.resolve(ctx, params.get("QueueUrl"))
        handle = params.get("ReceiptHandle")
        if not handle:
            raise missing_parameter("ReceiptHandle")
        timeout = _visibility_timeout(params.get("VisibilityTimeout"))
        error = self.engine.change_visibility(queue, [(handle, timeout)])[0]
        if error is not None:
            raise error
        return {}

    def change_message_visibility_batch(self, ctx, params: dict) -> dict:
        queue = self.queues.resolve(ctx, params.get("QueueUrl"))
        entries = check_batch(params.get("Entries"), "ChangeMessageVisibilityBatchRequestEntry")
        failed, asked = [], []
        for index, entry in enumerate(entries, 1):
            try:
                if not entry.get("ReceiptHandle"):
                    raise missing_parameter(f"ChangeMessageVisibilityBatchRequestEntry.{index}.ReceiptHandle")
                # Left out, an entry's timeout is 0 (the model does not require it).
                timeout = _visibility_timeout(entry.get("VisibilityTimeout", 0))
                asked.append((entry, timeout))
            except AwsError as error:
                failed.append(failure(entry["Id"], error))
        results = self.engine.change_visibility(
            queue, [(entry["ReceiptHandle"], timeout) for entry, timeout in asked]
        ) if asked else []
        successful = []
        for (entry, _), error in zip(asked, results):
            if error is None:
                successful.append({"Id": entry["Id"]})
            else:
                failed.append(failure(entry["Id"], error))
        return answer(successful, failed)
