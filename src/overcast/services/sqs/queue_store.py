"""Queue records and their persistence: an in-memory index, written through to SQLite.

The message path resolves a queue on every call (SendMessage at thousands per second), so
every queue lives in memory once loaded; each change is written to the ``queues`` table
before the operation returns (the durability contract) and only then applied in memory.

For the other SQS modules: ``provider.queues`` is the ``QueueStore``::

    queue = self.queues.resolve(ctx, params.get("QueueUrl"))   # QueueRecord, or QueueDoesNotExist
    queue.visibility_timeout, queue.is_fifo, queue.redrive_policy, queue.key ...
    dlq = self.queues.by_arn(queue.redrive_policy["deadLetterTargetArn"])
    url = self.queues.url_for(ctx, dlq)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from overcast.errors import AwsError
from overcast.services.sqs.attributes import CREATION_DEDUPLICATION_SCOPE, INTEGER_RANGES
from overcast.services.sqs.urls import QueueAddress, parse_queue_url, queue_arn, queue_url
from overcast.storage.scope import Scope

if TYPE_CHECKING:
    from overcast.context import RequestContext

_URL_CACHE_LIMIT = 10_000


@dataclass(eq=False)
class QueueRecord:
    """One queue: identity, stored attributes (strings, as the API shows them) and typed views.

    ``attributes`` holds the settable attributes in their stored form; the typed fields below
    are derived from it by ``refresh()`` (called on every change), so readers on the hot path
    pay no parsing. ``key`` is the internal integer key child rows refer to.
    """

    account: str
    region: str
    name: str
    key: int
    created: float
    modified: float
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    purged_at: float | None = None
    deleted: bool = False  # set once DeleteQueue removed it (holders of a stale reference can check)

    arn: str = field(init=False, default="")
    is_fifo: bool = field(init=False, default=False)
    delay_seconds: int = field(init=False, default=0)
    visibility_timeout: int = field(init=False, default=30)
    maximum_message_size: int = field(init=False, default=1_048_576)
    message_retention_period: int = field(init=False, default=345_600)
    receive_wait_time_seconds: int = field(init=False, default=0)
    content_based_deduplication: bool = field(init=False, default=False)
    deduplication_scope: str = field(init=False, default="queue")
    # The scope deduplication actually uses: the one the queue was created with (see attributes.py).
    deduplication_scope_in_force: str = field(init=False, default="queue")
    fifo_throughput_limit: str = field(init=False, default="perQueue")
    redrive_policy: dict | None = field(init=False, default=None)
    redrive_allow_policy: dict | None = field(init=False, default=None)
    policy: dict | None = field(init=False, default=None)
    kms_master_key_id: str | None = field(init=False, default=None)
    kms_data_key_reuse_period_seconds: int = field(init=False, default=300)
    sqs_managed_sse_enabled: bool = field(init=False, default=True)
    # How AWS/SQS metrics key this queue (built once: counting on the hot path allocates nothing).
    metric_scope: Scope = field(init=False, default=None)
    metric_dimensions: tuple = field(init=False, default=())

    def __post_init__(self) -> None:
        self.arn = queue_arn(self.region, self.account, self.name)
        self.metric_scope = Scope(self.account, self.region)
        self.metric_dimensions = (("QueueName", self.name),)
        self.refresh()

    def refresh(self) -> None:
        """Recompute the typed views from ``attributes``."""
        attrs = self.attributes
        self.is_fifo = attrs.get("FifoQueue") == "true"
        self.delay_seconds = self._int("DelaySeconds")
        self.visibility_timeout = self._int("VisibilityTimeout")
        self.maximum_message_size = self._int("MaximumMessageSize")
        self.message_retention_period = self._int("MessageRetentionPeriod")
        self.receive_wait_time_seconds = self._int("ReceiveMessageWaitTimeSeconds")
        self.kms_data_key_reuse_period_seconds = self._int("KmsDataKeyReusePeriodSeconds")
        self.content_based_deduplication = attrs.get("ContentBasedDeduplication") == "true"
        self.deduplication_scope = attrs.get("DeduplicationScope", "queue")
        self.deduplication_scope_in_force = attrs.get(CREATION_DEDUPLICATION_SCOPE) or self.deduplication_scope
        self.fifo_throughput_limit = attrs.get("FifoThroughputLimit", "perQueue")
        self.sqs_managed_sse_enabled = attrs.get("SqsManagedSseEnabled", "true") == "true"
        self.kms_master_key_id = attrs.get("KmsMasterKeyId") or None
        self.redrive_policy = _json_or_none(attrs.get("RedrivePolicy"))
        self.redrive_allow_policy = _json_or_none(attrs.get("RedriveAllowPolicy"))
        self.policy = _json_or_none(attrs.get("Policy"))

    def _int(self, name: str) -> int:
        value = self.attributes.get(name)
        return int(value) if value else INTEGER_RANGES[name][2]

    @property
    def scope(self) -> tuple[str, str]:
        return (self.account, self.region)

    @property
    def dead_letter_target_arn(self) -> str | None:
        return self.redrive_policy["deadLetterTargetArn"] if self.redrive_policy else None

    @property
    def max_receive_count(self) -> int | None:
        return self.redrive_policy["maxReceiveCount"] if self.redrive_policy else None


def _json_or_none(text: str | None):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def queue_does_not_exist() -> AwsError:
    """SQS's answer for a queue URL or name that names no queue."""
    return AwsError("QueueDoesNotExist", "The specified queue does not exist.")


class QueueStore:
    """Every queue of the cloud, indexed in memory, persisted in the SQS database."""

    def __init__(self, provider):
        self._provider = provider
        self._by_name: dict[tuple[str, str, str], QueueRecord] | None = None
        self._by_arn: dict[str, QueueRecord] = {}
        self._by_key: dict[int, QueueRecord] = {}
        self._paths: dict[str, QueueAddress] = {}

    @property
    def db(self):
        return self._provider.db

    # -- loading ---------------------------------------------------------------------------

    def _index(self) -> dict[tuple[str, str, str], QueueRecord]:
        index = self._by_name
        if index is None:
            index = {}
            rows = self.db.query(
                "SELECT account, region, name, queue_key, created, modified, attributes, tags, purged_at "
                "FROM queues"
            )
            self._by_arn.clear()
            self._by_key.clear()
            for account, region, name, key, created, modified, attributes, tags, purged_at in rows:
                record = QueueRecord(account, region, name, int(key), created, modified,
                                     json.loads(attributes), json.loads(tags), purged_at)
                self._remember(index, record)
            self._by_name = index
        return index

    def _remember(self, index: dict, record: QueueRecord) -> None:
        index[(record.account, record.region, record.name)] = record
        self._by_arn[record.arn] = record
        self._by_key[record.key] = record

    def reset(self) -> None:
        """Forget the in-memory index (the database is being wiped); reloads on next use."""
        self._by_name = None
        self._by_arn.clear()
        self._by_key.clear()
        self._paths.clear()

    # -- lookups ---------------------------------------------------------------------------

    def resolve(self, ctx: "RequestContext", url: str | None) -> QueueRecord:
        """The queue a QueueUrl names (any URL form SDKs send, or a bare queue name) in the
        endpoint's region: a URL naming another region names no queue here, as a regional
        AWS endpoint knows only its own queues."""
        if url is None or url == "":
            raise AwsError("MissingParameter", "The request must contain the parameter QueueUrl.")
        address = self._paths.get(url)
        if address is None:
            address = parse_queue_url(url)
            if address is None:
                raise AwsError("InvalidAddress", f"The address {url} is not valid for this endpoint.")
            if len(self._paths) >= _URL_CACHE_LIMIT:
                self._paths.clear()
            self._paths[url] = address
        if address.region is not None and address.region != ctx.region:
            raise queue_does_not_exist()
        record = self._index().get((address.account or ctx.account, ctx.region, address.name))
        if record is None:
            raise queue_does_not_exist()
        return record

    def find(self, account: str, region: str, name: str) -> QueueRecord | None:
        """The queue ``name`` of ``account`` in ``region``, or None."""
        return self._index().get((account, region, name))

    def by_arn(self, arn: str) -> QueueRecord | None:
        """The queue with this ARN, or None."""
        self._index()
        return self._by_arn.get(arn)

    def by_key(self, key: int) -> QueueRecord | None:
        """The queue with this internal key, or None."""
        self._index()
        return self._by_key.get(key)

    def url_for(self, ctx: "RequestContext", record: QueueRecord) -> str:
        """The queue's URL as seen by this request (built from its Host)."""
        return queue_url(ctx.host, record.region, record.account, record.name, ctx.secure)

    def all(self) -> Iterator[QueueRecord]:
        """Every queue of every account and region (for start-up work)."""
        return iter(list(self._index().values()))

    def in_scope(self, account: str, region: str, prefix: str = "") -> list[QueueRecord]:
        """The queues of ``account`` in ``region`` whose names start with ``prefix``, by name."""
        found = [
            record for (acc, reg, name), record in self._index().items()
            if acc == account and reg == region and name.startswith(prefix)
        ]
        found.sort(key=lambda record: record.name)
        return found

    def dead_letter_sources(self, dlq: QueueRecord) -> list[QueueRecord]:
        """The queues whose RedrivePolicy targets ``dlq``, by name."""
        found = [record for record in self._index().values() if record.dead_letter_target_arn == dlq.arn]
        found.sort(key=lambda record: record.name)
        return found

    # -- changes (committed before they are applied in memory) -------------------------------

    def create(self, account: str, region: str, name: str, attributes: dict[str, str],
               tags: dict[str, str], now: float) -> QueueRecord:
        """Store a new queue and return its record."""
        index = self._index()
        if attributes.get("FifoQueue") == "true":
            attributes = {**attributes, CREATION_DEDUPLICATION_SCOPE: attributes.get("DeduplicationScope", "queue")}
        with self.db.transaction():
            row = self.db.query_one(
                "INSERT INTO queue_counters (name, value) VALUES ('queue', 1) "
                "ON CONFLICT (name) DO UPDATE SET value = queue_counters.value + 1 RETURNING value"
            )
            key = int(row[0])
            self.db.execute(
                "INSERT INTO queues (account, region, name, queue_key, created, modified, attributes, tags, "
                "purged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (account, region, name, key, now, now, _dump(attributes), _dump(tags)),
            )
        record = QueueRecord(account, region, name, key, now, now, dict(attributes), dict(tags))
        self._remember(index, record)
        return record

    def update_attributes(self, record: QueueRecord, attributes: dict[str, str], now: float) -> None:
        """Replace the queue's stored attributes (LastModifiedTimestamp moves to ``now``)."""
        self.db.execute(
            "UPDATE queues SET attributes = ?, modified = ? WHERE queue_key = ?",
            (_dump(attributes), now, record.key),
        )
        record.attributes = dict(attributes)
        record.modified = now
        record.refresh()

    def update_tags(self, record: QueueRecord, tags: dict[str, str]) -> None:
        """Replace the queue's tags."""
        self.db.execute("UPDATE queues SET tags = ? WHERE queue_key = ?", (_dump(tags), record.key))
        record.tags = dict(tags)

    def mark_purged(self, record: QueueRecord, now: float) -> None:
        """Remember when the queue was last purged (one purge per 60 seconds)."""
        self.db.execute("UPDATE queues SET purged_at = ? WHERE queue_key = ?", (now, record.key))
        record.purged_at = now

    def delete(self, record: QueueRecord) -> None:
        """Remove the queue; its name is free again at once."""
        index = self._index()
        self.db.execute("DELETE FROM queues WHERE queue_key = ?", (record.key,))
        record.deleted = True
        index.pop((record.account, record.region, record.name), None)
        if self._by_arn.get(record.arn) is record:
            del self._by_arn[record.arn]
        self._by_key.pop(record.key, None)


def _dump(value: dict) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
