"""CloudWatch's search expression language (the first argument of SEARCH).

``{Namespace, DimensionName, ...} terms``: the optional schema keeps the metrics of that
namespace whose dimension names are exactly the ones listed; the terms, joined by AND (the
default between terms), OR, NOT and parentheses, are bare words (a part of the namespace, the
metric name, a dimension name or value, case-insensitive), quoted phrases (one of those
exactly) and ``Property=value`` (``MetricName``, ``Namespace`` or a dimension name; a quoted
value matches exactly, a bare one partially)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.services.cloudwatch.metric_math.errors import ExpressionError

MetricId = tuple[str, str, dict[str, str]]   # (namespace, metric name, dimensions)

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<schema>\{[^}]*\})
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<op>[()=])
  | (?P<word>[^\s()="{}]+)
""", re.VERBOSE)


@dataclass(frozen=True)
class Schema:
    namespace: str
    dimension_names: frozenset[str]


@dataclass(frozen=True)
class SearchExpression:
    schema: Schema | None
    condition: object          # a term tree: ("and"|"or", a, b) / ("not", a) / ("term", ...)

    def matches(self, metric: MetricId) -> bool:
        namespace, name, dimensions = metric
        if self.schema is not None:
            if namespace != self.schema.namespace or set(dimensions) != self.schema.dimension_names:
                return False
        return self.condition is None or _holds(self.condition, namespace, name, dimensions)


def parse_search(text: str) -> SearchExpression:
    """The parsed search expression; ExpressionError when it is malformed."""
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError("Invalid search expression")
        if match.lastgroup != "space":
            tokens.append((match.lastgroup, match.group()))
        position = match.end()
    schema = None
    if tokens and tokens[0][0] == "schema":
        schema = _schema(tokens.pop(0)[1])
    if any(kind == "schema" for kind, _ in tokens):
        raise ExpressionError("Invalid search expression")
    parser = _TermParser(tokens)
    try:
        condition = parser.disjunction() if tokens else None
    except RecursionError:
        raise ExpressionError("Invalid search expression") from None
    if parser.index != len(tokens):
        raise ExpressionError("Invalid search expression")
    if schema is None and condition is None:
        raise ExpressionError("Invalid search expression")
    return SearchExpression(schema, condition)


def _schema(text: str) -> Schema:
    parts = [_unquote(p.strip()) for p in text[1:-1].split(",")]
    if not parts or not parts[0]:
        raise ExpressionError("Invalid search expression")
    if any(not p for p in parts[1:]):
        raise ExpressionError("Invalid search expression")
    return Schema(parts[0], frozenset(parts[1:]))


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


class _TermParser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.index = 0

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else (None, None)

    def disjunction(self):
        node = self.conjunction()
        while self.peek() == ("word", "OR"):
            self.index += 1
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.negation()
        while True:
            kind, text = self.peek()
            if (kind, text) == ("word", "AND"):
                self.index += 1
            elif kind is None or text in (")", "OR"):
                return node
            node = ("and", node, self.negation())

    def negation(self):
        if self.peek() == ("word", "NOT"):
            self.index += 1
            return ("not", self.negation())
        return self.term()

    def term(self):
        kind, text = self.peek()
        if kind is None:
            raise ExpressionError("Invalid search expression")
        self.index += 1
        if (kind, text) == ("op", "("):
            node = self.disjunction()
            if self.peek() != ("op", ")"):
                raise ExpressionError("Invalid search expression")
            self.index += 1
            return node
        if kind not in ("word", "quoted"):
            raise ExpressionError("Invalid search expression")
        if self.peek() == ("op", "="):
            self.index += 1
            value_kind, value = self.peek()
            if value_kind not in ("word", "quoted"):
                raise ExpressionError("Invalid search expression")
            self.index += 1
            return ("property", _unquote(text), _unquote(value), value_kind == "quoted")
        return ("term", _unquote(text), kind == "quoted")


def _holds(node, namespace: str, name: str, dimensions: dict[str, str]) -> bool:
    kind = node[0]
    if kind == "and":
        return _holds(node[1], namespace, name, dimensions) and _holds(node[2], namespace, name, dimensions)
    if kind == "or":
        return _holds(node[1], namespace, name, dimensions) or _holds(node[2], namespace, name, dimensions)
    if kind == "not":
        return not _holds(node[1], namespace, name, dimensions)
    if kind == "property":
        _, key, value, exact = node
        if key == "MetricName":
            candidates = [name]
        elif key == "Namespace":
            candidates = [namespace]
        else:
            candidates = [dimensions[key]] if key in dimensions else []
        return any(_match(c, value, exact) for c in candidates)
    _, value, exact = node
    fields = [namespace, name, *dimensions.keys(), *dimensions.values()]
    return any(_match(f, value, exact) for f in fields)


def _match(field: str, value: str, exact: bool) -> bool:
    return field == value if exact else value.lower() in field.lower()


def search_label(metric: MetricId) -> str:
    """The label of one SEARCH result: its dimension values, then its metric name."""
    _, name, dimensions = metric
    return " ".join([*(dimensions[k] for k in sorted(dimensions)), name])
