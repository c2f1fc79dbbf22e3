"""Logs Insights: StartQuery, StopQuery, DescribeQueries, GetQueryResults, GetLogGroupFields,
GetLogRecord; the query definitions are ``insights/definitions.py``'s mixin.

A query runs in the background as on AWS: StartQuery stores it ``Scheduled`` and answers its
id; a task runs it on the reader connection (``insights.run``) and stores the answer, which
GetQueryResults pages through. StopQuery interrupts the scan. A query that was still
``Scheduled`` or ``Running`` when the server stopped runs again when Logs starts (AWS does
not lose a started query; a client polling GetQueryResults sees it complete).

Overcast runs Logs Insights QL (``CWLI``); OpenSearch SQL and PPL are answered 501.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
import uuid

from overcast.errors import AwsError
from overcast.services.logs.errors import (InvalidParameterException, LimitExceededException, backend_suffix,
                                           ResourceNotFoundException)
from overcast.services.logs.identifiers import group_name_of, name_or_identifier
from overcast.services.logs.insights import (QuerySyntaxError, Source, UnsupportedCommand, compile_query, read_ptr,
                                             run)
from overcast.services.logs.insights.definitions import QueryDefinitionOperations
from overcast.services.logs.insights.discovery import log_group_fields, log_record
from overcast.services.logs.paging import INVALID_TOKEN, make_token, read_token
from overcast.services.logs.request_checks import CHECKS as REQUEST_CHECKS
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.logs.insights")

DEFAULT_LIMIT = 10_000        # StartQuery's limit: "The default is 10,000"
MAX_GROUPS = 50               # "You can include up to 50 log groups"
MAX_CONCURRENT = 100          # "up to 100 concurrent CloudWatch Logs insights queries"
PAGE_MAX = 10_000             # GetQueryResults: "each page returning up to 10,000 log events"
RESULTS_KEPT_S = 7 * 86_400   # query results are kept 7 days (Logs quotas)
ACTIVE = ("Scheduled", "Running")

QUERY_NOT_FOUND = "Query does not exist."
ONE_GROUP_PARAMETER = "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified."
END_BEFORE_START = "End time must be greater than or equal to start time"

_EMPTY_STATISTICS = {"recordsMatched": 0.0, "recordsScanned": 0.0, "estimatedRecordsSkipped": 0.0,
                     "bytesScanned": 0.0, "estimatedBytesSkipped": 0.0, "logGroupsScanned": 0.0}


class _RunningQuery:
    """What StopQuery needs of a query being run: the connection to interrupt while (and only
    while) the query holds it; the lock keeps an interrupt from reaching the connection's next
    user."""

    def __init__(self):
        self.conn: sqlite3.Connection | None = None
        self.cancelled = False
        self.stopping = False  # the server stops: the query stays Running, to run again at start
        self.lock = threading.Lock()

    def attach(self, conn: sqlite3.Connection | None) -> None:
        with self.lock:
            self.conn = conn

    def interrupt(self, cancel: bool = True) -> None:
        with self.lock:
            if cancel:
                self.cancelled = True
            else:
                self.stopping = True
            if self.conn is not None:
                self.conn.interrupt()


class QueryOperations(QueryDefinitionOperations):
    def __init__(self, cloud):
        super().__init__(cloud)
        self._running_queries: dict[str, _RunningQuery] = {}
        self._query_tasks: set[asyncio.Task] = set()

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        await super().start()
        rows = self.db.query("SELECT query_id FROM insights_queries WHERE status IN ('Scheduled', 'Running') "
                             "ORDER BY created_ms")
        for (query_id,) in rows:
            self._spawn_query(query_id)

    async def stop(self) -> None:
        for handle in self._running_queries.values():
            handle.interrupt(cancel=False)  # left Running: it runs again at the next start
        tasks = list(self._query_tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await super().stop()

    def reset(self) -> None:
        for handle in self._running_queries.values():
            handle.interrupt()
        super().reset()

    def _spawn_query(self, query_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run_query(query_id), name=f"logs-query-{query_id}")
        self._query_tasks.add(task)
        task.add_done_callback(self._query_tasks.discard)

    # -- StartQuery -------------------------------------------------------------------------

    def _query_sources(self, ctx, scope: Scope, params: dict) -> list[tuple[int, str, str]]:
        given = next(p for p in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if params.get(p) is not None)
        names = [params[given]] if given == "logGroupName" else list(params[given])
        sources, seen = [], set()
        for identifier in names:
            name = group_name_of(scope, identifier) if given == "logGroupIdentifiers" else identifier
            group = self.group_row(scope, name)
            if group is None:
                raise ResourceNotFoundException(f"Log group '{name}' does not exist for account ID '{scope.account}'"
                                                + backend_suffix("ResourceNotFoundException", ctx.request_id))
            if group.group_id not in seen:
                seen.add(group.group_id)
                sources.append((group.group_id, f"{scope.account}:{group.name}", group.name))
        return sources

    def start_query(self, ctx, params: dict) -> dict:
        check_start_query(params)
        scope = Scope.of(ctx)
        text = params.get("queryString") or ""
        language = params.get("queryLanguage") or "CWLI"
        sources = self._query_sources(ctx, scope, params)
        now_ms = int(self.clock.now() * 1000)
        (active,) = self.db.query_one("SELECT count(*) FROM insights_queries WHERE account = ? AND region = ? "
                                      "AND status IN ('Scheduled', 'Running')", tuple(scope))
        if active >= MAX_CONCURRENT:
            raise LimitExceededException(f"Account maximum query concurrency limit of [{MAX_CONCURRENT}] reached.")
        query_id = str(uuid.uuid4())
        with self.db.transaction():
            self.db.execute("DELETE FROM insights_queries WHERE account = ? AND region = ? AND created_ms < ? "
                            "AND status NOT IN ('Scheduled', 'Running')",
                            (*scope, now_ms - RESULTS_KEPT_S * 1000))
            self.db.execute(
                "INSERT INTO insights_queries (query_id, account, region, query_string, query_language, sources, "
                "start_ms, end_ms, row_limit, status, created_ms, user_identity) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'Scheduled', ?, ?)",
                (query_id, *scope, text, language, json.dumps(sources), _ms(params["startTime"]),
                 _ms(params["endTime"]), params.get("limit") or DEFAULT_LIMIT, now_ms,
                 getattr(ctx, "principal_arn", "") or None))
        self._spawn_query(query_id)
        return {"queryId": query_id}

    async def _run_query(self, query_id: str) -> None:
        row = self.db.query_one("SELECT query_string, sources, start_ms, end_ms, row_limit, status "
                                "FROM insights_queries WHERE query_id = ?", (query_id,))
        if row is None or row[5] not in ACTIVE:
            return
        text, sources_json, start_ms, end_ms, limit, _ = row
        handle = _RunningQuery()
        self._running_queries[query_id] = handle
        self._set_status(query_id, "Running", only_if=ACTIVE)
        began = time.monotonic()
        try:
            plan = compile_query(text)
            sources = [Source(gid, label) for gid, label, _name in json.loads(sources_json)]
            outcome = await self.read(_run_in_reader, handle, plan, sources, start_ms, end_ms, limit)
        except asyncio.CancelledError:
            raise  # the server stops: the row stays Running and runs again at start
        except sqlite3.OperationalError as exc:
            if not (handle.cancelled or handle.stopping):
                log.warning("Logs Insights query %s failed: %s", query_id, exc)
                self._set_status(query_id, "Failed", only_if=ACTIVE)
            return
        except Exception:  # noqa: BLE001 - a query's failure is its status, never the server's
            log.exception("Logs Insights query %s failed", query_id)
            self._set_status(query_id, "Failed", only_if=ACTIVE)
            return
        finally:
            self._running_queries.pop(query_id, None)
        statistics = {
            "recordsMatched": float(outcome.records_matched), "recordsScanned": float(outcome.records_scanned),
            "estimatedRecordsSkipped": 0.0, "bytesScanned": float(outcome.bytes_scanned),
            "estimatedBytesSkipped": 0.0, "logGroupsScanned": float(outcome.log_groups_scanned),
        }
        duration_ms = int((time.monotonic() - began) * 1000)
        with self.db.transaction():
            self.db.execute("UPDATE insights_queries SET status = 'Complete', results = ?, statistics = ?, "
                            "duration_ms = ? WHERE query_id = ? AND status IN ('Scheduled', 'Running')",
                            (json.dumps(outcome.results, separators=(",", ":")), json.dumps(statistics),
                             duration_ms, query_id))

    def _set_status(self, query_id: str, status: str, only_if: tuple[str, ...]) -> int:
        marks = ", ".join("?" for _ in only_if)
        with self.db.transaction():
            return self.db.execute(f"UPDATE insights_queries SET status = ? WHERE query_id = ? AND status IN ({marks})",
                                   (status, query_id, *only_if))

    def _query_row(self, ctx, query_id: str, columns: str):
        row = self.db.query_one(f"SELECT {columns} FROM insights_queries WHERE query_id = ? AND account = ? "
                                "AND region = ?", (query_id, *Scope.of(ctx)))
        if row is None:
            raise ResourceNotFoundException(QUERY_NOT_FOUND)
        return row

    # -- StopQuery, GetQueryResults, DescribeQueries ----------------------------------------

    def stop_query(self, ctx, params: dict) -> dict:
        check_input("StopQuery", params)
        query_id = params["queryId"]
        (status,) = self._query_row(ctx, query_id, "status")
        if status not in ACTIVE or not self._set_status(query_id, "Cancelled", only_if=ACTIVE):
            raise InvalidParameterException(f"Query {query_id} is not running")
        handle = self._running_queries.get(query_id)
        if handle is not None:
            handle.interrupt()
        return {"success": True}

    def get_query_results(self, ctx, params: dict) -> dict:
        check_input("GetQueryResults", params)
        status, language, results, statistics = self._query_row(
            ctx, params["queryId"], "status, query_language, results, statistics")
        rows = json.loads(results) if results else []
        offset = read_token("query-results", params.get("nextToken")) or 0
        if not isinstance(offset, int) or offset < 0:
            raise InvalidParameterException(INVALID_TOKEN)
        size = min(params.get("maxItems") or PAGE_MAX, PAGE_MAX)  # 0 would page forever: the default
        page = rows[offset:offset + size]
        answer = {"queryLanguage": language, "results": page,
                  "statistics": json.loads(statistics) if statistics else dict(_EMPTY_STATISTICS),
                  "status": status}
        if offset + size < len(rows):
            answer["nextToken"] = make_token("query-results", offset + size)
        return answer

    def describe_queries(self, ctx, params: dict) -> dict:
        check_input("DescribeQueries", params)
        scope = Scope.of(ctx)
        after = read_token("queries", params.get("nextToken"))
        if after is not None and not (isinstance(after, list) and len(after) == 2 and isinstance(after[0], int)
                                      and isinstance(after[1], str)):
            raise InvalidParameterException(INVALID_TOKEN)
        limit = params.get("maxResults") or 1000
        sql = ("SELECT query_id, query_string, status, created_ms, sources, duration_ms, statistics, "
               "user_identity, query_language FROM insights_queries WHERE account = ? AND region = ?")
        args: list = [*scope]
        if params.get("status"):
            sql += " AND status = ?"
            args.append(params["status"])
        if params.get("queryLanguage"):
            sql += " AND query_language = ?"
            args.append(params["queryLanguage"])
        if after is not None:
            sql += " AND (created_ms < ? OR (created_ms = ? AND query_id > ?))"
            args += [after[0], after[0], after[1]]
        sql += " ORDER BY created_ms DESC, query_id"
        wanted_group = params.get("logGroupName")
        queries, last = [], None
        for query_id, text, status, created, sources_json, duration, statistics, user, language in self.db.query(sql, args):
            names = [name for _gid, _label, name in json.loads(sources_json)]
            if wanted_group is not None and wanted_group not in names:
                continue
            if len(queries) == limit:
                break
            info = {"queryLanguage": language, "queryId": query_id, "queryString": text, "status": status,
                    "createTime": created, "logGroupName": names[0]}
            if duration is not None:
                info["queryDuration"] = duration
            if statistics:
                info["bytesScanned"] = json.loads(statistics)["bytesScanned"]
            if user:
                info["userIdentity"] = user
            queries.append(info)
            last = (created, query_id)
        else:
            last = None  # the loop ran out of queries: this is the last page
        answer = {"queries": queries}
        if last is not None:
            answer["nextToken"] = make_token("queries", list(last))
        return answer

    # -- fields and records -----------------------------------------------------------------

    async def get_log_group_fields(self, ctx, params: dict) -> dict:
        check_input("GetLogGroupFields", params)
        scope = Scope.of(ctx)
        group = self.require_group(scope, name_or_identifier(scope, params))
        if params.get("time") is not None:
            start_ms, end_ms = _ms(params["time"] - 480), _ms(params["time"] + 480)
        else:
            end_ms = int(self.clock.now() * 1000)
            start_ms = end_ms - 15 * 60 * 1000
        fields = await self.read(log_group_fields, group.group_id, start_ms, end_ms)
        return {"logGroupFields": [{"name": name, "percent": percent} for name, percent in fields]}

    async def get_log_record(self, ctx, params: dict) -> dict:
        check_input("GetLogRecord", params)
        scope = Scope.of(ctx)
        pointer = read_ptr(params["logRecordPointer"])
        if pointer is None:
            raise InvalidParameterException("The specified logRecordPointer is invalid.")
        group_id, seq = pointer
        row = self.db.query_one("SELECT name FROM log_groups WHERE group_id = ? AND account = ? AND region = ?",
                                (group_id, *scope))
        record = None
        if row is not None:
            record = await self.read(log_record, group_id, seq, f"{scope.account}:{row[0]}")
        if record is None:
            raise ResourceNotFoundException("The specified log record does not exist.")
        return {"logRecord": record}


def _ms(seconds: int) -> int:
    """Epoch seconds (the API's unit here) as milliseconds, within SQLite's 64-bit integers."""
    return max(0, min(seconds * 1000, 2 ** 63 - 1))


def check_start_query(params: dict) -> None:
    """StartQuery's checks of its own parameters, before authorization in strict mode: the
    model's constraints, the query language, one way of naming the groups, the time range,
    and the query compiling."""
    check_input("StartQuery", params)
    language = params.get("queryLanguage") or "CWLI"
    if language != "CWLI":
        raise AwsError("NotImplemented", f"Overcast runs Logs Insights QL (CWLI) queries; "
                                         f"queryLanguage {language} is not implemented.", 501)
    given = [p for p in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if params.get(p) is not None]
    if len(given) != 1 or not params[given[0]]:
        raise InvalidParameterException(ONE_GROUP_PARAMETER)
    if len(params[given[0]]) > MAX_GROUPS and given[0] != "logGroupName":
        raise InvalidParameterException(f"A query can include up to {MAX_GROUPS} log groups.")
    if params["endTime"] < params["startTime"]:
        raise InvalidParameterException(END_BEFORE_START)
    try:
        compile_query(params.get("queryString") or "")
    except UnsupportedCommand as exc:
        raise AwsError("NotImplemented", exc.message, 501) from None
    except QuerySyntaxError as exc:
        raise AwsError("MalformedQueryException", exc.message, 400,
                       fields={"queryCompileError": exc.compile_error()}) from None


# strict mode runs these before authorizing (core's table of request checks, filled per concern)
REQUEST_CHECKS.update({
    "StartQuery": check_start_query,
    "GetQueryResults": lambda params: check_input("GetQueryResults", params),
    "StopQuery": lambda params: check_input("StopQuery", params),
    "DescribeQueries": lambda params: check_input("DescribeQueries", params),
    "PutQueryDefinition": lambda params: check_input("PutQueryDefinition", params),
    "DescribeQueryDefinitions": lambda params: check_input("DescribeQueryDefinitions", params),
    "DeleteQueryDefinition": lambda params: check_input("DeleteQueryDefinition", params),
    "GetLogGroupFields": lambda params: check_input("GetLogGroupFields", params),
    "GetLogRecord": lambda params: check_input("GetLogRecord", params),
})


def _run_in_reader(conn: sqlite3.Connection, handle: _RunningQuery, plan, sources, start_ms, end_ms, limit):
    """In the reader thread: the connection is made known to StopQuery while the query runs."""
    handle.attach(conn)
    try:
        if handle.cancelled:
            raise sqlite3.OperationalError("interrupted")
        return run(conn, plan, sources, start_ms, end_ms, limit)
    finally:
        handle.attach(None)
