"""The functions of Logs Insights QL and their SQL: scalar functions (strings, numbers,
dates, IP addresses, general) and the aggregate functions of ``stats``.

Each function gets its arguments already translated (``Arg``: SQL text, a value kind, the
syntax node) and answers SQL text. Kinds: ``ts`` (epoch milliseconds shown as a timestamp),
``num``, ``text``, ``bool`` (1/0), ``any`` (a field whose type is known only per event), and
``duration`` (a literal period such as ``5m``). Where SQLite has no built-in, the SQL calls a
Python function registered on the reader connection (``udfs.py``; names start with ``oc_``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from overcast.services.logs.insights import syntax as s

MANY = 1 << 16


@dataclass(frozen=True)
class Arg:
    sql: str
    kind: str
    node: object
    num_sql: str | None = None  # the value as a number, when cheaper than oc_num() (JSON fields)


def as_num(arg: Arg) -> str:
    """The argument as a number (NULL when it is not one)."""
    if arg.num_sql is not None:
        return arg.num_sql
    return arg.sql if arg.kind in ("num", "ts", "bool") else f"oc_num({arg.sql})"


def as_text(arg: Arg) -> str:
    return arg.sql if arg.kind == "text" else f"oc_text({arg.sql})"


def _period(arg: Arg) -> s.Duration:
    if not isinstance(arg.node, s.Duration):
        raise TypeError("a period such as 5m")
    return arg.node


def floor_sql(ts_sql: str, period: s.Duration) -> str:
    """``ts`` rounded down to the period (periods count from the epoch, in UTC)."""
    if period.unit == "ms":
        return f"(({ts_sql}) / {period.amount}) * {period.amount}"
    return f"oc_month_floor({ts_sql}, {period.amount})"


def ceil_sql(ts_sql: str, period: s.Duration) -> str:
    if period.unit == "ms":
        return f"((({ts_sql}) + {period.amount - 1}) / {period.amount}) * {period.amount}"
    return f"oc_month_ceil({ts_sql}, {period.amount})"


@dataclass(frozen=True)
class Scalar:
    min_args: int
    max_args: int
    kind: str
    build: Callable[[list[Arg]], str]


def _udf(name: str, kind: str, arity: int, convert=as_text) -> Scalar:
    return Scalar(arity, arity, kind, lambda a: f"{name}({', '.join(convert(x) for x in a)})")


def _concat(args: list[Arg]) -> str:
    return "(" + " || ".join(f"coalesce({as_text(a)}, '')" for a in args) + ")"


def _substr(args: list[Arg]) -> str:
    # Logs Insights counts from 0; SQLite from 1
    if len(args) == 2:
        return f"substr({as_text(args[0])}, {as_num(args[1])} + 1)"
    return f"substr({as_text(args[0])}, {as_num(args[1])} + 1, {as_num(args[2])})"


def _trim(fn: str) -> Callable[[list[Arg]], str]:
    def build(args: list[Arg]) -> str:
        if len(args) == 2:
            return f"{fn}({as_text(args[0])}, {as_text(args[1])})"
        return f"{fn}({as_text(args[0])})"
    return build


def _bin(args: list[Arg]) -> str:
    # the translator passes the event's @timestamp first
    return floor_sql(args[0].sql, _period(args[1]))


def _datefloor(args: list[Arg]) -> str:
    return floor_sql(as_num(args[0]), _period(args[1]))


def _dateceil(args: list[Arg]) -> str:
    return ceil_sql(as_num(args[0]), _period(args[1]))


SCALARS: dict[str, Scalar] = {
    # strings
    "strlen": Scalar(1, 1, "num", lambda a: f"length({as_text(a[0])})"),
    "toupper": Scalar(1, 1, "text", lambda a: f"upper({as_text(a[0])})"),
    "tolower": Scalar(1, 1, "text", lambda a: f"lower({as_text(a[0])})"),
    "trim": Scalar(1, 2, "text", _trim("trim")),
    "ltrim": Scalar(1, 2, "text", _trim("ltrim")),
    "rtrim": Scalar(1, 2, "text", _trim("rtrim")),
    "concat": Scalar(1, MANY, "text", _concat),
    "substr": Scalar(2, 3, "text", _substr),
    "replace": Scalar(3, 3, "text", lambda a: f"replace({as_text(a[0])}, {as_text(a[1])}, {as_text(a[2])})"),
    "strcontains": Scalar(2, 2, "num", lambda a: f"(instr({as_text(a[0])}, {as_text(a[1])}) > 0)"),
    "isempty": Scalar(1, 1, "bool", lambda a: f"(coalesce({as_text(a[0])}, '') = '')"),
    "isblank": Scalar(1, 1, "bool", lambda a: f"(trim(coalesce({as_text(a[0])}, '')) = '')"),
    "ispresent": Scalar(1, 1, "bool", lambda a: f"({a[0].sql} IS NOT NULL)"),
    "coalesce": Scalar(1, MANY, "any", lambda a: f"coalesce({', '.join(x.sql for x in a)}, NULL)"),
    # IP addresses
    "isvalidip": _udf("oc_is_ip", "bool", 1),
    "isvalidipv4": _udf("oc_is_ipv4", "bool", 1),
    "isvalidipv6": _udf("oc_is_ipv6", "bool", 1),
    "isipinsubnet": _udf("oc_ip_in_subnet", "bool", 2),
    "isipv4insubnet": _udf("oc_ipv4_in_subnet", "bool", 2),
    "isipv6insubnet": _udf("oc_ipv6_in_subnet", "bool", 2),
    # numbers
    # SQLite's abs() fails on the smallest 64-bit integer: the Python one does not
    "abs": Scalar(1, 1, "num", lambda a: f"oc_abs({as_num(a[0])})"),
    "ceil": Scalar(1, 1, "num", lambda a: f"ceil({as_num(a[0])})"),
    "floor": Scalar(1, 1, "num", lambda a: f"floor({as_num(a[0])})"),
    "greatest": Scalar(1, MANY, "num", lambda a: f"oc_greatest({', '.join(as_num(x) for x in a)})"),
    "least": Scalar(1, MANY, "num", lambda a: f"oc_least({', '.join(as_num(x) for x in a)})"),
    "log": Scalar(1, 1, "num", lambda a: f"oc_ln({as_num(a[0])})"),
    "sqrt": Scalar(1, 1, "num", lambda a: f"oc_sqrt({as_num(a[0])})"),
    "pow": Scalar(2, 2, "num", lambda a: f"oc_pow({as_num(a[0])}, {as_num(a[1])})"),
    # dates
    "bin": Scalar(1, 1, "ts", _bin),
    "datefloor": Scalar(2, 2, "ts", _datefloor),
    "dateceil": Scalar(2, 2, "ts", _dateceil),
    "frommillis": Scalar(1, 1, "ts", lambda a: f"CAST({as_num(a[0])} AS INTEGER)"),
    "tomillis": Scalar(1, 1, "num", lambda a: f"CAST({as_num(a[0])} AS INTEGER)"),
}


@dataclass(frozen=True)
class Aggregate:
    min_args: int
    max_args: int
    build: Callable[[list[Arg]], tuple[str, str]]  # -> (SQL, kind)


def _count(args: list[Arg]) -> tuple[str, str]:
    if not args or isinstance(args[0].node, s.Star):
        return "count(*)", "num"
    return f"count({args[0].sql})", "num"


def _extreme(fn: str) -> Callable[[list[Arg]], tuple[str, str]]:
    def build(args: list[Arg]) -> tuple[str, str]:
        arg = args[0]
        if arg.kind == "ts":
            return f"{fn}({arg.sql})", "ts"
        return f"{fn}({as_num(arg)})", "num"
    return build


def _pct(args: list[Arg]) -> tuple[str, str]:
    return f"oc_pct({as_num(args[0])}, {as_num(args[1])})", ("ts" if args[0].kind == "ts" else "num")


def _by_time(fn: str) -> Callable[[list[Arg]], tuple[str, str]]:
    # the value of the event with the earliest/latest @timestamp (passed first by the translator)
    def build(args: list[Arg]) -> tuple[str, str]:
        return f"{fn}({args[0].sql}, {args[1].sql})", args[1].kind
    return build


def _sorts(fn: str) -> Callable[[list[Arg]], tuple[str, str]]:
    def build(args: list[Arg]) -> tuple[str, str]:
        return f"{fn}({args[0].sql})", args[0].kind
    return build


AGGREGATES: dict[str, Aggregate] = {
    "count": Aggregate(0, 1, _count),
    "count_distinct": Aggregate(1, 1, lambda a: (f"count(DISTINCT {a[0].sql})", "num")),
    # total() adds in floating point (SQLite's sum() fails on an integer overflow); NULL when the
    # group holds no value
    "sum": Aggregate(1, 1, lambda a: (f"(CASE WHEN count({as_num(a[0])}) THEN total({as_num(a[0])}) END)", "num")),
    "avg": Aggregate(1, 1, lambda a: (f"avg({as_num(a[0])})", "num")),
    "min": Aggregate(1, 1, _extreme("min")),
    "max": Aggregate(1, 1, _extreme("max")),
    "pct": Aggregate(2, 2, _pct),
    "stddev": Aggregate(1, 1, lambda a: (f"oc_stddev({as_num(a[0])})", "num")),
    "earliest": Aggregate(1, 1, _by_time("oc_earliest")),
    "latest": Aggregate(1, 1, _by_time("oc_latest")),
    "sortsfirst": Aggregate(1, 1, _sorts("oc_sorts_first")),
    "sortslast": Aggregate(1, 1, _sorts("oc_sorts_last")),
}
