"""Event buses: the default bus of every account and region (it exists without being created)
and custom buses (Create/Describe/List/Update/DeleteEventBus), plus the lookups every other
concern uses (``bus_row``, ``require_bus``)."""

from __future__ import annotations

from overcast.services.events.arns import bus_arn, bus_name_of
from overcast.services.events.errors import bus_not_found
from overcast.services.events.models import BUS_COLUMNS, DEFAULT_BUS, BusRow
from overcast.storage.scope import Scope


class BusOperations:
    # ------------------------------------------------------------------ lookups (contract)
    def bus_row(self, scope: Scope, name_or_arn: str | None) -> BusRow | None:
        """The bus a name or an ARN names (an ARN names its own account and region), or None.
        The default bus's row is written on first use of a scope."""
        arn_scope, name = bus_name_of(name_or_arn or DEFAULT_BUS)
        scope = arn_scope or scope
        row = self.db.query_one(f"SELECT {BUS_COLUMNS} FROM event_buses WHERE account = ? AND region = ? AND name = ?",
                                (*scope, name))
        if row is not None:
            return BusRow.from_row(row)
        if name != DEFAULT_BUS:
            return None
        return self._create_default_bus(scope)

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
