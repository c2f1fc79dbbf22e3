"""Archives: Create/Describe/Update/Delete/ListArchives.

An archive is, as on AWS, a managed rule ``Events-Archive-<name>`` on its bus (ManagedBy
``prod.vhs.events.aws.internal``, the service AWS shows) whose pattern is the archive's
EventPattern plus ``"replay-name": [{"exists": false}]`` (so a replayed event is never
archived again), and whose one target is the archive itself: dispatch hands what the rule
matched to the ``archive`` sender registered here, which stores it with its ingestion time
(``archived_events``). EventCount and SizeBytes are counted from those rows; RetentionDays
ages them on the cloud clock (0 keeps them forever).

The target is the one AWS shows: Arn ``arn:aws:events:<region>:::`` (dispatch's kind
``events``, which nothing but an archive target has: PutTargets refuses that ARN) and an
InputTransformer whose template names the archive (``archive-arn``: its ARN and, after a colon,
the id of this incarnation of it, so an event matched for an archive since deleted and created
again is not kept by the new one).
"""

from __future__ import annotations

import json
import logging
import uuid

from overcast.errors import AwsError
from overcast.services.events.arns import events_arn
from overcast.storage.scope import partition_of
from overcast.services.events.errors import (InvalidEventPatternException, ResourceAlreadyExistsException,
                                             ResourceNotFoundException, ValidationException, bus_not_found)
from overcast.services.events.kms_keys import check_kms_key
from overcast.services.events.paging import page, read_token
from overcast.services.events.service_event_handler import ServiceEventHandler
from overcast.services.events.validation import check_input
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.events.archives")

RULE_PREFIX = "Events-Archive-"
MANAGED_BY = "prod.vhs.events.aws.internal"
NOT_REPLAYED = {"replay-name": [{"exists": False}]}
DAY = 86400
ENABLED = "ENABLED"
TARGET_KIND = "events"  # dispatch's kind of the target ARN arn:aws:events:<region>:::
_COLUMNS = ("archive_id, name, arn, bus_arn, rule_id, description, event_pattern, retention_days, "
            "kms_key_identifier, state, created")


def archive_arn(scope: Scope, name: str) -> str:
    return events_arn(scope, f"archive/{name}")


def archive_not_found(name: str) -> AwsError:
    return ResourceNotFoundException(f"Archive {name} does not exist.")


def archive_incarnation(arn: str, created: float) -> str:
    """The id after the archive's ARN in its target's ``archive-arn`` (stable, no column)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}@{created!r}"))


def archive_target(scope: Scope, rule_name: str, arn: str, created: float) -> dict:
    """The managed rule's target, as ListTargetsByRule shows it on AWS."""
    template = (f'{{"archive-arn": "{arn}:{archive_incarnation(arn, created)}",'
                '"event": <aws.events.event.json>,"ingestion-time": <aws.events.event.ingestion-time>}')
    return {"Id": rule_name, "Arn": f"arn:{partition_of(scope.region)}:events:{scope.region}:::",
            "InputTransformer": {"InputPathsMap": {}, "InputTemplate": template}}


def rule_pattern(archive_pattern: str | None) -> str:
    """The managed rule's pattern: the archive's, never matching a replayed event."""
    pattern = json.loads(archive_pattern) if archive_pattern else {}
    pattern.update(NOT_REPLAYED)
    return json.dumps(pattern, separators=(",", ":"))


def check_event_pattern(text: str | None) -> None:
    """An archive's EventPattern must be a valid pattern (InvalidEventPatternException)."""
    if text is None:
        return
    from overcast.services.events.event_patterns import InvalidEventPattern, compile_event_pattern

    try:
        compile_event_pattern(text)
    except InvalidEventPattern as exc:
        raise InvalidEventPatternException(str(exc)) from None


def check_create_archive(params: dict) -> None:
    """CreateArchive's own parameters (before authorization in strict mode)."""
    check_input("CreateArchive", params)
    check_event_pattern(params.get("EventPattern"))


def check_update_archive(params: dict) -> None:
    check_input("UpdateArchive", params)
    check_event_pattern(params.get("EventPattern"))


def check_list_archives(params: dict) -> None:
    check_input("ListArchives", params)
    if sum(params.get(key) is not None for key in ("NamePrefix", "EventSourceArn", "State")) > 1:
        raise ValidationException("At most one filter is allowed for ListArchives. "
                                  "Use either : State, EventSourceArn, or NamePrefix.")


class ArchiveOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self.service_event_handler = ServiceEventHandler(self)  # Overcast's own services' events
        cloud.scheduler.every(DAY, self._expire_archived_events)

    async def start(self) -> None:
        await super().start()
        # here, not in __init__: dispatch sets up its senders after the mixins' __init__
        self.register_sender(TARGET_KIND, self._archive_event)

    # ------------------------------------------------------------------ the archive target
    async def _archive_event(self, delivery) -> None:
        try:
            reference = json.loads(delivery.input_text)["archive-arn"]
        except (ValueError, TypeError, KeyError):
            log.warning("an archive target without its archive-arn: %r", delivery.target)
            return
        arn, _, incarnation = reference.rpartition(":")
        row = self.db.query_one("SELECT archive_id, created FROM archives WHERE arn = ?", (arn,))
        if row is None or archive_incarnation(arn, row[1]) != incarnation:
            return  # deleted since the event matched: nothing keeps it
        text = json.dumps(delivery.event, separators=(",", ":"), ensure_ascii=False)
        self.db.execute("INSERT INTO archived_events (archive_id, ingested, size, event) VALUES (?, ?, ?, ?)",
                        (row[0], delivery.first_attempt, len(text.encode()), text))

    def _expire_archived_events(self) -> None:
        """Drop what each archive's RetentionDays no longer keeps."""
        self.db.execute(
            "DELETE FROM archived_events WHERE seq IN (SELECT e.seq FROM archived_events e JOIN archives a "
            "ON a.archive_id = e.archive_id WHERE a.retention_days > 0 AND e.ingested < ? - a.retention_days * ?)",
            (self.clock.now(), DAY))

    # ------------------------------------------------------------------ lookups
    def archive_row(self, scope: Scope, name: str) -> dict | None:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM archives WHERE account = ? AND region = ? AND name = ?",
                                (*scope, name))
        return _archive(row) if row else None

    def _archive_counts(self, archive_ids: list[int]) -> dict[int, tuple[int, int]]:
        if not archive_ids:
            return {}
        self._expire_archived_events()
        marks = ",".join("?" * len(archive_ids))
        rows = self.db.query(f"SELECT archive_id, COUNT(*), COALESCE(SUM(size), 0) FROM archived_events "
                             f"WHERE archive_id IN ({marks}) GROUP BY archive_id", archive_ids)
        return {row[0]: (row[1], row[2]) for row in rows}

    # ------------------------------------------------------------------ operations
    async def create_archive(self, ctx, params: dict) -> dict:
        check_create_archive(params)
        # the key is looked up first: nothing may come between the checks below and the insert
        await check_kms_key(ctx, params.get("KmsKeyIdentifier"))
        scope = Scope.of(ctx)
        name, source = params["ArchiveName"], params["EventSourceArn"]
        pattern = params.get("EventPattern")
        if self.archive_row(scope, name) is not None:
            raise ResourceAlreadyExistsException(f"Archive {name} already exists.")
        bus = self.bus_row(scope, source) if source.startswith("arn:") else None
        if bus is None or bus.scope != scope:
            raise bus_not_found(source.rsplit("/", 1)[-1])
        now = self.clock.now()
        arn = archive_arn(scope, name)
        rule_name = RULE_PREFIX + name
        taken = self.rule_row(scope, bus.arn, rule_name)
        if taken is not None and taken.managed_by != MANAGED_BY:  # the caller's own rule is not taken over
            raise ResourceAlreadyExistsException(f"Rule {rule_name} already exists.")
        with self.db.transaction():
            rule = self.put_managed_rule(scope, bus, rule_name, rule_pattern(pattern), MANAGED_BY)
            self.store_targets(rule, [archive_target(scope, rule_name, arn, now)])
            self.db.execute(
                "INSERT INTO archives (account, region, name, arn, bus_arn, rule_id, description, event_pattern, "
                "retention_days, kms_key_identifier, state, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*scope, name, arn, bus.arn, rule.rule_id, params.get("Description"), pattern,
                 params.get("RetentionDays") or 0, params.get("KmsKeyIdentifier"), ENABLED, now))
        return {"ArchiveArn": arn, "State": ENABLED, "CreationTime": now}

    def describe_archive(self, ctx, params: dict) -> dict:
        check_input("DescribeArchive", params)
        archive = self.archive_row(Scope.of(ctx), params["ArchiveName"])
        if archive is None:
            raise archive_not_found(params["ArchiveName"])
        count, size = self._archive_counts([archive["id"]]).get(archive["id"], (0, 0))
        out = {"ArchiveArn": archive["arn"], "ArchiveName": archive["name"], "EventSourceArn": archive["bus_arn"]}
        if archive["description"] is not None:
            out["Description"] = archive["description"]
        if archive["event_pattern"] is not None:
            out["EventPattern"] = archive["event_pattern"]
        out["State"] = archive["state"]
        if archive["kms_key_identifier"]:
            out["KmsKeyIdentifier"] = archive["kms_key_identifier"]
        out.update(RetentionDays=archive["retention_days"], SizeBytes=size, EventCount=count,
                   CreationTime=archive["created"])
        return out

    async def update_archive(self, ctx, params: dict) -> dict:
        check_update_archive(params)
        await check_kms_key(ctx, params.get("KmsKeyIdentifier"))
        scope = Scope.of(ctx)
        name = params["ArchiveName"]
        pattern = params.get("EventPattern")
        archive = self.archive_row(scope, name)
        if archive is None:
            raise archive_not_found(name)
        sets, args = [], []
        for member, column in (("Description", "description"), ("EventPattern", "event_pattern"),
                               ("RetentionDays", "retention_days"), ("KmsKeyIdentifier", "kms_key_identifier")):
            if params.get(member) is not None:
                sets.append(f"{column} = ?")
                args.append(params[member])
        with self.db.transaction():
            if sets:
                self.db.execute(f"UPDATE archives SET {', '.join(sets)} WHERE archive_id = ?", (*args, archive["id"]))
            if pattern is not None:
                bus = self.bus_row(scope, archive["bus_arn"])
                if bus is not None:
                    self.put_managed_rule(scope, bus, RULE_PREFIX + name, rule_pattern(pattern), MANAGED_BY)
        return {"ArchiveArn": archive["arn"], "State": archive["state"], "CreationTime": archive["created"]}

    def delete_archive(self, ctx, params: dict) -> dict:
        check_input("DeleteArchive", params)
        scope = Scope.of(ctx)
        name = params["ArchiveName"]
        archive = self.archive_row(scope, name)
        if archive is None:
            raise archive_not_found(name)
        with self.db.transaction():
            bus = self.bus_row(scope, archive["bus_arn"])
            if bus is not None:
                self.delete_managed_rule(scope, bus, RULE_PREFIX + name)
            self.db.execute("DELETE FROM archived_events WHERE archive_id = ?", (archive["id"],))
            self.db.execute("DELETE FROM archives WHERE archive_id = ?", (archive["id"],))
        return {}

    def list_archives(self, ctx, params: dict) -> dict:
        check_list_archives(params)
        scope = Scope.of(ctx)
        after = read_token(params.get("NextToken"))
        sql = f"SELECT {_COLUMNS} FROM archives WHERE account = ? AND region = ?"
        args: list = [*scope]
        if params.get("NamePrefix") is not None:
            sql += " AND substr(name, 1, ?) = ?"
            args += [len(params["NamePrefix"]), params["NamePrefix"]]
        if params.get("EventSourceArn") is not None:
            source = params["EventSourceArn"]
            bus = self.bus_row(scope, source)
            if bus is None:
                raise bus_not_found(source.rsplit("/", 1)[-1])
            sql += " AND bus_arn = ?"
            args.append(bus.arn)
        if params.get("State") is not None:
            sql += " AND state = ?"
            args.append(params["State"])
        if after is not None:
            sql += " AND name > ?"
            args.append(after)
        archives = [_archive(row) for row in self.db.query(sql + " ORDER BY name", args)]
        archives, token = page(archives, params.get("Limit"), lambda a: a["name"])
        counts = self._archive_counts([a["id"] for a in archives])
        out = {"Archives": [{"ArchiveName": a["name"], "EventSourceArn": a["bus_arn"], "State": a["state"],
                             "RetentionDays": a["retention_days"],
                             "SizeBytes": counts.get(a["id"], (0, 0))[1], "EventCount": counts.get(a["id"], (0, 0))[0],
                             "CreationTime": a["created"]} for a in archives]}
        if token is not None:
            out["NextToken"] = token
        return out


def _archive(row) -> dict:
    keys = ("id", "name", "arn", "bus_arn", "rule_id", "description", "event_pattern", "retention_days",
            "kms_key_identifier", "state", "created")
    return dict(zip(keys, row))
