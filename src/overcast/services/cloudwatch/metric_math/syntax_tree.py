"""The nodes of a parsed metric math expression."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Reference:
    """The Id of another query of the request (a metric or an expression)."""
    name: str


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple


@dataclass(frozen=True)
class Array:
    """``[m1, m2, e1]``: an array of time series."""
    items: tuple


@dataclass(frozen=True)
class Unary:
    operator: str    # "-" | "+" | "!"
    operand: object


@dataclass(frozen=True)
class Binary:
    operator: str
    left: object
    right: object


def references(node) -> set[str]:
    """Every query Id the expression names (for dependency order and cycle detection); an
    upper-case word (REPEAT, ASC, AVG...) is a keyword, never an Id."""
    if isinstance(node, Reference):
        return {node.name} if node.name[0].islower() else set()
    if isinstance(node, Call):
        return set().union(*(references(a) for a in node.arguments)) if node.arguments else set()
    if isinstance(node, Array):
        return set().union(*(references(i) for i in node.items)) if node.items else set()
    if isinstance(node, Unary):
        return references(node.operand)
    if isinstance(node, Binary):
        return references(node.left) | references(node.right)
    return set()

