"""Helpers of the Logs Insights tests: a group with events written through PutLogEvents, and
a query run to its end through StartQuery and GetQueryResults."""

from __future__ import annotations

import time

TERMINAL = ("Complete", "Failed", "Cancelled", "Timeout")


def put_messages(logs, group: str, stream: str, messages: list[str], first_ms: int, step_ms: int = 1000,
                 create: bool = True) -> list[int]:
    """Writes ``messages`` ``step_ms`` apart from ``first_ms``; their timestamps."""
    if create:
        try:
            logs.create_log_group(logGroupName=group)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
        try:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
    stamps = [first_ms + i * step_ms for i in range(len(messages))]
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t, "message": m} for t, m in zip(stamps, messages)])
    return stamps


def wait_for_query(logs, query_id: str, timeout: float = 30.0) -> dict:
    """GetQueryResults once the query has ended (polled as clients do)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = logs.get_query_results(queryId=query_id)
        if answer["status"] in TERMINAL:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"query {query_id} still {answer['status']} after {timeout}s")
        time.sleep(0.05)


def run_query(logs, query: str, start_s: int, end_s: int, **params) -> dict:
    """StartQuery (on ``logGroupName="app"`` unless groups are given) then its final answer."""
    if not any(k in params for k in ("logGroupName", "logGroupNames", "logGroupIdentifiers")):
        params["logGroupName"] = "app"
    query_id = logs.start_query(queryString=query, startTime=start_s, endTime=end_s, **params)["queryId"]
    return wait_for_query(logs, query_id)


def as_dicts(results: list[list[dict]]) -> list[dict]:
    return [{f["field"]: f["value"] for f in row} for row in results]
