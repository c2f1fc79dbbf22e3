"""Resolving column references (``s._3``, ``s.name``, ``"Name"``) against a batch's columns,
with AWS's errors for names that cannot exist (InvalidColumnIndex, MissingHeaders,
InvalidTableAlias)."""

from __future__ import annotations

import re

from . import nodes as n
from .errors import SelectError

POSITIONAL = re.compile(r"_(\d+)")


def invalid_column_index(path: n.Path) -> SelectError:
    return SelectError(
        "InvalidColumnIndex",
        f"The column index {path.where()} is invalid. "
        "Please check the service documentation and try again.",
    )


def missing_headers() -> SelectError:
    return SelectError(
        "MissingHeaders",
        "Some headers in the query are missing from the file. Please check the file and try again.",
    )


def invalid_table_alias(path: n.Path) -> SelectError:
    return SelectError(
        "InvalidTableAlias",
        f"Invalid table alias is specified {path.where()}. Please check the file and try again.",
    )


class Aliases:
    """The names a path root may use for the current row: the FROM alias and S3Object."""

    def __init__(self, alias: str | None, quoted: bool):
        self.alias, self.quoted = alias, quoted

    def matches(self, name: str, quoted: bool) -> bool:
        if self.alias is not None:
            if name == self.alias or (not quoted and not self.quoted and
                                      name.lower() == self.alias.lower()):  # fmt: skip
                return True
        return not quoted and name.lower() == "s3object"


def column_reference(path: n.Path, aliases: Aliases, kind: str):
    """(name, quoted, rest_steps) of the column a tabular path reads, or None for no column."""
    if aliases.matches(path.root, path.root_quoted):
        if not path.steps or path.steps[0].kind != "name":
            return None
        first = path.steps[0]
        return first.name, first.quoted, path.steps[1:]
    if path.steps and kind == "csv":
        raise invalid_table_alias(path)
    return path.root, path.root_quoted, path.steps


def find_column(names: list[str], name: str, quoted: bool) -> int | None:
    try:
        return names.index(name)
    except ValueError:
        pass
    if not quoted:
        lowered = name.lower()
        for index, candidate in enumerate(names):
            if candidate.lower() == lowered:
                return index
    return None


def bind(path: n.Path, aliases: Aliases, kind: str, names: list[str], header):
    """(column index or None, remaining steps) for ``path`` over columns ``names``."""
    reference = column_reference(path, aliases, kind)
    if reference is None:
        return None, []
    name, quoted, rest = reference
    index = find_column(names, name, quoted)
    if index is not None:
        return index, rest
    positional = POSITIONAL.fullmatch(name)
    if positional:
        number = int(positional.group(1))
        if number < 1:
            raise invalid_column_index(path)
        if header is not None:
            if number > len(header):
                return None, rest
            index = find_column(names, header[number - 1], True)
            return index, rest
        if all(POSITIONAL.fullmatch(c) for c in names) and number <= len(names):
            return None, rest  # a column the reader left out of this batch
        return (number - 1 if number <= len(names) else None), rest
    if kind == "csv":
        if header is not None:
            raise missing_headers()
        raise invalid_column_index(path)
    return None, rest
