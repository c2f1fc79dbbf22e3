"""A server that is asked to stop (SIGTERM, Ctrl-C) ends its live tail streams at once,
instead of holding its shutdown grace for sessions that would run three hours."""

from __future__ import annotations

import signal

from aws_clients import make_client
from live_tail_helpers import make_group, start, tail_client
from serverproc import ServerProcess


def test_shutdown_ends_open_streams_cleanly(tmp_path):
    server = ServerProcess(str(tmp_path / "data")).start()
    try:
        make_group(make_client(server.endpoint, "logs"), "app")
        stream, events, _ = start(tail_client(server.endpoint), "app")
        next(events)
        server.proc.send_signal(signal.SIGTERM)
        # the stream ends as a stream ends (a connection cut when the grace ran out would be
        # an error here), at most an update that was on its way before it
        rest = list(events)
        assert all("sessionUpdate" in event for event in rest)
        assert server.proc.wait(timeout=20) in (0, -signal.SIGTERM)
    finally:
        server.stop()
