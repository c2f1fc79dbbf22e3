"""SQS's CloudWatch metrics (``AWS/SQS``, dimension ``QueueName``), as AWS publishes them.

Counted on the operations (``runtime/service_metrics.py``: in memory, O(1)): NumberOfMessagesSent
and SentMessageSize (SendMessage / SendMessageBatch, including what SNS delivers; not the
messages redrive moves to a dead-letter queue), NumberOfMessagesReceived and
NumberOfEmptyReceives (ReceiveMessage), NumberOfMessagesDeleted (each successful delete).
Sampled each minute: ApproximateNumberOfMessagesVisible / NotVisible / Delayed and
ApproximateAgeOfOldestMessage.

AWS publishes a queue's metrics while it is active: it holds messages, or an operation used
it within the last six hours; a quiet empty queue then stops appearing, here as there.
"""

from __future__ import annotations

NAMESPACE = "AWS/SQS"
ACTIVE_FOR = 6 * 3600.0  # "active for up to six hours" after the last access
_COUNTED = ("NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted",
            "NumberOfEmptyReceives")


class QueueMetrics:
    """What the message operations count, and the sampler of the queues' gauges."""

    def __init__(self, provider):
        self.provider = provider
        self.metrics = provider.cloud.service_metrics
        self.clock = provider.clock
        self._active: dict[int, float] = {}  # queue key -> cloud time of its last counted use
        self.metrics.sample(NAMESPACE, self._sample)

    def reset(self) -> None:
        self._active.clear()

    def _count(self, queue, name: str, value: float, unit: str = "Count") -> None:
        self.metrics.count(queue.metric_scope, NAMESPACE, name, queue.metric_dimensions, value, unit)

    def sent(self, queue, sizes) -> None:
        """Messages a send accepted (their sizes in bytes)."""
        self._active[queue.key] = self.clock.now()
        count = self.metrics.count
        scope, dimensions = queue.metric_scope, queue.metric_dimensions
        total = 0
        for size in sizes:
            count(scope, NAMESPACE, "SentMessageSize", dimensions, float(size), "Bytes")
            total += 1
        count(scope, NAMESPACE, "NumberOfMessagesSent", dimensions, float(total))

    def received(self, queue, how_many: int) -> None:
        """A ReceiveMessage's answer: messages, or an empty receive."""
        self._active[queue.key] = self.clock.now()
        if how_many:
            self._count(queue, "NumberOfMessagesReceived", float(how_many))
        else:
            self._count(queue, "NumberOfEmptyReceives", 1.0)

    def deleted(self, queue, how_many: int) -> None:
        self._active[queue.key] = self.clock.now()
        if how_many:
            self._count(queue, "NumberOfMessagesDeleted", float(how_many))

    def _sample(self, now: float):
        engine = self.provider.engine
        active = self._active
        for queue in list(self.provider.queues.all()):
            visible, not_visible, delayed, age = engine.gauges(queue)
            if not (visible or not_visible or delayed) and active.get(queue.key, -ACTIVE_FOR) <= now - ACTIVE_FOR:
                active.pop(queue.key, None)
                continue
            scope, dimensions = queue.metric_scope, queue.metric_dimensions
            yield scope, "ApproximateNumberOfMessagesVisible", dimensions, visible, "Count"
            yield scope, "ApproximateNumberOfMessagesNotVisible", dimensions, not_visible, "Count"
            yield scope, "ApproximateNumberOfMessagesDelayed", dimensions, delayed, "Count"
            yield scope, "ApproximateAgeOfOldestMessage", dimensions, float(int(age)), "Seconds"
            for name in _COUNTED:  # 0 for an active queue unless something was counted
                yield scope, name, dimensions, None, "Count"
