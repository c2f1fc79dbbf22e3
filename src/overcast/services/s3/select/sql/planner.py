"""From a parsed statement to a runnable plan: checks, output names, both evaluators, and the
batch loop (vectorized where it can, per record where it must; streaming; LIMIT stops early)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa

from . import nodes as n
from .aggregates import Accumulator
from .binding import (
    POSITIONAL,
    Aliases,
    bind,
    column_reference,
    find_column,
    invalid_column_index,
)
from .columns import RecordColumns
from .errors import SelectError
from .missing import MISSING
from .parser import parse
from .paths import expand, field, navigate
from .rowwise import compile_row
from .vectorized import Const, Fallback, NotVectorizable, compile_vector


def unsupported_structure() -> SelectError:
    return SelectError(
        "UnsupportedSqlStructure",
        "Encountered an unsupported SQL structure. Check the SQL Reference.",
    )


def output_name(item: n.SelectItem, position: int) -> str:
    if item.alias is not None:
        return item.alias
    expr = item.expr
    if isinstance(expr, n.Path):
        if not expr.steps:
            return expr.root
        last = expr.steps[-1]
        if last.kind == "name":
            return last.name
    return f"_{position}"


def _try_vector(node):
    try:
        return compile_vector(node)
    except (NotVectorizable, SelectError):  # errors are the per-record path's to raise
        return None


# The columnar path computes every branch of CASE/AND/OR eagerly; the per-record path only
# what the row reaches. So an error met by the former only means: let the latter decide.
VECTOR_MISS = (Fallback, SelectError)


class Plan:
    def __init__(self, select: n.Select, kind: str, vectorize: bool = True):
        self.select, self.kind = select, kind
        source = select.source
        if kind != "json" and (source.steps or source.wildcard_root):
            raise unsupported_structure()
        alias = source.alias
        if alias is None and source.steps:  # AWS: the last path element names the row
            last = source.steps[-1]
            alias = last.name if last.kind == "name" else "_1"
        self.aliases = Aliases(alias, source.alias_quoted)
        self.aggregates: list[n.Aggregate] = []
        for item in select.items:
            self._collect_aggregates(item.expr)
        if select.where is not None and any(
            isinstance(x, n.Aggregate) for x in n.walk(select.where)
        ):
            raise unsupported_structure()
        self.names = [output_name(item, i + 1) for i, item in enumerate(select.items)]
        self.item_rows = [compile_row(item.expr) for item in select.items]
        self.where_row = compile_row(select.where) if select.where is not None else None
        self.agg_rows = [compile_row(a.arg) if a.arg is not None else None for a in self.aggregates]
        tabular = kind != "json" and vectorize  # vectorize=False: the reference path alone
        self.where_vec = _try_vector(select.where) if tabular and select.where else None
        self.item_vecs = [_try_vector(i.expr) if tabular else None for i in select.items]
        self.agg_vecs = [
            _try_vector(a.arg) if tabular and a.arg is not None else None for a in self.aggregates
        ]
        self.paths = [
            x for root in self._roots() for x in n.walk(root) if isinstance(x, n.Path)
        ]
        self._check_aggregate_shape()
        for path in self.paths:  # a qualifier that is not the FROM alias: refused up front
            column_reference(path, self.aliases, kind)

    def _roots(self) -> list[n.Node]:
        roots = [item.expr for item in self.select.items]
        return roots + ([self.select.where] if self.select.where is not None else [])

    def _collect_aggregates(self, expr: n.Node, inside: bool = False) -> None:
        if isinstance(expr, n.Aggregate):
            if inside:
                raise unsupported_structure()
            expr.slot = len(self.aggregates)
            self.aggregates.append(expr)
            for child in n.children(expr):
                self._collect_aggregates(child, True)
            return
        for child in n.children(expr):
            self._collect_aggregates(child, inside)

    # -- column projection for readers ----------------------------------------------------
    def columns_needed(self) -> set[str] | None:
        if self.select.star or self.kind == "json":
            return None
        needed = set()
        for path in self.paths:
            reference = column_reference(path, self.aliases, self.kind)
            if reference is not None:
                needed.add(reference[0])
        return needed

    def columns_for(self, names: list[str]) -> list[str] | None:
        if self.select.star or self.kind == "json":
            return None
        indexes = set()
        for path in self.paths:
            reference = column_reference(path, self.aliases, self.kind)
            if reference is None:
                continue
            index = find_column(names, reference[0], reference[1])
            positional = POSITIONAL.fullmatch(reference[0])
            if index is None and positional:
                if self.kind != "csv":
                    return None  # positions count every column: read them all
                number = int(positional.group(1))  # CSV: run() binds it through the header
                index = number - 1 if 1 <= number <= len(names) else None
            if index is not None:
                indexes.add(index)
        if not indexes and names:
            indexes.add(0)  # COUNT(*) still needs the rows
        return [names[i] for i in sorted(indexes)]

    def check_positional_only(self) -> None:
        """CSV read without its header: a column named other than ``_N`` cannot exist, which
        AWS refuses before reading (InvalidColumnIndex at the first such reference)."""
        for path in sorted(self.paths, key=lambda p: (p.line, p.column)):
            reference = column_reference(path, self.aliases, self.kind)
            if reference is not None and not POSITIONAL.fullmatch(reference[0]):
                raise invalid_column_index(path)

    # -- running ----------------------------------------------------------------------------
    def run(self, batches: Iterable, header: list[str] | None = None) -> Iterator[list]:
        if self.kind == "json":
            return self._run_json(batches)
        return self._run_tabular(batches, header)

    def _check_aggregate_shape(self) -> None:
        if not self.aggregates:
            return
        for item in self.select.items:
            if _has_path_outside_aggregate(item.expr):
                raise unsupported_structure()

    def _finish(self, accumulators: list[Accumulator]) -> list:
        results = [acc.result() for acc in accumulators]
        env = AggregateEnv(results)
        return [[(name, fn(env)) for name, fn in zip(self.names, self.item_rows)]]

    def _run_tabular(self, batches, header) -> Iterator[list]:
        limit = self.select.limit
        if limit == 0:
            return
        emitted = 0
        accumulators = [Accumulator(a.name) for a in self.aggregates]
        schema_names, binding = None, None
        for batch in batches:
            if batch.num_rows == 0:
                continue
            names = batch.schema.names
            if names != schema_names:
                binding = {p: bind(p, self.aliases, self.kind, names, header) for p in self.paths}
                schema_names = names
            rows = self._filter(batch, binding)
            if rows.num_rows == 0:
                continue
            if accumulators:
                self._accumulate(rows, binding, accumulators)
                continue
            if limit is not None and rows.num_rows > limit - emitted:
                rows = rows.slice(0, limit - emitted)
            records = self._project(rows, binding)
            emitted += len(records)
            yield records
            if limit is not None and emitted >= limit:
                return
        if accumulators:
            yield self._finish(accumulators)

    def _filter(self, batch: pa.RecordBatch, binding) -> pa.RecordBatch:
        if self.where_row is None:
            return batch
        mask = None
        if self.where_vec is not None:
            try:
                result = self.where_vec(BatchEnv(batch, binding))
                if isinstance(result, Const):
                    return batch if result.value is True else batch.slice(0, 0)
                if pa.types.is_boolean(result.type):
                    mask = result  # anything else: per record, where only TRUE passes
            except VECTOR_MISS:
                mask = None
        if mask is None:
            env = RowEnv(batch, binding)
            flags = []
            for i in range(batch.num_rows):
                env.i = i
                flags.append(self.where_row(env) is True)
            mask = pa.array(flags, pa.bool_())
        return batch.filter(mask, null_selection_behavior="drop")

    def _values(self, vec, row_fn, rows: pa.RecordBatch, binding) -> list:
        column = self._column(vec, row_fn, rows, binding)
        return column.to_pylist() if isinstance(column, (pa.Array, pa.ChunkedArray)) else column

    def _column(self, vec, row_fn, rows: pa.RecordBatch, binding):
        """One output column: a pyarrow array (columnar path) or a list of Python values."""
        if vec is not None:
            try:
                result = vec(BatchEnv(rows, binding))
                if isinstance(result, Const):
                    return [result.value] * rows.num_rows
                return result
            except VECTOR_MISS:
                pass
        env = RowEnv(rows, binding)
        out = []
        for i in range(rows.num_rows):
            env.i = i
            out.append(row_fn(env))
        return out

    def _project(self, rows: pa.RecordBatch, binding) -> RecordColumns:
        # kept column by column: the writers format whole columns (converting a column to
        # Python values only when its type calls for it)
        if self.select.star:
            return RecordColumns(rows.schema.names, rows.columns, rows.num_rows)
        columns = [
            self._column(vec, fn, rows, binding) for vec, fn in zip(self.item_vecs, self.item_rows)
        ]
        return RecordColumns(self.names, columns, rows.num_rows)

    def _accumulate(self, rows, binding, accumulators) -> None:
        for acc, vec, fn in zip(accumulators, self.agg_vecs, self.agg_rows):
            if fn is None:
                acc.add_rows(rows.num_rows)
                continue
            if vec is not None:
                try:
                    result = vec(BatchEnv(rows, binding))
                    if not isinstance(result, Const) and acc.add_array(result):
                        continue
                except VECTOR_MISS:
                    pass
            acc.add_many(self._values(vec, fn, rows, binding))

    def _run_json(self, batches) -> Iterator[list]:
        limit = self.select.limit
        if limit == 0:
            return
        source = self.select.source
        emitted = 0
        accumulators = [Accumulator(a.name) for a in self.aggregates]
        env = JsonEnv(self.aliases)
        where = self.where_row
        for batch in batches:
            out = []
            for record in batch:
                rows = expand(record, source.steps) if source.steps else (record,)
                for row in rows:
                    env.row = row
                    if where is not None and where(env) is not True:
                        continue
                    if accumulators:
                        if row is MISSING:  # AWS: aggregates skip the MISSING a wildcard emits
                            continue
                        for acc, fn in zip(accumulators, self.agg_rows):
                            if fn is None:
                                acc.add_rows(1)
                            else:
                                acc.add(fn(env))
                        continue
                    out.append(self._json_record(env))
                    emitted += 1
                    if limit is not None and emitted >= limit:
                        yield out
                        return
            if out:
                yield out
        if accumulators:
            yield self._finish(accumulators)

    def _json_record(self, env) -> list:
        if self.select.star:
            row = env.row
            if isinstance(row, dict):
                return list(row.items())
            return [] if row is MISSING else [("_1", row)]
        return [(name, fn(env)) for name, fn in zip(self.names, self.item_rows)]


def _has_path_outside_aggregate(expr: n.Node) -> bool:
    if isinstance(expr, n.Aggregate):
        return False
    if isinstance(expr, n.Path):
        return True
    return any(_has_path_outside_aggregate(c) for c in n.children(expr))


class BatchEnv:
    """What vectorized expressions read: the bound columns of one batch."""

    __slots__ = ("batch", "binding")

    def __init__(self, batch: pa.RecordBatch, binding):
        self.batch, self.binding = batch, binding

    def column(self, path: n.Path) -> pa.Array:
        index, rest = self.binding[path]
        if index is None or rest:
            raise Fallback
        return self.batch.column(index)


class RowEnv:
    """One record of a batch for the per-record evaluator (columns converted on first use)."""

    __slots__ = ("batch", "binding", "columns", "i")

    def __init__(self, batch: pa.RecordBatch, binding):
        self.batch, self.binding, self.columns, self.i = batch, binding, {}, 0

    def resolve(self, path: n.Path):
        index, rest = self.binding[path]
        if index is None:
            return MISSING
        values = self.columns.get(index)
        if values is None:
            values = self.columns[index] = self.batch.column(index).to_pylist()
        value = values[self.i]
        return navigate(value, rest) if rest else value

    def aggregate(self, slot: int):
        raise unsupported_structure()


class JsonEnv:
    __slots__ = ("aliases", "row")

    def __init__(self, aliases: Aliases):
        self.aliases, self.row = aliases, None

    def resolve(self, path: n.Path):
        if self.aliases.matches(path.root, path.root_quoted):
            return navigate(self.row, path.steps)
        return navigate(field(self.row, path.root, path.root_quoted), path.steps)

    def aggregate(self, slot: int):
        raise unsupported_structure()


class AggregateEnv:
    __slots__ = ("results",)

    def __init__(self, results: list):
        self.results = results

    def resolve(self, path: n.Path):
        raise unsupported_structure()

    def aggregate(self, slot: int):
        return self.results[slot]


def plan_query(expression: str, input_kind: str, vectorize: bool = True) -> Plan:
    return Plan(parse(expression), input_kind, vectorize)
