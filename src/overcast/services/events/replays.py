"""Replays: StartReplay, DescribeReplay, CancelReplay, ListReplays.

A replay sends an archive's events ingested in [EventStartTime, EventEndTime) back onto the
archive's bus, each with a ``replay-name`` field added to its envelope, through dispatch's
``accept_events``: to every rule of the bus whose pattern matches, or only to the rules named
in Destination.FilterArns. The archive's own managed rule never matches a replayed event
(its pattern requires ``replay-name`` to be absent), so nothing is archived twice.

States, on the cloud clock: STARTING until ``START_DELAY`` seconds after StartReplay (a
durable ``events.replay`` timer), then RUNNING while batches of ``BATCH`` events go out on the
event loop (never inside a request), then COMPLETED; CancelReplay makes a STARTING replay
CANCELLED at once and a RUNNING one CANCELLING until its current batch is out, then
CANCELLED. ``cursor`` (the last archived event replayed) is stored after every batch, so a
replay a restart interrupted resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import json
import logging

from overcast.errors import AwsError
from overcast.services.events.arns import events_arn, split_arn
from overcast.services.events.errors import (IllegalStatusException, ResourceAlreadyExistsException,
                                             ResourceNotFoundException, ValidationException)
from overcast.services.events.models import RULE_COLUMNS, RuleRow
from overcast.services.events.paging import page, read_token
from overcast.services.events.validation import check_input
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.events.replays")

TIMER_KIND = "events.replay"
START_DELAY = 2.0  # seconds of cloud time a replay stays STARTING
BATCH = 100
STARTING, RUNNING, CANCELLING, COMPLETED, CANCELLED, FAILED = (
    "STARTING", "RUNNING", "CANCELLING", "COMPLETED", "CANCELLED", "FAILED")
_COLUMNS = ("replay_id, account, region, name, arn, archive_arn, description, destination_arn, filter_arns, "
            "event_start, event_end, state, state_reason, replay_start, replay_end, last_replayed, cursor")
_KEYS = tuple(c.strip() for c in _COLUMNS.split(","))


def replay_not_found(name: str) -> AwsError:
    return ResourceNotFoundException(f"Replay {name} does not exist.")


def _epoch(value) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


def check_start_replay(params: dict) -> None:
    """StartReplay's own parameters (before authorization in strict mode)."""
    check_input("StartReplay", params)
    found = split_arn(params["Destination"]["Arn"])
    if found is None or not found[1].startswith("event-bus/"):
        raise ValidationException("Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.")
    if _epoch(params["EventEndTime"]) <= _epoch(params["EventStartTime"]):
        raise ValidationException("Parameter EventEndTime is not valid. "
                                  "Reason: EventStartTime must be before EventEndTime.")


def check_list_replays(params: dict) -> None:
    check_input("ListReplays", params)
    if sum(params.get(key) is not None for key in ("NamePrefix", "State", "EventSourceArn")) > 1:
        raise ValidationException("At most one filter is allowed for ListReplays. "
                                  "Use either : State, EventSourceArn, or NamePrefix.")


class ReplayOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._replay_tasks: dict[int, asyncio.Task] = {}
        cloud.scheduler.on(TIMER_KIND, self._on_replay_due)

    async def start(self) -> None:
        await super().start()
        for (replay_id,) in self.db.query("SELECT replay_id FROM replays WHERE state IN (?, ?)",
                                          (RUNNING, CANCELLING)):
            self._run_in_background(replay_id)

    async def stop(self) -> None:
        tasks = list(self._replay_tasks.values())
        self._replay_tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping anyway
                pass
        await super().stop()

    def reset(self) -> None:
        for task in self._replay_tasks.values():
            task.cancel()
        self._replay_tasks.clear()
        super().reset()

    # ------------------------------------------------------------------ rows
    def _replay(self, scope: Scope, name: str) -> dict | None:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM replays WHERE account = ? AND region = ? AND name = ?",
                                (*scope, name))
        return dict(zip(_KEYS, row)) if row else None

    def _replay_by_id(self, replay_id: int) -> dict | None:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM replays WHERE replay_id = ?", (replay_id,))
        return dict(zip(_KEYS, row)) if row else None

    def _set_replay_state(self, replay_id: int, state: str, *, reason: str | None = None, ended: bool = False) -> None:
        self.db.execute("UPDATE replays SET state = ?, state_reason = ?, replay_end = CASE WHEN ? THEN ? "
                        "ELSE replay_end END WHERE replay_id = ?",
                        (state, reason, ended, self.clock.now(), replay_id))

    # ------------------------------------------------------------------ operations
    def start_replay(self, ctx, params: dict) -> dict:
        check_start_replay(params)
        scope = Scope.of(ctx)
        name = params["ReplayName"]
        destination = params["Destination"]
        if self._replay(scope, name) is not None:
            raise ResourceAlreadyExistsException(f"Replay {name} already exists.")
        start, end = _epoch(params["EventStartTime"]), _epoch(params["EventEndTime"])
        source = params["EventSourceArn"]
        archive_name = source.rsplit("/", 1)[-1]
        archive = self.archive_row(scope, archive_name)
        if archive is None or archive["arn"] != source:
            raise ValidationException(f"Parameter EventSourceArn is not valid. "
                                      f"Reason: Archive {archive_name} does not exist.")
        bus = self.bus_row(scope, destination["Arn"])
        if bus is None or bus.arn != archive["bus_arn"]:
            raise ValidationException("Parameter Destination.Arn is not valid. "
                                      "Reason: Cross event bus replay is not permitted.")
        filter_arns = destination.get("FilterArns")
        for arn in filter_arns or ():
            self._replay_filter_rule(scope, bus, arn)
        now = self.clock.now()
        arn = events_arn(scope, f"replay/{name}")
        self.db.execute(
            "INSERT INTO replays (account, region, name, arn, archive_arn, description, destination_arn, filter_arns, "
            "event_start, event_end, state, replay_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*scope, name, arn, archive["arn"], params.get("Description"), bus.arn,
             json.dumps(filter_arns) if filter_arns is not None else None, start, end, STARTING, now))
        replay_id = self._replay(scope, name)["replay_id"]
        self.cloud.scheduler.schedule(now + START_DELAY, TIMER_KIND, {"replay_id": replay_id})
        return {"ReplayArn": arn, "State": STARTING, "ReplayStartTime": now}

    def _replay_filter_rule(self, scope: Scope, bus, arn: str):
        found = split_arn(arn)
        resource = found[1] if found else ""
        if not resource.startswith("rule/"):
            raise ValidationException("Parameter Destination.FilterArns is not valid. "
                                      "Reason: Rule must be on the destination event bus.")
        bus_name, _, rule_name = resource[len("rule/"):].rpartition("/")
        if found[0] != scope or (bus_name or "default") != bus.name:
            raise ValidationException("Parameter Destination.FilterArns is not valid. "
                                      "Reason: Rule must be on the destination event bus.")
        return self.require_rule(scope, bus.arn, rule_name)

    def describe_replay(self, ctx, params: dict) -> dict:
        check_input("DescribeReplay", params)
        replay = self._replay(Scope.of(ctx), params["ReplayName"])
        if replay is None:
            raise replay_not_found(params["ReplayName"])
        out = {"ReplayName": replay["name"], "ReplayArn": replay["arn"]}
        if replay["description"] is not None:
            out["Description"] = replay["description"]
        destination = {"Arn": replay["destination_arn"]}
        if replay["filter_arns"] is not None:
            destination["FilterArns"] = json.loads(replay["filter_arns"])
        out.update(self._replay_summary(replay, with_name=False))
        out["Destination"] = destination
        return out

    def cancel_replay(self, ctx, params: dict) -> dict:
        check_input("CancelReplay", params)
        name = params["ReplayName"]
        replay = self._replay(Scope.of(ctx), name)
        if replay is None:
            raise replay_not_found(name)
        if replay["state"] not in (STARTING, RUNNING):
            raise IllegalStatusException(f"Replay {name} is not in a valid state for this operation.")
        if replay["state"] == STARTING:  # nothing sent yet: it stops here (its timer finds it cancelled)
            self._set_replay_state(replay["replay_id"], CANCELLED, ended=True)
        else:  # the running batch finishes, then the replay stops
            self._set_replay_state(replay["replay_id"], CANCELLING)
        return {"ReplayArn": replay["arn"], "State": CANCELLING}

    def list_replays(self, ctx, params: dict) -> dict:
        check_list_replays(params)
        scope = Scope.of(ctx)
        after = read_token(params.get("NextToken"))
        sql = f"SELECT {_COLUMNS} FROM replays WHERE account = ? AND region = ?"
        args: list = [*scope]
        if params.get("NamePrefix") is not None:
            sql += " AND substr(name, 1, ?) = ?"
            args += [len(params["NamePrefix"]), params["NamePrefix"]]
        if params.get("State") is not None:
            sql += " AND state = ?"
            args.append(params["State"])
        if params.get("EventSourceArn") is not None:
            sql += " AND archive_arn = ?"
            args.append(params["EventSourceArn"])
        if after is not None:
            sql += " AND name > ?"
            args.append(after)
        replays = [dict(zip(_KEYS, row)) for row in self.db.query(sql + " ORDER BY name", args)]
        replays, token = page(replays, params.get("Limit"), lambda r: r["name"])
        out = {"Replays": [self._replay_summary(r) for r in replays]}
        if token is not None:
            out["NextToken"] = token
        return out

    @staticmethod
    def _replay_summary(replay: dict, with_name: bool = True) -> dict:
        out = {"ReplayName": replay["name"]} if with_name else {}
        out.update(EventSourceArn=replay["archive_arn"], State=replay["state"])
        if replay["state_reason"]:
            out["StateReason"] = replay["state_reason"]
        out.update(EventStartTime=replay["event_start"], EventEndTime=replay["event_end"])
        if replay["last_replayed"] is not None:
            out["EventLastReplayedTime"] = replay["last_replayed"]
        out["ReplayStartTime"] = replay["replay_start"]
        if replay["replay_end"] is not None:
            out["ReplayEndTime"] = replay["replay_end"]
        return out

    # ------------------------------------------------------------------ the replay itself
    def _on_replay_due(self, payload: dict) -> None:
        replay = self._replay_by_id(int(payload.get("replay_id") or 0))
        if replay is None or replay["state"] != STARTING:  # cancelled (or reset) meanwhile
            return
        self._set_replay_state(replay["replay_id"], RUNNING)
        self._run_in_background(replay["replay_id"])

    def _run_in_background(self, replay_id: int) -> None:
        if replay_id in self._replay_tasks:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a provider used outside the server): start() resumes it
        task = loop.create_task(self._run_replay(replay_id), name=f"events-replay-{replay_id}")
        self._replay_tasks[replay_id] = task
        task.add_done_callback(lambda _: self._replay_tasks.pop(replay_id, None))

    async def _run_replay(self, replay_id: int) -> None:
        try:
            while await self._replay_batch(replay_id):
                await asyncio.sleep(0)  # requests and deliveries go on between batches
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the replay fails; the server goes on
            log.exception("replay %s failed", replay_id)
            self._set_replay_state(replay_id, FAILED, reason=str(exc)[:512], ended=True)

    async def _replay_batch(self, replay_id: int) -> bool:
        """Send the next batch; whether there may be more."""
        replay = self._replay_by_id(replay_id)
        if replay is None:
            return False
        if replay["state"] == CANCELLING:
            self._set_replay_state(replay_id, CANCELLED, ended=True)
            return False
        if replay["state"] != RUNNING:
            return False
        scope = Scope(replay["account"], replay["region"])
        archive = self.archive_row(scope, replay["archive_arn"].rsplit("/", 1)[-1])
        bus = self.bus_row(scope, replay["destination_arn"])
        if archive is None or archive["arn"] != replay["archive_arn"] or bus is None:
            reason = "The archive or the event bus of the replay no longer exists."
            self._set_replay_state(replay_id, FAILED, reason=reason, ended=True)
            return False
        rows = self.db.query(
            "SELECT seq, ingested, event FROM archived_events WHERE archive_id = ? AND ingested >= ? AND ingested < ? "
            "AND seq > ? ORDER BY seq LIMIT ?",
            (archive["id"], replay["event_start"], replay["event_end"], replay["cursor"], BATCH))
        if not rows:
            self._set_replay_state(replay_id, COMPLETED, ended=True)
            return False
        events = []
        for _, _, text in rows:
            event = json.loads(text)
            event["replay-name"] = replay["name"]
            events.append(event)
        self._send_replayed(scope, bus, events, replay)
        self.db.execute("UPDATE replays SET cursor = ?, last_replayed = ? WHERE replay_id = ?",
                        (rows[-1][0], max(row[1] for row in rows), replay_id))
        return True

    def _send_replayed(self, scope: Scope, bus, events: list[dict], replay: dict) -> None:
        if replay["filter_arns"] is None:
            self.accept_events(scope, bus, events, replay_name=replay["name"])
            return
        from overcast.services.events.event_patterns import compile_event_pattern

        arns = json.loads(replay["filter_arns"])
        marks = ",".join("?" * len(arns))
        rules = [RuleRow.from_row(row) for row in self.db.query(
            f"SELECT {RULE_COLUMNS} FROM rules r JOIN event_buses b ON b.bus_id = r.bus_id "
            f"WHERE r.bus_id = ? AND r.arn IN ({marks}) ORDER BY r.name", (bus.bus_id, *arns))] if arns else []
        rules = [rule for rule in rules if rule.enabled and rule.event_pattern]
        for event in events:
            matched = [rule for rule in rules if compile_event_pattern(rule.event_pattern).matches(event)]
            if matched:
                self.accept_events(scope, bus, [event], rules=matched, replay_name=replay["name"])
