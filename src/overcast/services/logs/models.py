"""The shapes the Logs concerns share: a log group's row and the ingestion listener interface
(binding between core, delivery and tail: ``logs-contract``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from itertools import repeat
from typing import NamedTuple, Protocol

from overcast.services.logs.event_ids import event_id
from overcast.storage.scope import Scope, partition_of

GROUP_COLUMNS = ("group_id, account, region, name, created_ms, retention_days, kms_key_id, log_group_class, "
                 "deletion_protection, data_protection_policy, stored_bytes")


def group_arn(scope: Scope, name: str) -> str:
    """A log group's ARN, without the trailing ``:*``."""
    return f"arn:{partition_of(scope.region)}:logs:{scope.region}:{scope.account}:log-group:{name}"


@dataclass(frozen=True)
class GroupRow:
    """One log group as stored (``log_groups``)."""

    group_id: int
    account: str
    region: str
    name: str
    created_ms: int
    retention_days: int | None
    kms_key_id: str | None
    log_group_class: str
    deletion_protection: bool
    data_protection_policy: str | None
    stored_bytes: int

    @classmethod
    def from_row(cls, row: tuple) -> "GroupRow":
        return cls(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], bool(row[8]), row[9], row[10])

    @property
    def scope(self) -> Scope:
        return Scope(self.account, self.region)

    @property
    def log_group_arn(self) -> str:
        """The group's ARN without the trailing ``:*`` (``logGroupArn``, tagging, policies)."""
        return group_arn(self.scope, self.name)

    @property
    def arn(self) -> str:
        """The ``arn`` DescribeLogGroups answers: with ``:*`` (it covers the group's streams)."""
        return self.log_group_arn + ":*"


class IngestedEvent(NamedTuple):
    """One accepted event. A tuple, so a batch's 10,000 are built in C; ``event_id`` is
    worked out when read (most listeners never read it)."""

    timestamp: int
    ingestion_time: int
    message: str
    seq: int
    group_id: int = 0
    stream_id: int = 0

    @property
    def event_id(self) -> str:
        return event_id(self.group_id, self.stream_id, self.seq, self.timestamp)


_new_event = partial(tuple.__new__, IngestedEvent)  # IngestedEvent from a 6-tuple, without Python code


class IngestedBatch:
    """One accepted PutLogEvents batch (or internal write), handed to the ingestion listeners.

    ``events``: the accepted events in stored order, built on first access only, so a
    listener with nothing to do for ``group`` costs PutLogEvents nothing per event. A listener
    that needs only the totals reads ``count`` and ``size`` (UTF-8 bytes of the messages), or
    the plain ``timestamps`` and ``messages`` lists."""

    __slots__ = ("scope", "group", "stream_name", "stream_id", "_events", "_rows", "_size")

    def __init__(self, scope: Scope, group: GroupRow, stream_name: str, stream_id: int,
                 events: list[IngestedEvent] | None = None, rows=None, size: int | None = None):
        self.scope, self.group, self.stream_name, self.stream_id = scope, group, stream_name, stream_id
        self._events = events
        # (first seq, ingestion time, timestamps, messages) as stored, when events is None
        self._rows = rows
        self._size = size

    @property
    def count(self) -> int:
        return len(self._events) if self._events is not None else len(self._rows[2])

    @property
    def size(self) -> int:
        if self._size is None:
            self._size = len("".join(self.messages).encode("utf-8", "surrogatepass"))
        return self._size

    @property
    def timestamps(self) -> list[int]:
        return [e.timestamp for e in self._events] if self._events is not None else self._rows[2]

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self._events] if self._events is not None else self._rows[3]

    @property
    def events(self) -> list[IngestedEvent]:
        if self._events is None:
            first_seq, ingested, timestamps, messages = self._rows
            count = len(timestamps)
            self._events = list(map(_new_event, zip(timestamps, repeat(ingested, count), messages,
                                                    range(first_seq, first_seq + count),
                                                    repeat(self.group.group_id, count), repeat(self.stream_id, count))))
        return self._events

    def __repr__(self) -> str:
        return f"IngestedBatch({self.group.name!r}, {self.stream_name!r}, {len(self.events)} events)"


class IngestListener(Protocol):
    """Registered with ``provider.add_ingest_listener``. A listener with nothing to do for the
    batch's group returns at once (keep a per-group cache: PutLogEvents' speed depends on it)."""

    def in_transaction(self, batch: IngestedBatch) -> None:
        """Inside PutLogEvents' transaction: durable follow-up work is written here."""

    def after_commit(self, batch: IngestedBatch) -> None:
        """After the batch is durable: cheap work only, or schedule it."""
