"""The clock through a real server: moves, persists across kill -9, returns to real time on reset."""

from __future__ import annotations

import json
import time
import urllib.error

import pytest
from serverproc import ServerProcess


def clock(server) -> dict:
    return json.loads(server.get("/_overcast/clock"))


def test_advance_moves_now(server):
    before = clock(server)
    answer = json.loads(server.post("/_overcast/clock", json.dumps({"advance": 3600}).encode()))
    after = clock(server)
    assert answer["now"] - before["now"] >= 3600
    assert 3600 <= after["now"] - before["now"] < 3600 + 60
    assert after["offset"] >= 3600 - 1


def test_time_target_moves_now(server):
    target = clock(server)["now"] + 7200
    answer = json.loads(server.post("/_overcast/clock", json.dumps({"time": target}).encode()))
    assert answer["now"] >= target
    assert clock(server)["now"] >= target


def test_reset_returns_to_real_time(server):
    server.post("/_overcast/clock", b'{"advance": 86400}')
    server.post("/_overcast/reset")
    assert abs(clock(server)["now"] - time.time()) < 60


def test_health_reports_storage_and_timers(server):
    health = json.loads(server.get("/_overcast/health"))
    assert health["storage"]["data_dir"]
    assert health["storage"]["backend"] == "sqlite"
    assert set(health["timers"]) >= {"pending", "durable", "periodic", "fired"}


def test_clock_offset_survives_kill_9(tmp_path):
    proc = ServerProcess(str(tmp_path)).start()
    try:
        proc.post("/_overcast/clock", b'{"advance": 86400}')
        seen = clock(proc)["now"]
        proc.kill()
        proc.start()  # same data dir (a new free port is fine: the state is on disk)
        after = clock(proc)
        assert after["offset"] >= 86400 - 1
        assert after["now"] >= seen
    finally:
        proc.stop()


def test_non_finite_moves_are_refused_with_400(server):
    for body in (b'{"advance": 1e999}', b'{"advance": NaN}', b'{"time": Infinity}'):
        with pytest.raises(urllib.error.HTTPError) as info:
            server.post("/_overcast/clock", body)
        assert info.value.code == 400
    assert abs(clock(server)["offset"]) < 60
