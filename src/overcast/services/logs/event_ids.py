"""AWS's eventId shape: a 56-digit decimal string. Overcast's encodes the event's timestamp,
stream and ingestion sequence, so two events never share an id and ids sort like events do
within a stream."""

from __future__ import annotations


def event_id(group_id: int, stream_id: int, seq: int, timestamp: int) -> str:
    """``3`` + 15 digits of timestamp (ms) + 20 of stream id + 20 of sequence number (AWS's
    ids are 56 digits; the group is implied by the stream)."""
    return f"3{max(0, timestamp) % 10**15:015d}{stream_id % 10**20:020d}{seq % 10**20:020d}"
