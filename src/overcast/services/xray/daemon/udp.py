"""The daemon's UDP side: each datagram is ``{"format": "json", "version": 1}``, a newline,
then one segment document (or an array of subsegments), as the X-Ray SDKs send it.

Datagrams that arrive in one turn of the event loop are stored in one batch at the end of
the turn (one statement, one commit). A datagram that is not in that format, or whose
document X-Ray would refuse, is counted and dropped: nothing a client sends can stop the
listener. The daemon acknowledges nothing, so there is no one to answer."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from overcast.services.xray.segment_documents import Rejected, parse_with_text

log = logging.getLogger("overcast.xray.daemon")

_REPORT_EVERY = 60.0  # seconds between log lines about dropped datagrams

_HEADER = {"format": "json", "version": 1}
# The header as the SDKs write it, compared as bytes before any JSON parsing
_HEADERS_AS_SENT = frozenset((b'{"format": "json", "version": 1}', b'{"format":"json","version":1}'))


class DaemonCounters:
    """What the UDP side has seen since start (``/_overcast/health`` style introspection)."""

    __slots__ = ("datagrams", "segments", "malformed", "rejected")

    def __init__(self):
        self.datagrams = 0
        self.segments = 0
        self.malformed = 0  # not the daemon format at all
        self.rejected = 0  # the format was right, the document is one X-Ray refuses

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


def split_datagram(data: bytes) -> bytes | None:
    """The document of a datagram in the daemon format, or None when it is not one."""
    header, sep, body = data.partition(b"\n")
    if not sep:
        return None
    if header in _HEADERS_AS_SENT:
        return body
    try:
        if json.loads(header) != _HEADER:
            return None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return body


class SegmentDatagrams(asyncio.DatagramProtocol):
    """Receives datagrams and hands the valid documents to ``store`` in batches."""

    def __init__(self, store_batch, counters: DaemonCounters):
        self.store_batch = store_batch  # fn(docs, texts) storing one batch
        self.counters = counters
        self.pending: list[dict] = []
        self.pending_texts: list[str | None] = []
        self._flush_scheduled = False
        self._reported_at = 0.0
        self.loop = asyncio.get_running_loop()

    def datagram_received(self, data: bytes, addr) -> None:
        counters = self.counters
        counters.datagrams += 1
        body = split_datagram(data)
        if body is None:
            counters.malformed += 1
            self._report_drops()
            return
        try:
            parsed = parse_with_text(body)
        except (Rejected, UnicodeDecodeError):
            counters.rejected += 1
            self._report_drops()
            return
        counters.segments += len(parsed)
        for doc, text in parsed:
            self.pending.append(doc)
            self.pending_texts.append(text)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self.flush)

    def _report_drops(self) -> None:
        """One log line a minute at most, so a noisy sender cannot flood the log."""
        now = time.monotonic()
        if now - self._reported_at < _REPORT_EVERY:
            return
        dropped = self.counters.malformed + self.counters.rejected
        log.warning("X-Ray daemon: %d datagrams dropped so far (%d not in the daemon format, %d documents "
                    "X-Ray refuses)", dropped, self.counters.malformed, self.counters.rejected)
        self._reported_at = now

    def flush(self) -> None:
        self._flush_scheduled = False
        batch, self.pending = self.pending, []
        texts, self.pending_texts = self.pending_texts, []
        if not batch:
            return
        try:
            self.store_batch(batch, texts)
        except Exception:  # noqa: BLE001 - a storage failure must not stop the listener
            log.exception("storing %d segments received over UDP failed", len(batch))

    def error_received(self, exc: Exception) -> None:  # ICMP errors: nothing to do
        log.debug("X-Ray daemon UDP error: %s", exc)
