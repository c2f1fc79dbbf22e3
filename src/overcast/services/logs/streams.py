"""Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams."""

from __future__ import annotations

from overcast.services.logs.errors import (InvalidParameterException, ResourceAlreadyExistsException,
                                           stream_not_found)
from overcast.services.logs.groups import next_id
from overcast.services.logs.identifiers import name_or_identifier, reject_name_and_arn
from overcast.services.logs.models import GroupRow
from overcast.services.logs.paging import make_token, read_token
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

STREAM_EXISTS = "The specified log stream already exists"
ORDER_WITH_PREFIX = "Cannot order by LastEventTime with a logStreamNamePrefix."
DEFAULT_LIMIT = 50  # "If you don't specify a value, the default is up to 50 items"
_COLUMNS = "stream_id, name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms"


def stream_arn(group: GroupRow, name: str) -> str:
    return f"{group.log_group_arn}:log-stream:{name}"


def check_stream_order(params: dict) -> None:
    if params.get("orderBy") == "LastEventTime" and params.get("logStreamNamePrefix") is not None:
        raise InvalidParameterException(ORDER_WITH_PREFIX)


class StreamOperations:
    def stream_id(self, group_id: int, name: str) -> int | None:
        row = self.db.query_one("SELECT stream_id FROM log_streams WHERE group_id = ? AND name = ?", (group_id, name))
        return row[0] if row else None

    def insert_stream(self, group_id: int, name: str) -> int:
        """A new stream of the group (the caller checked it does not exist)."""
        stream_id = next_id(self.db, "stream")
        self.db.execute("INSERT INTO log_streams (stream_id, group_id, name, created_ms) VALUES (?, ?, ?, ?)",
                        (stream_id, group_id, name, int(self.clock.now() * 1000)))
        return stream_id

    def create_log_stream(self, ctx, params: dict) -> dict:
        check_input("CreateLogStream", params)
        group = self.require_group(Scope.of(ctx), params["logGroupName"])
        with self.db.transaction():
            if self.stream_id(group.group_id, params["logStreamName"]) is not None:
                raise ResourceAlreadyExistsException(STREAM_EXISTS)
            self.insert_stream(group.group_id, params["logStreamName"])
        return {}

    def delete_log_stream(self, ctx, params: dict) -> dict:
        check_input("DeleteLogStream", params)
        group = self.require_group(Scope.of(ctx), params["logGroupName"])
        row = self.db.query_one("SELECT stream_id, stored_bytes FROM log_streams WHERE group_id = ? AND name = ?",
                                (group.group_id, params["logStreamName"]))
        if row is None:
            raise stream_not_found()
        with self.db.transaction():
            self.db.execute("DELETE FROM log_events WHERE stream_id = ?", (row[0],))
            self.db.execute("DELETE FROM log_streams WHERE stream_id = ?", (row[0],))
            self.db.execute("UPDATE log_groups SET stored_bytes = stored_bytes - ? WHERE group_id = ?",
                            (row[1], group.group_id))
        return {}

    def describe_log_streams(self, ctx, params: dict) -> dict:
        check_input("DescribeLogStreams", params)
        reject_name_and_arn(params)
        check_stream_order(params)
        scope = Scope.of(ctx)
        group = self.require_group(scope, name_or_identifier(scope, params))
        by_time = params.get("orderBy") == "LastEventTime"
        descending = bool(params.get("descending"))
        limit = params.get("limit") or DEFAULT_LIMIT
        prefix = params.get("logStreamNamePrefix")
        after = read_token("streams", params.get("nextToken"))
        direction = "DESC" if descending else "ASC"
        sql = f"SELECT {_COLUMNS} FROM log_streams WHERE group_id = ?"
        args: list = [group.group_id]
        if prefix is not None:
            # a range on the name (not LIKE: names may hold % and _, and LIKE ignores case)
            sql += " AND name >= ? AND substr(name, 1, ?) = ?"
            args += [prefix, len(prefix), prefix]
        if by_time:
            key = "COALESCE(last_event_ms, -1)"
            if after is not None:
                op = "<" if descending else ">"
                sql += f" AND ({key} {op} ? OR ({key} = ? AND name {op} ?))"
                args += [after[0], after[0], after[1]]
            sql += f" ORDER BY {key} {direction}, name {direction}"
        else:
            if after is not None:
                sql += " AND name < ?" if descending else " AND name > ?"
                args.append(after[1])
            sql += f" ORDER BY name {direction}"
        rows = self.db.query(sql + " LIMIT ?", [*args, limit + 1])
        out = {"logStreams": [_view(group, row) for row in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            out["nextToken"] = make_token("streams", [last[4] if last[4] is not None else -1, last[1]])
        return out


def _view(group: GroupRow, row: tuple) -> dict:
    stream_id, name, created, first, last, ingested = row
    out = {"logStreamName": name, "creationTime": created, "arn": stream_arn(group, name),
           # "no longer supported for log streams, and is always reported as zero"
           "storedBytes": 0}
    if first is not None:
        out.update(firstEventTimestamp=first, lastEventTimestamp=last, lastIngestionTime=ingested,
                   uploadSequenceToken=f"{stream_id:020d}{ingested:016d}")
    return out
