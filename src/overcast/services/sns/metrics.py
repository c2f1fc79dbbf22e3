"""SNS's CloudWatch metrics (``AWS/SNS``, dimension ``TopicName``), as AWS publishes them.

NumberOfMessagesPublished and PublishSize (bytes, as Publish counts them against the limit)
for every message a topic accepts; NumberOfNotificationsDelivered for every delivery that
succeeded; NumberOfNotificationsFailed once SNS stops trying a delivery, and for HTTP/S
endpoints also for every failed attempt (AWS counts their retries). Counted in memory
(``runtime/service_metrics.py``) and published each minute.
"""

from __future__ import annotations

from overcast.storage.scope import Scope

NAMESPACE = "AWS/SNS"
_EVERY_ATTEMPT = ("http", "https")  # protocols whose failed retries count, per AWS


class TopicMetrics:
    def __init__(self, provider):
        self.metrics = provider.cloud.service_metrics
        self._keys: dict[str, tuple] = {}  # topic ARN -> (scope, dimensions)

    def reset(self) -> None:
        self._keys.clear()

    def _key(self, topic_arn: str | None) -> tuple | None:
        key = self._keys.get(topic_arn)
        if key is None:  # arn:aws:sns:<region>:<account>:<name>; endpoints and SMS have no topic
            parts = topic_arn.split(":", 5) if topic_arn else ()
            if len(parts) != 6 or "/" in parts[5]:
                return None
            key = self._keys[topic_arn] = (Scope(parts[4], parts[3]), (("TopicName", parts[5]),))
        return key

    def published(self, topic_arn: str, size: int) -> None:
        key = self._key(topic_arn)
        if key is not None:
            self.metrics.count(key[0], NAMESPACE, "NumberOfMessagesPublished", key[1], 1.0)
            self.metrics.count(key[0], NAMESPACE, "PublishSize", key[1], float(size), "Bytes")

    def delivered(self, topic_arn: str | None) -> None:
        key = self._key(topic_arn)
        if key is not None:
            self.metrics.count(key[0], NAMESPACE, "NumberOfNotificationsDelivered", key[1], 1.0)

    def failed(self, topic_arn: str | None, protocol: str, gave_up: bool) -> None:
        """A failed delivery attempt (``gave_up``: SNS stops trying it)."""
        key = self._key(topic_arn) if gave_up or protocol in _EVERY_ATTEMPT else None
        if key is not None:
            self.metrics.count(key[0], NAMESPACE, "NumberOfNotificationsFailed", key[1], 1.0)
