"""The parsed form of a filter expression: small immutable nodes the evaluator walks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class Compare:
    """``keyword`` alone (``op`` None: a boolean keyword is true, an annotation is present) or
    ``keyword op value``."""

    keyword: str
    op: str | None = None
    value: object = None


@dataclass(frozen=True)
class Selector:
    """Which node: by name (``service("x")``) or by ``id(name:, type:, account.id:)``; every
    field None selects any node."""

    name: str | None = None
    type: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class ServiceFn:
    selector: Selector
    body: object = None


@dataclass(frozen=True)
class EdgeFn:
    source: Selector
    target: Selector
    body: object = None


@dataclass(frozen=True)
class RootCause:
    """``rootcause.<kind>.<level> { body }``, or one field test of it when written flat
    (``rootcause.fault.service.name = "x"`` is RootCause("fault", "service", Compare("name", ...)))."""

    kind: str  # fault | error | responsetime
    level: str  # service | entity
    body: object


@dataclass(frozen=True)
class GroupRef:
    """``group.name = "x"`` / ``group.arn = "arn"``: the traces another group's expression matches."""

    field: str
    value: str
