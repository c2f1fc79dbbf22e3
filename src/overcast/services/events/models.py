"""The rows the EventBridge concerns share (binding between the helpers: ``events-contract``).

A bus is one ``event_buses`` row; a rule one ``rules`` row, carrying its bus's name so no
concern needs a second lookup to answer ``EventBusName`` or build the rule's ARN."""

from __future__ import annotations

from dataclasses import dataclass

from overcast.storage.scope import Scope

DEFAULT_BUS = "default"

BUS_COLUMNS = ("bus_id, account, region, name, arn, description, kms_key_identifier, dead_letter_arn, policy, "
               "created, modified, log_config")
RULE_COLUMNS = ("r.rule_id, r.bus_id, b.name, r.account, r.region, r.name, r.arn, r.event_pattern, "
                "r.schedule_expression, r.state, r.description, r.role_arn, r.managed_by, r.created_by, r.created")


@dataclass(frozen=True)
class BusRow:
    """One event bus as stored (``event_buses``)."""

    bus_id: int
    account: str
    region: str
    name: str
    arn: str
    description: str | None
    kms_key_identifier: str | None
    dead_letter_arn: str | None
    policy: str | None
    created: float
    modified: float | None = None
    log_config: str | None = None  # LogConfig as JSON (buses_schema.py)

    @classmethod
    def from_row(cls, row) -> "BusRow":
        return cls(*row)

    @property
    def scope(self) -> Scope:
        return Scope(self.account, self.region)


@dataclass(frozen=True)
class RuleRow:
    """One rule as stored (``rules``), with its bus's name (``bus_name``)."""

    rule_id: int
    bus_id: int
    bus_name: str
    account: str
    region: str
    name: str
    arn: str
    event_pattern: str | None
    schedule_expression: str | None
    state: str
    description: str | None
    role_arn: str | None
    managed_by: str | None
    created_by: str
    created: float | None = None

    @classmethod
    def from_row(cls, row) -> "RuleRow":
        return cls(*row)

    @property
    def scope(self) -> Scope:
        return Scope(self.account, self.region)

    @property
    def enabled(self) -> bool:
        return self.state != "DISABLED"
