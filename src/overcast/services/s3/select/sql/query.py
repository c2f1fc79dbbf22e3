"""compile_select and SelectQuery: the engine's entry points (see the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .errors import SelectError

INPUT_KINDS = ("csv", "json", "parquet")


class SelectQuery:
    """A compiled S3 Select statement, ready to run over batches of one input kind."""

    def __init__(self, plan, input_kind: str):
        self._plan = plan
        self.input_kind = input_kind

    @property
    def columns_needed(self) -> set[str] | None:
        return self._plan.columns_needed()

    bytes_needed_hint = columns_needed

    def columns_for(self, names: list[str]) -> list[str] | None:
        return self._plan.columns_for(names)

    def run(self, batches: Iterable, header: list[str] | None = None) -> Iterator[list]:
        return self._plan.run(batches, header)


def compile_select(
    expression: str, input_kind: str, csv_header_info: str | None = None
) -> SelectQuery:
    if input_kind not in INPUT_KINDS:
        raise ValueError(f"input_kind must be one of {INPUT_KINDS}")
    from .planner import plan_query

    try:
        plan = plan_query(expression, input_kind)
    except RecursionError:  # nesting deeper than any real query: refused, never a crash
        raise SelectError(
            "ParseUnsupportedSyntax", "The SQL expression contains unsupported syntax."
        ) from None
    if input_kind == "csv" and csv_header_info in ("NONE", "IGNORE"):
        plan.check_positional_only()
    return SelectQuery(plan, input_kind)


__all__ = ["SelectError", "SelectQuery", "compile_select"]
