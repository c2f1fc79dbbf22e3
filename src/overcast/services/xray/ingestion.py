"""What both doors of ingestion share (the PutTraceSegments API and the daemon's UDP port):
turn raw documents into stored segments, and say which were refused and why."""

from __future__ import annotations

from overcast.services.xray.segment_documents import Rejected, parse_with_text


def ingest(store, account: str, region: str, texts: list, received: float) -> list[dict]:
    """Validate and store ``texts`` (segment documents as JSON text) in one batch; returns the
    ``UnprocessedTraceSegment`` of each refused one (the others are committed with the batch)."""
    accepted: list[dict] = []
    accepted_texts: list[str | None] = []
    unprocessed: list[dict] = []
    for text in texts:
        try:
            for doc, doc_text in parse_with_text(text):
                accepted.append(doc)
                accepted_texts.append(doc_text)
        except Rejected as exc:
            unprocessed.append(exc.unprocessed())
    store.add(account, region, accepted, received, accepted_texts)
    return unprocessed
