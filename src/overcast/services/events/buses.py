"""Event buses: the default bus of every account and region (it exists without being created and
cannot be deleted) and custom buses (Create/Describe/List/Update/DeleteEventBus with
Description, KmsKeyIdentifier and DeadLetterConfig), plus the lookups every other concern uses
(``bus_row``, ``require_bus``)."""

from __future__ import annotations

import json

from overcast.services.events.arns import bus_arn, bus_name_of
from overcast.services.events.errors import (LimitExceededException, ResourceAlreadyExistsException,
                                             ResourceNotFoundException, ValidationException, bus_not_found)
from overcast.services.events.kms_keys import check_kms_key
from overcast.services.events.models import BUS_COLUMNS, DEFAULT_BUS, BusRow
from overcast.services.events.paging import page, read_token
from overcast.services.events.tags import check_tags
from overcast.services.events.validation import check_input
from overcast.storage.scope import Scope

MAX_BUSES = 100  # "Event buses: 100 per account" (EventBridge quotas), the default bus included
LIMIT_EXCEEDED = "The requested resource exceeds the maximum number allowed."


def _settings(bus: BusRow) -> dict:
    """KmsKeyIdentifier, DeadLetterConfig and LogConfig, when the bus has them."""
    out = {}
    if bus.kms_key_identifier:
        out["KmsKeyIdentifier"] = bus.kms_key_identifier
    if bus.dead_letter_arn:
        out["DeadLetterConfig"] = {"Arn": bus.dead_letter_arn}
    if bus.log_config:
        out["LogConfig"] = json.loads(bus.log_config)
    return out


def bus_view(bus: BusRow, *, listing: bool = False) -> dict:
    """DescribeEventBus's answer (ListEventBuses' items carry fewer fields)."""
    out = {"Name": bus.name, "Arn": bus.arn}
    if bus.description is not None:
        out["Description"] = bus.description
    if not listing:
        out.update(_settings(bus))
    if bus.policy is not None:
        out["Policy"] = bus.policy
    out["CreationTime"] = bus.created
    out["LastModifiedTime"] = bus.modified if bus.modified is not None else bus.created
    return out


def _dead_letter_arn(params: dict) -> str | None:
    config = params.get("DeadLetterConfig")
    return config.get("Arn") if isinstance(config, dict) else None


def _log_config(params: dict) -> str | None:
    config = params.get("LogConfig")
    return json.dumps(config, separators=(",", ":")) if config else None


def check_create(params: dict) -> None:
    """CreateEventBus's own checks of its parameters (before authorization in strict mode)."""
    check_input("CreateEventBus", params)
    name = params["Name"]
    if name.startswith("aws.") and not params.get("EventSourceName"):
        raise ValidationException("EventBus name starting with 'aws.' is not valid.")
    if "/" in name and not name.startswith("aws."):
        raise ValidationException("Event bus name must not contain '/'.")
    if params.get("EventSourceName") and params["EventSourceName"] != name:
        raise ValidationException("Event bus name must match event source name.")
    check_tags(params.get("Tags"))


class BusOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        # (account, region, name) -> BusRow: PutEvents looks its bus up for every entry; any
        # write to a bus empties it (``bus_changed``)
        self._buses: dict[tuple[str, str, str], BusRow] = {}

    # ------------------------------------------------------------------ lookups (contract)
    def bus_row(self, scope: Scope, name_or_arn: str | None) -> BusRow | None:
        """The bus a name or an ARN names (an ARN names its own account and region), or None.
        The default bus's row is written on first use of a scope."""
        arn_scope, name = bus_name_of(name_or_arn or DEFAULT_BUS)
        scope = arn_scope or scope
        key = (scope.account, scope.region, name)
        bus = self._buses.get(key)
        if bus is not None:
            return bus
        row = self.db.query_one(f"SELECT {BUS_COLUMNS} FROM event_buses WHERE account = ? AND region = ? AND name = ?",
                                (*scope, name))
        if row is not None:
            bus = self._buses[key] = BusRow.from_row(row)
            return bus
        if name != DEFAULT_BUS:
            return None
        return self._create_default_bus(scope)

    def bus_changed(self) -> None:
        """Forget the cached buses (after any write to ``event_buses``)."""
        self._buses.clear()

    def reset(self) -> None:
        self.bus_changed()
        super().reset()

    def require_bus(self, scope: Scope, name_or_arn: str | None) -> BusRow:
        bus = self.bus_row(scope, name_or_arn)
        if bus is None:
            raise bus_not_found(bus_name_of(name_or_arn)[1])
        return bus

    def _create_default_bus(self, scope: Scope) -> BusRow:
        now = self.clock.now()
        self.db.execute("INSERT OR IGNORE INTO event_buses (account, region, name, arn, created, modified) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (*scope, DEFAULT_BUS, bus_arn(scope, DEFAULT_BUS), now, now))
        row = self.db.query_one(f"SELECT {BUS_COLUMNS} FROM event_buses WHERE account = ? AND region = ? AND name = ?",
                                (*scope, DEFAULT_BUS))
        return BusRow.from_row(row)

    # ------------------------------------------------------------------ operations
    async def create_event_bus(self, ctx, params: dict) -> dict:
        check_create(params)
        scope = Scope.of(ctx)
        name = params["Name"]
        if params.get("EventSourceName"):  # partner event sources are not offered: none exists
            raise ResourceNotFoundException(f"Event source {params['EventSourceName']} does not exist.")
        # the key is looked up first: nothing may come between the checks below and the insert
        await check_kms_key(ctx, params.get("KmsKeyIdentifier"))
        self.bus_row(scope, DEFAULT_BUS)  # the default bus counts toward the limit
        if self.bus_row(scope, name) is not None:
            raise ResourceAlreadyExistsException(f"Event bus {name} already exists.")
        (count,) = self.db.query_one("SELECT COUNT(*) FROM event_buses WHERE account = ? AND region = ?", scope)
        if count >= MAX_BUSES:
            raise LimitExceededException(LIMIT_EXCEEDED)
        now = self.clock.now()
        arn = bus_arn(scope, name)
        with self.db.transaction():
            self.db.execute("INSERT INTO event_buses (account, region, name, arn, description, kms_key_identifier, "
                            "dead_letter_arn, log_config, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (*scope, name, arn, params.get("Description"), params.get("KmsKeyIdentifier") or None,
                             _dead_letter_arn(params), _log_config(params), now, now))
            self.write_tags(arn, params.get("Tags"))
        self.bus_changed()
        out = {"EventBusArn": arn}
        for key in ("Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig"):
            if params.get(key):
                out[key] = params[key]
        return out

    def describe_event_bus(self, ctx, params: dict) -> dict:
        check_input("DescribeEventBus", params)
        return bus_view(self.require_bus(Scope.of(ctx), params.get("Name")))

    def list_event_buses(self, ctx, params: dict) -> dict:
        check_input("ListEventBuses", params)
        scope = Scope.of(ctx)
        self.bus_row(scope, DEFAULT_BUS)
        after = read_token(params.get("NextToken"))
        prefix = params.get("NamePrefix") or ""
        rows = self.db.query(f"SELECT {BUS_COLUMNS} FROM event_buses WHERE account = ? AND region = ? "
                             "AND substr(name, 1, ?) = ? AND name > ? ORDER BY name",
                             (*scope, len(prefix), prefix, after or ""))
        buses, token = page([BusRow.from_row(r) for r in rows], params.get("Limit"), lambda b: b.name)
        out = {"EventBuses": [bus_view(b, listing=True) for b in buses]}
        if token:
            out["NextToken"] = token
        return out

    async def update_event_bus(self, ctx, params: dict) -> dict:
        check_input("UpdateEventBus", params)
        bus = self.require_bus(Scope.of(ctx), params.get("Name"))
        await check_kms_key(ctx, params.get("KmsKeyIdentifier"))
        changes = {}
        if "Description" in params:
            changes["description"] = params["Description"]
        if "KmsKeyIdentifier" in params:
            changes["kms_key_identifier"] = params["KmsKeyIdentifier"] or None
        if "DeadLetterConfig" in params:
            changes["dead_letter_arn"] = _dead_letter_arn(params)
        if "LogConfig" in params:
            changes["log_config"] = _log_config(params)
        changes["modified"] = self.clock.now()
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self.db.execute(f"UPDATE event_buses SET {assignments} WHERE bus_id = ?", (*changes.values(), bus.bus_id))
        self.bus_changed()
        bus = self.require_bus(bus.scope, bus.name)
        out = {"Arn": bus.arn, "Name": bus.name, **_settings(bus)}
        if bus.description is not None:
            out["Description"] = bus.description
        return out

    def delete_event_bus(self, ctx, params: dict) -> dict:
        check_input("DeleteEventBus", params)
        name = params["Name"]
        if bus_name_of(name)[1] == DEFAULT_BUS:
            raise ValidationException("Cannot delete event bus default.")
        bus = self.bus_row(Scope.of(ctx), name)
        if bus is None:  # deleting a bus that is not there succeeds, as on AWS
            return {}
        (rules,) = self.db.query_one("SELECT COUNT(*) FROM rules WHERE bus_id = ?", (bus.bus_id,))
        if rules:
            raise ValidationException("EventBus can't be deleted since it has rules.")
        with self.db.transaction():
            self.db.execute("DELETE FROM event_buses WHERE bus_id = ?", (bus.bus_id,))
            self.drop_tags(bus.arn)
        self.bus_changed()
        return {}
