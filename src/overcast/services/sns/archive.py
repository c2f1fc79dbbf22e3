"""Message archiving and replay for FIFO topics.

A FIFO topic with an ArchivePolicy (``{"MessageRetentionPeriod": "<days>"}``, 1 to 365) keeps
every message it accepts, written in the commit that acknowledges Publish, for that many days
of the cloud clock. GetTopicAttributes shows BeginningArchiveTime: the earliest point a replay
can start from (when archiving began, or the retention period ago, whichever is later).

A subscription's ReplayPolicy (``{"PointType": "Timestamp", "StartingPoint": <ISO time>,
"EndingPoint": <ISO time, optional>}``) replays the archived messages published in that
window to the subscription, in their original order, through the subscription's filter
policy, with their original MessageId and Timestamp. ReplayStatus reports "In progress" until
every replayed message was delivered, then "Completed".
"""

from __future__ import annotations

import datetime
import json

from overcast.services.sns.message import SnsMessage, iso_timestamp

DAY = 86400.0
MIN_DAYS, MAX_DAYS = 1, 365
ARCHIVE_START = "_archive_start"  # hidden topic attribute: when archiving began (epoch seconds)
REPLAY_PAGE = 500
REPLAY_MARK = "_replay_mark"  # hidden subscription attribute: the last delivery row of the replay


def retention_days(policy_text: str | None) -> int | None:
    """The retention period of a stored ArchivePolicy, None when archiving is off."""
    if not policy_text:
        return None
    try:
        value = json.loads(policy_text).get("MessageRetentionPeriod")
        return int(value) if value is not None else None
    except (ValueError, TypeError, AttributeError):
        return None


def check_archive_policy(text: str, reason) -> None:
    """An ArchivePolicy as SNS accepts it (``{}`` turns archiving off); ``reason(text)`` builds the error."""
    document = json.loads(text)
    if document == {}:
        return
    unknown = [k for k in document if k != "MessageRetentionPeriod"]
    if unknown:
        raise reason(f"ArchivePolicy: Unrecognized field {unknown[0]}")
    value = document.get("MessageRetentionPeriod")
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = None
    if days is None or isinstance(value, bool) or str(days) != str(value).strip() or not MIN_DAYS <= days <= MAX_DAYS:
        raise reason("ArchivePolicy: MessageRetentionPeriod must be an integer between 1 and 365")


def _parse_time(value) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def replay_window(text: str) -> tuple[float, float | None]:
    """(start, end or None) of a stored ReplayPolicy."""
    document = json.loads(text)
    return _parse_time(document.get("StartingPoint")), _parse_time(document.get("EndingPoint"))


def check_replay_policy(text: str, topic_fifo: bool, reason) -> None:
    """A ReplayPolicy as SNS accepts it; ``reason(text)`` builds the error."""
    if not topic_fifo:
        raise reason("ReplayPolicy: Replay is only supported for FIFO topics")
    document = json.loads(text)
    if document.get("PointType") != "Timestamp":
        raise reason("ReplayPolicy: PointType must be Timestamp")
    start = _parse_time(document.get("StartingPoint"))
    if start is None:
        raise reason("ReplayPolicy: StartingPoint must be a valid timestamp")
    if "EndingPoint" in document:
        end = _parse_time(document.get("EndingPoint"))
        if end is None:
            raise reason("ReplayPolicy: EndingPoint must be a valid timestamp")
        if end < start:
            raise reason("ReplayPolicy: EndingPoint must be after StartingPoint")
    unknown = [k for k in document if k not in ("PointType", "StartingPoint", "EndingPoint")]
    if unknown:
        raise reason(f"ReplayPolicy: Unrecognized field {unknown[0]}")


class ArchiveOperations:
    def archive_message(self, topic, message: SnsMessage, now: float) -> None:
        """Keep ``message`` in ``topic``'s archive (inside Publish's commit) and drop what expired."""
        days = retention_days(topic.attributes.get("ArchivePolicy"))
        if days is None:
            return
        self.db.execute("DELETE FROM topic_archive WHERE topic_arn = ? AND published <= ?",
                        (topic.arn, now - days * DAY))
        self.db.execute("INSERT INTO topic_archive (topic_arn, published, payload) VALUES (?, ?, ?)",
                        (topic.arn, now, message.to_payload()))

    def beginning_archive_time(self, topic) -> str | None:
        days = retention_days(topic.attributes.get("ArchivePolicy"))
        if days is None:
            return None
        started = float(topic.attributes.get(ARCHIVE_START) or 0.0)
        return iso_timestamp(max(started, self.clock.now() - days * DAY))

    def discard_archive(self, topic_arn: str) -> None:
        self.db.execute("DELETE FROM topic_archive WHERE topic_arn = ?", (topic_arn,))

    def start_replay(self, sub) -> dict:
        """Queue the archived messages of the subscription's ReplayPolicy window for it (the
        caller's commit); returns the subscription's attributes with the replay's mark."""
        topic = self.store.topic(sub.topic_arn)
        attributes = dict(sub.attributes)
        attributes.pop(REPLAY_MARK, None)
        policy = sub.attributes.get("ReplayPolicy")
        days = retention_days(topic.attributes.get("ArchivePolicy")) if topic is not None else None
        if not policy or days is None or not sub.confirmed:
            return attributes
        start, end = replay_window(policy)
        now = self.clock.now()
        start = max(start, now - days * DAY)
        end = now if end is None else min(end, now)
        after = 0
        while True:  # a page at a time: an archive of months is never read whole
            rows = self.db.query("SELECT id, payload FROM topic_archive WHERE topic_arn = ? AND published >= ? AND "
                                 "published <= ? AND id > ? ORDER BY id LIMIT ?",
                                 (topic.arn, start, end, after, REPLAY_PAGE))
            for row_id, payload in rows:
                after = row_id
                message = SnsMessage.from_payload(payload)
                if sub.filter is None or sub.filter.matches(message.attributes, message.body_for(sub.protocol)):
                    self.delivery.enqueue(message, [sub])
            if len(rows) < REPLAY_PAGE:
                break
        mark = self.db.query_one("SELECT MAX(id) FROM deliveries WHERE subscription_arn = ?", (sub.arn,))[0]
        attributes[REPLAY_MARK] = str(mark or 0)
        return attributes

    def replay_status(self, sub) -> str | None:
        """ReplayStatus of a subscription with a ReplayPolicy."""
        if not sub.attributes.get("ReplayPolicy"):
            return None
        mark = sub.attributes.get(REPLAY_MARK)
        if mark is None:
            return "Pending"
        waiting = self.db.query_one("SELECT 1 FROM deliveries WHERE subscription_arn = ? AND id <= ? LIMIT 1",
                                    (sub.arn, int(mark)))
        return "In progress" if waiting else "Completed"
