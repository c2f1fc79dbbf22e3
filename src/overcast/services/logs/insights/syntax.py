"""The parsed form of a query: expressions and the pipeline of commands."""

from __future__ import annotations

from dataclasses import dataclass, field


# -- expressions ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    name: str  # as written: @timestamp, status, a.b.0


@dataclass(frozen=True)
class Literal:
    value: object  # str, int or float


@dataclass(frozen=True)
class Duration:
    unit: str    # "ms" or "month"
    amount: int  # in that unit


@dataclass(frozen=True)
class Regex:
    source: str  # the pattern between the slashes


@dataclass(frozen=True)
class Star:
    """``*`` as in count(*)."""


@dataclass(frozen=True)
class Call:
    name: str  # lower-cased function name
    args: tuple


@dataclass(frozen=True)
class Unary:
    op: str  # "not" or "-"
    operand: object


@dataclass(frozen=True)
class Binary:
    op: str  # and, or, =, !=, <, <=, >, >=, +, -, *, /, %, ^, like, =~
    left: object
    right: object


@dataclass(frozen=True)
class InList:
    operand: object
    items: tuple
    negated: bool


# -- commands ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Projection:
    expr: object
    name: str       # the alias, or the expression's text
    aliased: bool


@dataclass(frozen=True)
class FieldsCommand:
    items: tuple  # of Projection


@dataclass(frozen=True)
class DisplayCommand:
    items: tuple  # of Projection


@dataclass(frozen=True)
class FilterCommand:
    condition: object


@dataclass(frozen=True)
class StatsCommand:
    aggregates: tuple  # of Projection whose expr holds the aggregate calls
    groups: tuple      # of Projection


@dataclass(frozen=True)
class SortKey:
    expr: object
    descending: bool


@dataclass(frozen=True)
class SortCommand:
    keys: tuple


@dataclass(frozen=True)
class LimitCommand:
    count: int


@dataclass(frozen=True)
class ParseCommand:
    source: object      # the expression parsed (usually @message)
    pattern: str        # the regular expression applied (globs are translated)
    names: tuple        # the fields it defines, one per capture group, in order


@dataclass(frozen=True)
class DedupCommand:
    fields: tuple  # of expressions


@dataclass(frozen=True)
class UnmaskCommand:
    fields: tuple


@dataclass
class Query:
    commands: list = field(default_factory=list)
    text: str = ""

    @property
    def has_stats(self) -> bool:
        return any(isinstance(c, StatsCommand) for c in self.commands)
