"""The durable log of the message engine: every change to ``sqs_messages`` / ``sqs_deduplication``.

Each method commits before it returns (one statement, or one transaction for several rows),
so whatever the engine acknowledges survives ``kill -9``. Statements are constants: SQLite
prepares them once and keeps them in its statement cache.
"""

from __future__ import annotations

import base64
import json
from typing import Iterable, NamedTuple

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

_INSERT_INTO = (
    "INSERT INTO sqs_messages (seq, queue_key, message_id, body, md5_body, attributes, md5_attributes, "
    "trace_header, sender_id, sent_at, retain_from, group_id, dedup_id, dead_letter_source, visible_at, "
    "receive_count, first_received_at, receipt, received_at) VALUES "
)
_INSERT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0)"
# One statement inserts a whole batch: a single statement commits on its own (no BEGIN /
# COMMIT round trips), which is most of what a batch costs besides the WAL write.
_INSERT = {n: _INSERT_INTO + ", ".join([_INSERT_ROW] * n) for n in range(1, 11)}
_RECEIVED = (
    "UPDATE sqs_messages SET visible_at = ?, receive_count = ?, first_received_at = ?, receipt = ?, "
    "received_at = ? WHERE seq = ?"
)
_VISIBILITY = "UPDATE sqs_messages SET visible_at = ? WHERE seq = ?"
_DELETE = "DELETE FROM sqs_messages WHERE seq = ?"
# A copy into another queue under a new seq: same message id, body and attributes.
_COPY = (
    "INSERT INTO sqs_messages (seq, queue_key, message_id, body, md5_body, attributes, md5_attributes, "
    "trace_header, sender_id, sent_at, retain_from, group_id, dedup_id, dead_letter_source, visible_at, "
    "receive_count, first_received_at, receipt, received_at) "
    "SELECT ?, ?, message_id, body, md5_body, attributes, md5_attributes, trace_header, sender_id, sent_at, "
    "COALESCE(?, retain_from), group_id, dedup_id, ?, ?, {counts}, 0, 0 FROM sqs_messages WHERE seq = ?"
)
_COPY_KEEP_COUNTS = _COPY.format(counts="receive_count, first_received_at")
_COPY_RESET_COUNTS = _COPY.format(counts="0, 0")
_REMEMBER_INTO = "INSERT INTO sqs_deduplication (queue_key, scope, dedup_id, message_id, seq, expires_at) VALUES "
_REMEMBER = {n: _REMEMBER_INTO + ", ".join(["(?, ?, ?, ?, ?, ?)"] * n) for n in range(1, 11)}
_FORGET_ID = "DELETE FROM sqs_deduplication WHERE seq = ?"
_FETCH = (
    "SELECT seq, message_id, body, md5_body, attributes, md5_attributes, trace_header, sender_id, sent_at, "
    "group_id, dedup_id, dead_letter_source FROM sqs_messages WHERE seq IN ({})"
)
_FETCH_BY_COUNT = {n: _FETCH.format(", ".join("?" * n)) for n in range(1, 11)}


class StoredMessage(NamedTuple):
    """The stored part of a message (what a receive returns beside the engine's counters)."""

    seq: int
    message_id: str
    body: str
    md5_body: str
    attributes: str | None  # JSON, see encode_attributes
    md5_attributes: str | None
    trace_header: str | None
    sender_id: str
    sent_at: int
    group_id: str | None
    dedup_id: str | None
    dead_letter_source: str | None


class LoadedMessage(NamedTuple):
    """What the engine needs in memory for one message, read back at start."""

    seq: int
    queue_key: int
    visible_at: float
    receive_count: int
    first_received_at: int
    receipt: int
    received_at: float
    retain_from: float
    group_id: str | None


def _insert_chunks(db, statements: dict, rows: list[tuple]) -> None:
    for start in range(0, len(rows), 10):
        chunk = rows[start:start + 10]
        db.execute(statements[len(chunk)], [v for row in chunk for v in row])


def encode_attributes(attributes: dict | None) -> str | None:
    """Message attributes as stored: ``{name: [DataType, StringValue, base64 BinaryValue]}``."""
    if not attributes:
        return None
    return _dumps({
        name: [value["DataType"], value.get("StringValue"),
               None if value.get("BinaryValue") is None else base64.b64encode(value["BinaryValue"]).decode("ascii")]
        for name, value in attributes.items()
    })


def decode_attributes(text: str | None) -> dict:
    """Stored message attributes back in their API shape."""
    if not text:
        return {}
    decoded = {}
    for name, (data_type, string_value, binary_value) in json.loads(text).items():
        if string_value is not None:
            decoded[name] = {"DataType": data_type, "StringValue": string_value}
        else:
            decoded[name] = {"DataType": data_type, "BinaryValue": base64.b64decode(binary_value)}
    return decoded


class MessageStore:
    """Reads and writes of the message tables, on the SQS provider's database."""

    def __init__(self, provider):
        self._provider = provider

    @property
    def db(self):
        return self._provider.db

    # -- writes ----------------------------------------------------------------------------

    def insert(self, rows: list[tuple], dedup_rows: list[tuple] = ()) -> None:
        """New messages (rows in ``_INSERT_INTO`` order) and their deduplication ids, in one commit."""
        db = self.db
        if not dedup_rows and len(rows) <= 10:
            db.execute(_INSERT[len(rows)], rows[0] if len(rows) == 1 else [v for row in rows for v in row])
            return
        with db.transaction():
            _insert_chunks(db, _INSERT, rows)
            _insert_chunks(db, _REMEMBER, dedup_rows)

    def apply(self, received: Iterable[tuple] = (), deleted: Iterable[int] = (),
              copies: Iterable[tuple] = (), visibility: Iterable[tuple] = ()) -> None:
        """One commit of a receive / delete / visibility change / move.

        ``received``: (visible_at, receive_count, first_received_at, receipt, received_at, seq);
        ``deleted``: seqs; ``copies``: (new seq, queue key, retain_from or None,
        dead_letter_source, visible_at, keep_counts, old seq) made before the deletes;
        ``visibility``: (visible_at, seq).
        """
        db = self.db
        with db.transaction():
            for new_seq, queue_key, retain_from, source, visible_at, keep_counts, old_seq in copies:
                db.execute(_COPY_KEEP_COUNTS if keep_counts else _COPY_RESET_COUNTS,
                           (new_seq, queue_key, retain_from, source, visible_at, old_seq))
            if received:
                db.executemany(_RECEIVED, received)
            if visibility:
                db.executemany(_VISIBILITY, visibility)
            if deleted:
                db.executemany(_DELETE, [(seq,) for seq in deleted])

    def delete_one(self, seq: int) -> None:
        self.db.execute(_DELETE, (seq,))

    def set_visibility_one(self, visible_at: float, seq: int) -> None:
        self.db.execute(_VISIBILITY, (visible_at, seq))

    def delete_queue_messages(self, queue_key: int, with_deduplication: bool) -> None:
        """Every message of a queue (PurgeQueue), and its deduplication ids (DeleteQueue)."""
        with self.db.transaction():
            self.db.execute("DELETE FROM sqs_messages WHERE queue_key = ?", (queue_key,))
            if with_deduplication:
                self.db.execute("DELETE FROM sqs_deduplication WHERE queue_key = ?", (queue_key,))

    def forget_deduplication(self, seqs: list[int]) -> None:
        """Deduplication ids whose interval ended (by the seq of their message)."""
        if seqs:
            with self.db.transaction():
                self.db.executemany(_FORGET_ID, [(seq,) for seq in seqs])

    # -- reads -----------------------------------------------------------------------------

    def fetch(self, seqs: list[int]) -> dict[int, StoredMessage]:
        """The stored part of up to 10 messages, by seq."""
        found = {}
        for start in range(0, len(seqs), 10):
            chunk = seqs[start:start + 10]
            for row in self.db.query(_FETCH_BY_COUNT[len(chunk)], chunk):
                found[row[0]] = StoredMessage(*row)
        return found

    def load_messages(self) -> list[LoadedMessage]:
        """Every stored message, in seq order (start-up)."""
        rows = self.db.query(
            "SELECT seq, queue_key, visible_at, receive_count, first_received_at, receipt, received_at, "
            "retain_from, group_id FROM sqs_messages ORDER BY seq"
        )
        return [LoadedMessage(*row) for row in rows]

    def load_deduplication(self) -> list[tuple]:
        """Every remembered deduplication id: (queue_key, scope, dedup_id, message_id, seq, expires_at)."""
        return self.db.query(
            "SELECT queue_key, scope, dedup_id, message_id, seq, expires_at FROM sqs_deduplication "
            "ORDER BY expires_at, seq"
        )

    def max_seq(self) -> int:
        row = self.db.query_one(
            "SELECT MAX(m) FROM (SELECT MAX(seq) AS m FROM sqs_messages "
            "UNION ALL SELECT MAX(seq) AS m FROM sqs_deduplication) AS seqs"
        )
        return int(row[0]) if row and row[0] is not None else 0
