"""wrk replaying a pool of pre-signed requests, checking every answer.

``harness.wrk`` replays one request; the SQS benchmarks need many distinct ones (a FIFO queue
deduplicates a replayed MessageDeduplicationId, so each batch must be new) and a count of the
answers that succeeded, to check the queue afterwards: every 2xx send must be in the queue.
The Lua script cycles through the pool (each wrk thread from its own offset), counts
non-2xx statuses and 2xx answers whose body matches ``fail_pattern`` (a Lua pattern, e.g. a
non-empty ``Failed`` list of a batch answer), and prints one JSON line at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile

from harness import LOAD_CORE, _pinned

_LUA = r"""
local pool, n, idx = {}, 0, 0
ok, bad, failed, first_bad = 0, 0, 0, 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  local headers, body, method, path = {}, nil, "POST", "/"
  for line in io.lines(args[1]) do
    local tag, value = line:sub(1, 2), line:sub(3)
    if tag == "M " then
      method = value
    elseif tag == "P " then
      path = value
    elseif tag == "H " then
      local c = value:find(": ", 1, true)
      headers[value:sub(1, c - 1)] = value:sub(c + 2)
    elseif tag == "B " then
      body = value
    elseif tag == "E " then
      n = n + 1
      pool[n] = wrk.format(method, path, headers, body)
      headers, body, method, path = {}, nil, "POST", "/"
    end
  end
  idx = ((tid - 1) * 7919) % n  -- threads start at different places of the pool
end

function request()
  idx = idx + 1
  if idx > n then idx = 1 end
  return pool[idx]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  else
    ok = ok + 1
    if FAIL_PATTERN ~= "" and body:find(FAIL_PATTERN) then failed = failed + 1 end
  end
end

function done(summary, latency, requests)
  local o, b, f, fb = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); b = b + t:get("bad"); f = f + t:get("failed")
    if t:get("first_bad") ~= 0 then fb = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format('POOLJSON {"requests":%d,"duration_us":%d,"bytes":%d,"ok":%d,"non2xx":%d,"failed_entries":%d,' ..
    '"first_bad":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, o, b, f, fb, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def run_pool(url: str, pool: list[tuple], duration: float, *, connections: int = 32,
             threads: int = 1, fail_pattern: str = "") -> dict:
    """Replay ``pool`` against ``url`` for ``duration`` seconds: (headers, body) pairs are
    POSTs to ``/``; (method, path, headers, body) entries say their own method and path.

    Returns ``rps`` (answered requests per second), ``ok`` (2xx answers), ``non2xx``,
    ``socket_errors``, ``failed_entries`` (2xx answers matching ``fail_pattern``), ``p50_ms``,
    ``p99_ms`` and ``pool`` (its size: more 2xx answers than that means requests repeated).
    """
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    folder = tempfile.mkdtemp(prefix="sqs-bench-wrk-")
    try:
        data, script = os.path.join(folder, "pool.txt"), os.path.join(folder, "pool.lua")
        with open(data, "w", encoding="latin-1") as f:
            for entry in pool:
                method, path, headers, body = entry if len(entry) == 4 else ("POST", "/", *entry)
                text = body.decode("latin-1")
                if "\n" in text or "\r" in text:
                    raise ValueError("request bodies must be single-line")
                if (method, path) != ("POST", "/"):
                    f.write(f"M {method}\nP {path}\n")
                f.writelines(f"H {k}: {v}\n" for k, v in headers.items())
                f.write(f"B {text}\nE \n" if text else "E \n")  # no body: no Content-Length
        with open(script, "w") as f:
            f.write(_LUA.replace("FAIL_PATTERN", json.dumps(fail_pattern)))
        cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s",
               "--timeout", "10s", "-s", script, url, "--", data]
        proc = subprocess.run(_pinned(cmd, LOAD_CORE), capture_output=True, text=True, timeout=duration + 60)
        line = next((l for l in proc.stdout.splitlines() if l.startswith("POOLJSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout[-500:]} {proc.stderr[-500:]}")
        raw = json.loads(line[len("POOLJSON "):])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds = raw["duration_us"] / 1e6
    return {
        "rps": raw["requests"] / seconds,
        "bytes": raw["bytes"],
        "ok": raw["ok"],
        "non2xx": raw["non2xx"],
        "first_bad": raw["first_bad"],
        "socket_errors": raw["socket_errors"],
        "failed_entries": raw["failed_entries"],
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "pool": len(pool),
    }
