"""The daemon's report of dropped datagrams, tested on the protocol object itself: on a shared
session server an earlier test may already have used up the report's once-a-minute window."""

from __future__ import annotations

import asyncio
import logging

from overcast.services.xray.daemon.udp import DaemonCounters, SegmentDatagrams

HEADER = b'{"format": "json", "version": 1}\n'


def test_drops_are_counted_and_reported_at_most_once_a_minute(caplog):
    async def scenario():
        stored = []
        counters = DaemonCounters()
        protocol = SegmentDatagrams(lambda docs, texts: stored.extend(docs), counters)
        for payload in (b"no header line", b"", HEADER + b"{not json", HEADER + b"[]"):
            protocol.datagram_received(payload, ("127.0.0.1", 1))
        return counters

    with caplog.at_level(logging.WARNING, logger="overcast"):
        counters = asyncio.run(scenario())
    assert (counters.malformed, counters.rejected) == (2, 2)
    reports = [r.getMessage() for r in caplog.records if "datagrams dropped so far" in r.getMessage()]
    assert reports == ["X-Ray daemon: 1 datagrams dropped so far (1 not in the daemon format, 0 documents "
                       "X-Ray refuses)"]
