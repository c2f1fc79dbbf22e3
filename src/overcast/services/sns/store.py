"""Topics and subscriptions: an in-memory index, written through to SNS's database.

Publish resolves a topic and its subscriptions on every call, so both live in memory once
loaded; each change is written to SQLite before the operation returns (the durability
contract) and only then applied in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from overcast.storage.scope import partition_of


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition_of(region)}:sns:{region}:{account}:{name}"


@dataclass(eq=False)
class TopicRecord:
    arn: str
    account: str
    region: str
    name: str
    created: float
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    data_protection_policy: str | None = None

    @property
    def is_fifo(self) -> bool:
        return self.attributes.get("FifoTopic") == "true"

    @property
    def content_based_deduplication(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"


@dataclass(eq=False)
class SubscriptionRecord:
    arn: str
    topic_arn: str
    owner: str
    protocol: str
    endpoint: str
    confirmed: bool
    token: str | None
    created: float
    attributes: dict[str, str]
    # compiled filter policy (filter_policy.FilterPolicy) or None, kept beside the text
    filter: object | None = field(default=None, repr=False)

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery") == "true"

    @property
    def redrive_policy(self) -> dict | None:
        text = self.attributes.get("RedrivePolicy")
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    @property
    def region(self) -> str:
        return self.topic_arn.split(":")[3]

    @property
    def account(self) -> str:
        """The topic's account (the subscription lives with its topic)."""
        return self.topic_arn.split(":")[4]


class SnsStore:
    """Every topic and subscription of the cloud, indexed in memory, persisted in SQLite."""

    def __init__(self, provider):
        self._provider = provider
        self._topics: dict[str, TopicRecord] | None = None
        self._subscriptions: dict[str, SubscriptionRecord] = {}
        self._by_topic: dict[str, list[SubscriptionRecord]] = {}
        self._counters: dict[str, list[int]] = {}  # topic arn -> [sequence, deleted subscriptions]
        self._fifo_topics = 0  # how many FIFO topics exist (the delivery worker asks every batch)

    @property
    def db(self):
        return self._provider.db

    def reset(self) -> None:
        self._topics = None
        self._subscriptions = {}
        self._by_topic = {}
        self._counters = {}
        self._fifo_topics = 0

    @property
    def has_fifo_topics(self) -> bool:
        self._index()
        return self._fifo_topics > 0

    # -- loading ---------------------------------------------------------------------------

    def _index(self) -> dict[str, TopicRecord]:
        if self._topics is None:
            topics: dict[str, TopicRecord] = {}
            for arn, account, region, name, created, attributes, tags, dpp in self.db.query(
                    "SELECT arn, account, region, name, created, attributes, tags, data_protection_policy FROM topics"):
                topics[arn] = TopicRecord(arn, account, region, name, created, json.loads(attributes),
                                          json.loads(tags), dpp)
            subscriptions: dict[str, SubscriptionRecord] = {}
            by_topic: dict[str, list[SubscriptionRecord]] = {}
            for row in self.db.query(
                    "SELECT arn, topic_arn, owner, protocol, endpoint, confirmed, token, created, attributes "
                    "FROM subscriptions ORDER BY created, arn"):
                record = SubscriptionRecord(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], row[7],
                                            json.loads(row[8]))
                self._provider.compile_filter(record)
                subscriptions[record.arn] = record
                by_topic.setdefault(record.topic_arn, []).append(record)
            counters = {arn: [seq, deleted] for arn, seq, deleted in
                        self.db.query("SELECT topic_arn, sequence, deleted_subscriptions FROM topic_counters")}
            self._subscriptions, self._by_topic, self._counters = subscriptions, by_topic, counters
            self._fifo_topics = sum(1 for t in topics.values() if t.is_fifo)
            self._topics = topics
        return self._topics

    # -- topics ----------------------------------------------------------------------------

    def topic(self, arn: str) -> TopicRecord | None:
        return self._index().get(arn)

    def topics(self, account: str, region: str) -> list[TopicRecord]:
        """The topics of one account and region, in ARN order (ListTopics pages by it)."""
        return sorted((t for t in self._index().values() if t.account == account and t.region == region),
                      key=lambda t: t.arn)

    def put_topic(self, topic: TopicRecord) -> None:
        """Insert or replace ``topic`` (durably, then in memory)."""
        self._index()
        self.db.execute(
            "INSERT OR REPLACE INTO topics (arn, account, region, name, created, attributes, tags, "
            "data_protection_policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (topic.arn, topic.account, topic.region, topic.name, topic.created, json.dumps(topic.attributes),
             json.dumps(topic.tags), topic.data_protection_policy))
        known = self._topics.get(topic.arn)
        self._fifo_topics += int(topic.is_fifo) - int(known is not None and known.is_fifo)
        self._topics[topic.arn] = topic

    def delete_topic(self, topic: TopicRecord) -> list[SubscriptionRecord]:
        """Remove the topic and its subscriptions; returns the subscriptions removed."""
        self._index()
        with self.db.transaction():
            self.db.execute("DELETE FROM topics WHERE arn = ?", (topic.arn,))
            self.db.execute("DELETE FROM subscriptions WHERE topic_arn = ?", (topic.arn,))
            self.db.execute("DELETE FROM topic_counters WHERE topic_arn = ?", (topic.arn,))
        if self._topics.pop(topic.arn, None) is not None and topic.is_fifo:
            self._fifo_topics -= 1
        self._counters.pop(topic.arn, None)
        removed = self._by_topic.pop(topic.arn, [])
        for sub in removed:
            self._subscriptions.pop(sub.arn, None)
        return removed

    def next_sequence(self, topic: TopicRecord, count: int = 1) -> int:
        """Reserve ``count`` sequence numbers of a FIFO topic; returns the first."""
        self._index()
        counter = self._counters.setdefault(topic.arn, [0, 0])
        first = counter[0] + 1
        counter[0] += count
        self._save_counter(topic.arn, counter)
        return first

    def deleted_subscriptions(self, topic_arn: str) -> int:
        self._index()
        return self._counters.get(topic_arn, [0, 0])[1]

    def _save_counter(self, arn: str, counter: list[int]) -> None:
        self.db.execute("INSERT OR REPLACE INTO topic_counters (topic_arn, sequence, deleted_subscriptions) "
                        "VALUES (?, ?, ?)", (arn, counter[0], counter[1]))

    # -- subscriptions ---------------------------------------------------------------------

    def subscription(self, arn: str) -> SubscriptionRecord | None:
        self._index()
        return self._subscriptions.get(arn)

    def subscriptions_of(self, topic_arn: str) -> list[SubscriptionRecord]:
        self._index()
        return self._by_topic.get(topic_arn, [])

    def all_subscriptions(self, account: str, region: str) -> list[SubscriptionRecord]:
        """Subscriptions owned by ``account`` in ``region``, in creation order."""
        self._index()
        return [s for s in self._subscriptions.values() if s.owner == account and s.region == region]

    def find_subscription(self, topic_arn: str, protocol: str, endpoint: str) -> SubscriptionRecord | None:
        for sub in self.subscriptions_of(topic_arn):
            if sub.protocol == protocol and sub.endpoint == endpoint:
                return sub
        return None

    def put_subscription(self, sub: SubscriptionRecord) -> None:
        """Insert or replace ``sub`` (durably, then in memory)."""
        self._index()
        self.db.execute(
            "INSERT OR REPLACE INTO subscriptions (arn, topic_arn, owner, protocol, endpoint, confirmed, token, "
            "created, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (sub.arn, sub.topic_arn, sub.owner, sub.protocol, sub.endpoint, int(sub.confirmed), sub.token,
             sub.created, json.dumps(sub.attributes)))
        known = self._subscriptions.get(sub.arn)
        self._subscriptions[sub.arn] = sub
        siblings = self._by_topic.setdefault(sub.topic_arn, [])
        if known is not None:
            siblings[:] = [sub if s.arn == sub.arn else s for s in siblings]
        else:
            siblings.append(sub)

    def delete_subscription(self, sub: SubscriptionRecord) -> None:
        self._index()
        with self.db.transaction():
            self.db.execute("DELETE FROM subscriptions WHERE arn = ?", (sub.arn,))
            if sub.topic_arn in self._topics:
                counter = self._counters.setdefault(sub.topic_arn, [0, 0])
                counter[1] += 1
                self._save_counter(sub.topic_arn, counter)
        self._subscriptions.pop(sub.arn, None)
        siblings = self._by_topic.get(sub.topic_arn)
        if siblings is not None:
            siblings[:] = [s for s in siblings if s.arn != sub.arn]
