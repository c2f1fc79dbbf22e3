"""Logs Insights across a restart: a completed query's answer and the query definitions are
still there after kill -9, and a query the kill left Running (as a kill in the middle of its
scan leaves its row) runs again when the server is back and completes with the full answer."""

from __future__ import annotations

import glob
import os
import sqlite3

from aws_clients import STRICT, make_client
from insights_helpers import as_dicts, put_messages, wait_for_query
from logs_helpers import cloud_now_ms
from serverproc import ServerProcess


def test_queries_and_definitions_survive_kill_9_and_a_running_query_runs_again(tmp_path):
    extra = ("--strict",) if STRICT else ()
    data = str(tmp_path / "data")
    server = ServerProcess(data, *extra).start()
    try:
        logs = make_client(server.endpoint, "logs")
        now = cloud_now_ms(server)
        put_messages(logs, "app", "s", [f"line {i}" for i in range(50)], now - 60_000, step_ms=10)
        window = {"logGroupName": "app", "startTime": (now - 120_000) // 1000, "endTime": now // 1000}
        done = logs.start_query(queryString="stats count(*) as n", **window)["queryId"]
        assert as_dicts(wait_for_query(logs, done)["results"]) == [{"n": "50"}]
        again = logs.start_query(queryString="filter @message like 'line 4' | stats count(*) as n", **window)["queryId"]
        wait_for_query(logs, again)
        definition = logs.put_query_definition(name="saved", queryString="fields @message")["queryDefinitionId"]
        server.kill()

        (db_path,) = glob.glob(os.path.join(data, "**", "logs.db"), recursive=True)
        with sqlite3.connect(db_path) as db:  # the state a kill in the middle of the scan leaves
            db.execute("UPDATE insights_queries SET status = 'Running', results = NULL, statistics = NULL "
                       "WHERE query_id = ?", (again,))

        server.start()
        logs = make_client(server.endpoint, "logs")
        assert as_dicts(logs.get_query_results(queryId=done)["results"]) == [{"n": "50"}]
        answer = wait_for_query(logs, again)
        assert answer["status"] == "Complete"
        assert as_dicts(answer["results"]) == [{"n": "11"}]  # line 4 and line 40-49
        assert answer["statistics"]["recordsScanned"] == 50.0
        (saved,) = logs.describe_query_definitions()["queryDefinitions"]
        assert saved["queryDefinitionId"] == definition
    finally:
        server.stop()
