"""A parsed query -> one SQL statement over ``log_events`` (and a count of matched events).

Each command wraps the rows so far in a sub-select: ``fields``/``parse``/``display`` add
columns, ``filter`` adds a WHERE, ``stats`` groups, ``limit`` and ``dedup`` cut in the current
order, ``sort`` sets that order. SQLite flattens the simple layers, so a query such as
``stats count(*) by bin(1m)`` becomes a single scan of the ``(group_id, timestamp)`` index.

Every value column is named ``c<n>`` (the field names of the query map to them); the event
columns ``ts ingest msg stream lg gid seq`` stay in every layer until ``stats``. Fields the
query never defined are read from the message when it is JSON (``a.b``, ``list.0``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from overcast.services.logs.insights import syntax as s
from overcast.services.logs.insights.errors import QuerySyntaxError
from overcast.services.logs.insights.functions import AGGREGATES, SCALARS, Arg, as_num, as_text

# the fields every event has (Supported logs and discovered fields)
SYSTEM_FIELDS = {
    "@timestamp": ("ts", "ts"),
    "@ingestionTime": ("ingest", "ts"),
    "@message": ("msg", "text"),
    "@logStream": ("stream", "text"),
    "@log": ("lg", "text"),
}
NEVER_NULL = {"ts", "ingest", "seq"}
BINNED_STAGE = "{stats}"  # stands for the first stats stage when it has two translations
# what a query with neither fields, display nor stats answers (with @ptr)
DEFAULT_OUTPUT = ("@timestamp", "@message", "@logStream", "@log")


@dataclass(frozen=True)
class Column:
    sql: str
    kind: str
    num_sql: str | None = None  # the value as a number without a Python call, where known


@dataclass
class Plan:
    """What the runner executes: ``sql`` with ``{base}`` standing for the events scanned."""

    sql: str
    output: list[tuple[str, str]]  # (field name, kind) in answer order
    events: bool                   # rows are events (they carry gid and seq for @ptr)
    match_sql: str | None          # counts matched events; None: every scanned event matches
    text: str = ""
    match_in_rows: bool = False    # the count of matched events is each row's last column instead
    # ``stats count(*) by bin(p)``: the same answer counted bin by bin on the index (``{bin_first}``
    # and ``{bin_last}`` to fill in), used when the range holds few enough bins
    binned_sql: str | None = None
    bin_period: int = 0


@dataclass
class _Relation:
    sql: str
    columns: dict[str, Column] = field(default_factory=dict)
    events: bool = True
    order: list[tuple[str, bool]] = field(default_factory=lambda: [("ts", True), ("seq", True)])


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_INDEX = re.compile(r"\d+$")
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def json_path(name: str) -> str:
    """``a.b.0`` -> ``$."a"."b"[0]`` (a run of digits indexes an array)."""
    parts = []
    for part in name.split("."):
        if _INDEX.match(part):
            parts.append(f"[{part}]")
        else:
            parts.append('."' + part.replace('"', '\\"') + '"')
    return "$" + "".join(parts)


def translate(query: s.Query) -> Plan:
    """The plan of ``query``; ``QuerySyntaxError`` for what parses but cannot run."""
    return _Translator(query).plan()


class _Translator:
    def __init__(self, query: s.Query):
        self.query = query
        self.counter = 0
        self.rel = _Relation("{base}")
        self.output: list[str] = []
        self.chose_fields = False   # a fields or display command chose the answer's fields
        self.displayed = False
        self.parsed_names: list[str] = []
        self.match_sql: str | None = None
        self.counting = True        # still before stats/limit/dedup: filters change matches
        # the first stats after filters counts the events it groups: summed over its rows (while
        # no later command drops rows) that is the matched count, without a second scan
        self.match_column: str | None = None
        self.binned: tuple[str, str, int] | None = None  # (regular stats SQL, binned one, period)

    def fresh(self, prefix: str = "c") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def fail(self, what: str) -> QuerySyntaxError:
        return QuerySyntaxError(what, 0, len(self.query.text))

    def wrap(self, select: str, where: str = "", tail: str = "") -> None:
        alias = self.fresh("t")
        sql = f"SELECT {select} FROM ({self.rel.sql}) AS {alias}"
        if where:
            sql += f" WHERE {where}"
        if tail:
            sql += f" {tail}"
        self.rel.sql = sql

    # -- the pipeline ---------------------------------------------------------------------

    def plan(self) -> Plan:
        for command in self.query.commands:
            handler = getattr(self, "on_" + type(command).__name__)
            handler(command)
        if not self.chose_fields and self.rel.events and not self.displayed:
            names = list(DEFAULT_OUTPUT) + [n for n in self.parsed_names if n not in DEFAULT_OUTPUT]
            self.output = names
        output = []
        selects = []
        for name in self.output:
            column = self.rel.columns.get(name) or self.resolve(name)
            selects.append(f"{column.sql} AS o{len(selects)}")
            output.append((name, column.kind))
        if self.rel.events:
            selects += ["gid", "seq"]
        if self.match_column is not None:
            selects.append(f"sum({self.match_column}) OVER ()")  # before LIMIT: over every row
        sql = f"SELECT {', '.join(selects) or 'NULL'} FROM ({self.rel.sql}) AS final"
        sql += " ORDER BY " + self.order_sql() + " LIMIT ?"
        if self.match_column is not None:
            plan = Plan(sql, output, self.rel.events, None, self.query.text, match_in_rows=True)
        else:
            plan = Plan(sql, output, self.rel.events, self.match_sql, self.query.text)
        if self.binned is not None:
            regular, binned, period = self.binned
            plan.sql = sql.replace(BINNED_STAGE, regular)
            plan.binned_sql = (f"WITH RECURSIVE oc_bins(b) AS (SELECT {{bin_first}} UNION ALL SELECT b + {period} "
                               f"FROM oc_bins WHERE b + {period} <= {{bin_last}}) " + sql.replace(BINNED_STAGE, binned))
            plan.bin_period = period
        return plan

    def order_sql(self) -> str:
        """The current order; missing values last. The event columns are never missing, and
        ordering by them bare lets SQLite walk the (group_id, timestamp) index."""
        if not self.rel.order:
            return "1"
        terms = []
        for col, desc in self.rel.order:
            if col not in NEVER_NULL:
                terms.append(f"({col} IS NULL)")
            terms.append(f"{col}{' DESC' if desc else ''}")
        return ", ".join(terms)

    def add_output(self, name: str) -> None:
        if name in self.output:
            self.output.remove(name)
        self.output.append(name)

    def project(self, items) -> list[str]:
        """Adds a column per (name, Arg); answers the names. A name for a column already there
        (``fields @timestamp``) is that column: no copy, so ordering on it can still use the
        index."""
        selects, names = ["*"], []
        new = {}
        for name, arg in items:
            if _IDENTIFIER.fullmatch(arg.sql):
                new[name] = Column(arg.sql, arg.kind, arg.num_sql)
            else:
                column = self.fresh()
                selects.append(f"{arg.sql} AS {column}")
                new[name] = Column(column, arg.kind)
            names.append(name)
        if len(selects) > 1:
            self.wrap(", ".join(selects))
        self.rel.columns.update(new)
        return names

    def on_FieldsCommand(self, command: s.FieldsCommand) -> None:
        names = self.project([(p.name, self.expr(p.expr)) for p in command.items])
        self.chose_fields = True
        if not self.displayed:
            for name in names:
                self.add_output(name)

    def on_DisplayCommand(self, command: s.DisplayCommand) -> None:
        self.project([(p.name, self.expr(p.expr)) for p in command.items])
        self.output = []
        for p in command.items:
            self.add_output(p.name)
        self.displayed = True
        self.chose_fields = True

    def on_FilterCommand(self, command: s.FilterCommand) -> None:
        self.match_column = None
        condition = self.condition(command.condition)
        self.wrap("*", condition)
        if self.counting:
            self.match_sql = f"SELECT count(*) FROM ({self.rel.sql}) AS matched"

    def on_ParseCommand(self, command: s.ParseCommand) -> None:
        source = self.expr(command.source)
        pattern = sql_string(command.pattern)
        # a regex captures by name; a glob by position
        by_name = "(?P<" in command.pattern
        items = []
        for index, name in enumerate(command.names):
            group = sql_string(name) if by_name else str(index)
            items.append((name, Arg(f"oc_parse({source.sql}, {pattern}, {group})", "any", None)))
        for name in self.project(items):
            if name not in self.parsed_names:
                self.parsed_names.append(name)
            if self.chose_fields and not self.displayed:
                self.add_output(name)

    def on_SortCommand(self, command: s.SortCommand) -> None:
        items, order = [], []
        for key in command.keys:
            arg = self.expr(key.expr)
            if _IDENTIFIER.fullmatch(arg.sql) and arg.kind in ("ts", "num", "bool"):
                # a column already: no copy, so sorting on @timestamp can walk the index
                order.append((arg.sql, key.descending))
                if arg.sql == "ts":
                    order.append(("seq", key.descending))  # events of one millisecond: ingestion order
                continue
            sql = arg.sql if arg.kind in ("ts", "num", "bool") else f"oc_sortkey({arg.sql})"
            name = self.fresh("sortkey")
            items.append((name, Arg(sql, "any", None)))
            order.append((name, key.descending))
        if items:
            self.project(items)
            order = [(self.rel.columns.pop(col).sql if col in self.rel.columns else col, desc) for col, desc in order]
        self.rel.order = order

    def on_LimitCommand(self, command: s.LimitCommand) -> None:
        self.counting = False
        self.match_column = None
        self.wrap("*", tail=f"ORDER BY {self.order_sql()} LIMIT {command.count}")

    def on_DedupCommand(self, command: s.DedupCommand) -> None:
        self.counting = False
        self.match_column = None
        keys = [self.expr(f) for f in command.fields]
        rank = self.fresh("rank")
        partition = ", ".join(k.sql for k in keys)
        self.wrap(f"*, row_number() OVER (PARTITION BY {partition} ORDER BY {self.order_sql()}) AS {rank}")
        # events missing a dedup field are never duplicates
        nulls = " OR ".join(f"{k.sql} IS NULL" for k in keys)
        self.wrap("*", f"{rank} = 1 OR {nulls}")

    def on_UnmaskCommand(self, command: s.UnmaskCommand) -> None:
        # Overcast stores messages as sent and masks nothing: they are already unmasked
        for f in command.fields:
            self.expr(f)

    def on_StatsCommand(self, command: s.StatsCommand) -> None:
        first_after_filters = self.counting and self.match_sql is not None
        straight_over_events = self.counting and self.rel.events  # no limit or dedup before
        self.counting = False
        self.match_column = None
        selects, columns, names = [], {}, []
        for group in command.groups:
            arg = self.expr(group.expr)
            column = self.fresh()
            selects.append(f"{arg.sql} AS {column}")
            columns[group.name] = Column(column, arg.kind)
            names.append(group.name)
        for aggregate in command.aggregates:
            arg = self.expr(aggregate.expr, aggregate=True)
            if not self.contains_aggregate(aggregate.expr):
                raise self.fail(f"stats needs an aggregate function: {aggregate.name}")
            column = self.fresh()
            selects.append(f"{arg.sql} AS {column}")
            columns[aggregate.name] = Column(column, arg.kind)
            names.append(aggregate.name)
        if first_after_filters:
            self.match_column = self.fresh("matched")
            selects.append(f"count(*) AS {self.match_column}")
        tail = ""
        if command.groups:
            tail = "GROUP BY " + ", ".join(str(i + 1) for i in range(len(command.groups)))
        alias = self.fresh("t")
        regular = f"SELECT {', '.join(selects)} FROM ({self.rel.sql}) AS {alias} {tail}"
        period = self.counts_by_bin(command, straight_over_events)
        if period:
            counted = self.fresh("t")
            names_sql = [columns[command.groups[0].name].sql] + [columns[a.name].sql for a in command.aggregates]
            if self.match_column is not None:
                names_sql.append(self.match_column)
            values = ", ".join(["b"] + ["n"] * (len(names_sql) - 1))
            aliased = ", ".join(f"{v} AS {n}" for v, n in zip(values.split(", "), names_sql))
            binned = (f"SELECT {aliased} FROM (SELECT b, (SELECT count(*) FROM ({self.rel.sql}) AS {counted} "
                      f"WHERE {counted}.ts BETWEEN b AND b + {period - 1}) AS n FROM oc_bins LIMIT -1) WHERE n > 0")
            self.binned = (regular, binned, period)
            regular = BINNED_STAGE
        self.rel = _Relation(regular, columns, events=False, order=[])
        group_columns = [columns[g.name] for g in command.groups]
        timed = [c for c in group_columns if c.kind == "ts"]
        self.rel.order = [(c.sql, True) for c in timed] + [(c.sql, False) for c in group_columns if c.kind != "ts"]
        self.output = names
        self.chose_fields = True

    def counts_by_bin(self, command: s.StatsCommand, on_events: bool) -> int:
        """The period of ``stats count(*)... by bin(p)`` straight over the events (p in ms, not
        months), else 0: such a stats can count each bin on the (group_id, timestamp) index
        instead of grouping every event."""
        if not on_events or self.binned is not None or len(command.groups) != 1:
            return 0
        group = command.groups[0].expr
        if not (isinstance(group, s.Call) and group.name == "bin" and isinstance(group.args[0], s.Duration)
                and group.args[0].unit == "ms" and group.args[0].amount > 0):
            return 0
        for aggregate in command.aggregates:
            expr = aggregate.expr
            if not (isinstance(expr, s.Call) and expr.name == "count"
                    and (not expr.args or isinstance(expr.args[0], s.Star))):
                return 0
        return group.args[0].amount

    def contains_aggregate(self, node) -> bool:
        if isinstance(node, s.Call):
            return node.name in AGGREGATES or any(self.contains_aggregate(a) for a in node.args)
        if isinstance(node, s.Binary):
            return self.contains_aggregate(node.left) or self.contains_aggregate(node.right)
        if isinstance(node, s.Unary):
            return self.contains_aggregate(node.operand)
        return False

    # -- expressions ----------------------------------------------------------------------

    def resolve(self, name: str) -> Column:
        column = self.rel.columns.get(name)
        if column is not None:
            return column
        if self.rel.events:
            if name in SYSTEM_FIELDS:
                sql, kind = SYSTEM_FIELDS[name]
                return Column(sql, kind)
            if name.startswith("@"):
                return Column("NULL", "any")
            path = sql_string(json_path(name))
            # a JSON object starts with "{": other messages are not parsed at all. JSON's true
            # and false stay words (json_extract would answer 1 and 0); JSON numbers are numbers
            # as they are, only strings go through oc_num().
            guard = "msg >= '{' AND msg < '|' AND json_valid(msg)"
            value = (f"(CASE WHEN {guard} THEN CASE json_type(msg, {path}) WHEN 'true' THEN 'true' "
                     f"WHEN 'false' THEN 'false' ELSE json_extract(msg, {path}) END END)")
            number = (f"(CASE WHEN {guard} THEN CASE json_type(msg, {path}) WHEN 'integer' THEN json_extract(msg, {path}) "
                      f"WHEN 'real' THEN json_extract(msg, {path}) WHEN 'text' THEN oc_num(json_extract(msg, {path})) "
                      "END END)")
            return Column(value, "any", number)
        return Column("NULL", "any")

    def condition(self, node) -> str:
        arg = self.expr(node)
        return arg.sql

    def expr(self, node, aggregate: bool = False) -> Arg:
        if isinstance(node, s.Literal):
            if isinstance(node.value, str):
                return Arg(sql_string(node.value), "text", node)
            return Arg(repr(node.value), "num", node)
        if isinstance(node, s.Field):
            column = self.resolve(node.name)
            return Arg(column.sql, column.kind, node, column.num_sql)
        if isinstance(node, s.Duration):
            return Arg(str(node.amount), "duration", node)
        if isinstance(node, s.Star):
            return Arg("*", "star", node)
        if isinstance(node, s.Regex):
            raise self.fail(f"a regular expression /{node.source}/ can only follow like or =~")
        if isinstance(node, s.Call):
            return self.call(node, aggregate)
        if isinstance(node, s.Unary):
            operand = self.expr(node.operand, aggregate)
            if node.op == "not":
                return Arg(f"(NOT {operand.sql})", "bool", node)
            return Arg(f"(-{as_num(operand)})", "num", node)
        if isinstance(node, s.InList):
            return self.in_list(node, aggregate)
        if isinstance(node, s.Binary):
            return self.binary(node, aggregate)
        raise self.fail("unsupported expression")

    def call(self, node: s.Call, aggregate: bool) -> Arg:
        if node.name in AGGREGATES:
            if not aggregate:
                raise self.fail(f"the function {node.name} can only be used in stats")
            args = [self.expr(a) for a in node.args]
            if node.name in ("earliest", "latest"):
                args = [self.time_arg(node.name)] + args
            if node.name == "pct" and args[1].kind != "num":
                raise self.fail("pct takes a field and a percentile number")
            sql, kind = AGGREGATES[node.name].build(args)
            return Arg(sql, kind, node)
        args = [self.expr(a, aggregate) for a in node.args]
        if node.name == "bin":
            args = [self.time_arg("bin")] + args
        spec = SCALARS[node.name]
        try:
            return Arg(spec.build(args), spec.kind, node)
        except TypeError:
            raise self.fail(f"the function {node.name} needs a time period such as 5m") from None

    def time_arg(self, function: str) -> Arg:
        column = self.resolve("@timestamp")
        if column.sql == "NULL":
            raise self.fail(f"{function} needs @timestamp, which is gone after stats")
        return Arg(column.sql, "ts", None)

    def binary(self, node: s.Binary, aggregate: bool) -> Arg:
        op = node.op
        if op in ("and", "or"):
            left, right = self.expr(node.left, aggregate), self.expr(node.right, aggregate)
            return Arg(f"({left.sql} {op.upper()} {right.sql})", "bool", node)
        if op in ("like", "=~"):
            left = self.expr(node.left, aggregate)
            right = node.right
            if isinstance(right, s.Regex) or op == "=~":
                source = right.source if isinstance(right, s.Regex) else str(right.value)
                return Arg(f"oc_regex({left.sql}, {sql_string(source)})", "bool", node)
            return Arg(f"(instr({as_text(left)}, {sql_string(str(right.value))}) > 0)", "bool", node)
        left, right = self.expr(node.left, aggregate), self.expr(node.right, aggregate)
        for side in (left, right):
            if side.kind in ("duration", "star"):
                raise self.fail(f"unexpected {side.node} in an expression")
        if op in ("=", "!=", "<", "<=", ">", ">="):
            sql_op = "<>" if op == "!=" else op
            if "num" in (left.kind, right.kind) or "ts" in (left.kind, right.kind) or \
                    "bool" in (left.kind, right.kind):
                return Arg(f"({as_num(left)} {sql_op} {as_num(right)})", "bool", node)
            return Arg(f"({self.compare_text(left)} {sql_op} {self.compare_text(right)})", "bool", node)
        if op == "/":
            return Arg(f"(CAST({as_num(left)} AS REAL) / {as_num(right)})", "num", node)
        if op == "%":
            return Arg(f"oc_mod({as_num(left)}, {as_num(right)})", "num", node)
        if op == "^":
            return Arg(f"oc_pow({as_num(left)}, {as_num(right)})", "num", node)
        return Arg(f"({as_num(left)} {op} {as_num(right)})", "num", node)

    @staticmethod
    def compare_text(arg: Arg) -> str:
        return arg.sql if arg.kind == "text" else f"CAST({arg.sql} AS TEXT)"

    def in_list(self, node: s.InList, aggregate: bool) -> Arg:
        operand = self.expr(node.operand, aggregate)
        values = [item.value for item in node.items]
        if not values:
            sql = "0"
        elif all(isinstance(v, (int, float)) for v in values):
            sql = f"({as_num(operand)} IN ({', '.join(repr(v) for v in values)}))"
        else:
            items = ", ".join(sql_string(v if isinstance(v, str) else repr(v)) for v in values)
            sql = f"({self.compare_text(operand)} IN ({items}))"
        return Arg(f"(NOT {sql})" if node.negated else sql, "bool", node)
