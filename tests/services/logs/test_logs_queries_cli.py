"""Logs Insights through the AWS CLI: start-query, get-query-results until Complete, and the
query definitions, as a developer runs them from a shell."""

from __future__ import annotations

import time

from insights_helpers import as_dicts, put_messages
from logs_helpers import cloud_now_ms, logs  # noqa: F401


def test_start_query_and_results_with_the_cli(aws_cli, logs, server):
    now = cloud_now_ms(server)
    put_messages(logs, "cli-app", "s", ["GET /a 200", "GET /b 500", "GET /c 500"], now - 30_000)
    started = aws_cli("logs", "start-query", "--log-group-name", "cli-app",
                      "--start-time", str((now - 60_000) // 1000), "--end-time", str(now // 1000),
                      "--query-string", "parse @message 'GET * *' as path, status | stats count(*) as n by status")
    deadline = time.monotonic() + 30
    while True:
        answer = aws_cli("logs", "get-query-results", "--query-id", started["queryId"])
        if answer["status"] not in ("Scheduled", "Running") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert answer["status"] == "Complete"
    assert sorted((r["status"], r["n"]) for r in as_dicts(answer["results"])) == [("200", "1"), ("500", "2")]
    assert answer["statistics"]["recordsScanned"] == 3.0


def test_query_definitions_with_the_cli(aws_cli):
    created = aws_cli("logs", "put-query-definition", "--name", "errors", "--query-string", "filter status = 500",
                      "--log-group-names", "cli-app")
    listed = aws_cli("logs", "describe-query-definitions", "--query-definition-name-prefix", "err")
    assert [(d["queryDefinitionId"], d["logGroupNames"]) for d in listed["queryDefinitions"]] == \
        [(created["queryDefinitionId"], ["cli-app"])]
    assert aws_cli("logs", "delete-query-definition", "--query-definition-id", created["queryDefinitionId"]) == \
        {"success": True}
