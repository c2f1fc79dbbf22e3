"""The syntax tree of one S3 Select statement (what the parser builds, the evaluators walk)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Node:
    line: int = field(default=0, kw_only=True)
    column: int = field(default=0, kw_only=True)

    def where(self) -> str:
        return f"at line {self.line}, column {self.column}"


@dataclass(eq=False)
class Literal(Node):
    value: object


@dataclass(eq=False)
class Step:
    """One path step: ``.name`` / ``['name']`` (name), ``[3]`` (index), ``[*]`` / ``.*``."""

    kind: str  # "name" | "index" | "wildcard"
    name: str | None = None
    quoted: bool = False
    index: int | None = None


@dataclass(eq=False)
class Path(Node):
    """``root.step.step``: root is an alias, a column name, ``_N``, or a JSON field."""

    root: str
    root_quoted: bool
    steps: list[Step]


@dataclass(eq=False)
class ListValue(Node):
    """``[a, b, ...]``: a list built from expressions."""

    items: list[Node]


@dataclass(eq=False)
class Unary(Node):
    op: str  # "-" | "+" | "not"
    operand: Node


@dataclass(eq=False)
class Binary(Node):
    op: str  # and or = <> < <= > >= + - * / % ||
    left: Node
    right: Node


@dataclass(eq=False)
class Like(Node):
    subject: Node
    pattern: Node
    escape: Node | None
    negated: bool


@dataclass(eq=False)
class Between(Node):
    subject: Node
    low: Node
    high: Node
    negated: bool


@dataclass(eq=False)
class In(Node):
    subject: Node
    options: list[Node]
    negated: bool


@dataclass(eq=False)
class IsTest(Node):
    subject: Node
    what: str  # "null" | "missing" | "true" | "false"
    negated: bool


@dataclass(eq=False)
class Case(Node):
    operand: Node | None
    whens: list[tuple[Node, Node]]
    default: Node | None


@dataclass(eq=False)
class Cast(Node):
    operand: Node
    type_name: str  # canonical: INT FLOAT DECIMAL STRING BOOL TIMESTAMP


@dataclass(eq=False)
class Call(Node):
    """A scalar function; special syntaxes (TRIM, SUBSTRING, EXTRACT ...) normalise to args."""

    name: str  # upper case
    args: list[Node]
    options: dict = field(default_factory=dict)  # e.g. trim side, date part


@dataclass(eq=False)
class Aggregate(Node):
    name: str  # COUNT SUM AVG MIN MAX
    arg: Node | None  # None for COUNT(*)
    slot: int = -1  # index into the aggregate accumulators, set by the planner


@dataclass(eq=False)
class SelectItem:
    expr: Node
    alias: str | None


@dataclass(eq=False)
class FromClause:
    steps: list[Step]  # path after S3Object (empty for plain S3Object)
    wildcard_root: bool  # S3Object[*]
    alias: str | None
    alias_quoted: bool = False


@dataclass(eq=False)
class Select:
    star: bool
    items: list[SelectItem]
    source: FromClause
    where: Node | None
    limit: int | None


def children(node: Node) -> list[Node]:
    """The direct sub-expressions of a node (for walks: aggregates, columns, checks)."""
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, Binary):
        return [node.left, node.right]
    if isinstance(node, Like):
        return [n for n in (node.subject, node.pattern, node.escape) if n is not None]
    if isinstance(node, Between):
        return [node.subject, node.low, node.high]
    if isinstance(node, In):
        return [node.subject, *node.options]
    if isinstance(node, IsTest):
        return [node.subject]
    if isinstance(node, Case):
        out = [node.operand] if node.operand is not None else []
        for cond, result in node.whens:
            out += [cond, result]
        if node.default is not None:
            out.append(node.default)
        return out
    if isinstance(node, Cast):
        return [node.operand]
    if isinstance(node, Call):
        return list(node.args)
    if isinstance(node, Aggregate):
        return [node.arg] if node.arg is not None else []
    if isinstance(node, ListValue):
        return list(node.items)
    return []


def walk(node: Node):
    yield node
    for child in children(node):
        yield from walk(child)
