"""Each invocation's log, as AWS writes it to ``/aws/lambda/<name>``: START, the function's
output, END and REPORT, in the environment's stream ``YYYY/MM/DD/[<version>]<32 hex>``."""

from __future__ import annotations

import base64
import datetime
import json
import math
import uuid

# LogType Tail returns the last 4 KB of the invocation's log (Invoke's documentation)
TAIL_BYTES = 4 * 1024


def log_stream_name(now: float, version: str) -> str:
    day = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{uuid.uuid4().hex}"


def output_events(text: str) -> list[str]:
    """The function's output as log events: one a line; a runtime keeps a multi-line record
    together by writing ``\\r`` between its lines."""
    return [line.replace("\r", "\n") for line in text.split("\n") if line]


def report_line(request_id: str, duration_ms: float, memory_mb: int, max_memory_mb: int,
                init_ms: float | None, status: str | None = None) -> str:
    line = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, math.ceil(duration_ms))} ms\tMemory Size: {memory_mb} MB\t"
            f"Max Memory Used: {max_memory_mb} MB\t")
    if init_ms is not None:
        line += f"Init Duration: {init_ms:.2f} ms\t"
    if status:
        line += f"Status: {status}\t"
    return line


def invocation_log(request_id: str, version: str, output: list[str], report: str) -> list[str]:
    return [f"START RequestId: {request_id} Version: {version}", *output, f"END RequestId: {request_id}", report]


def json_invocation_log(request_id: str, version: str, output: list[str], *, started: str, ended: str,
                        duration_ms: float, memory_mb: int, max_memory_mb: int, init_ms: float | None,
                        status: str | None) -> list[str]:
    """The same log in the JSON log format (LoggingConfig LogFormat JSON): the platform's
    records as ``platform.start`` and ``platform.report`` objects."""
    metrics = {"durationMs": round(duration_ms, 3), "billedDurationMs": max(1, math.ceil(duration_ms)),
               "memorySizeMB": memory_mb, "maxMemoryUsedMB": max_memory_mb}
    if init_ms is not None:
        metrics["initDurationMs"] = round(init_ms, 3)
    start = {"time": started, "type": "platform.start", "record": {"requestId": request_id, "version": version}}
    report = {"time": ended, "type": "platform.report",
              "record": {"requestId": request_id, "metrics": metrics, "status": status or "success"}}
    return [json.dumps(start, separators=(",", ":")), *output, json.dumps(report, separators=(",", ":"))]


def log_tail(lines: list[str]) -> str:
    """LogType Tail's X-Amz-Log-Result: the last 4 KB of the invocation's log, base64."""
    data = "".join(line + "\n" for line in lines).encode()
    return base64.b64encode(data[-TAIL_BYTES:]).decode()
