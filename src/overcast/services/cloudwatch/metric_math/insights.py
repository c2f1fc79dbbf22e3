"""CloudWatch Metrics Insights queries (an Expression that starts with SELECT):

    SELECT FUNCTION(metricName) FROM namespace | SCHEMA(namespace[, dimension...])
    [WHERE key = 'value' | key != 'value' [AND | OR ...]] [GROUP BY key[, ...]]
    [ORDER BY FUNCTION() [ASC | DESC]] [LIMIT n]

FUNCTION is AVG, COUNT, MAX, MIN or SUM, applied in each period to every observation of the
matched metrics (``SCHEMA`` keeps the metrics whose dimension names are exactly those listed);
keywords are case-insensitive, identifiers are not. Without GROUP BY the query gives one
series, with it one series a group (a metric without a grouping dimension falls in ``Other``),
ordered by the function over the whole range and cut to LIMIT (at most 500 series)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from overcast.services.cloudwatch.metric_math.errors import ExpressionError

FUNCTIONS = ("AVG", "COUNT", "MAX", "MIN", "SUM")
MAX_SERIES = 500
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<number>\d+)
  | (?P<op>!=|=|\(|\)|,)
  | (?P<word>[A-Za-z_][A-Za-z0-9_./:-]*)
""", re.VERBOSE)


@dataclass(frozen=True)
class InsightsQuery:
    function: str
    metric_name: str
    namespace: str
    schema_dimensions: frozenset[str] | None     # None: any dimensions
    condition: object                             # None or ("and"|"or", a, b) / ("=" | "!=", key, value)
    group_by: tuple[str, ...]
    order: str | None                             # "ASC" | "DESC" | None
    limit: int

    def matches(self, namespace: str, name: str, dimensions: dict[str, str]) -> bool:
        if namespace != self.namespace or name != self.metric_name:
            return False
        if self.schema_dimensions is not None and set(dimensions) != self.schema_dimensions:
            return False
        return self.condition is None or _holds(self.condition, dimensions)

    def group_of(self, dimensions: dict[str, str]) -> tuple[str, ...]:
        return tuple(dimensions.get(key, "Other") for key in self.group_by)


def is_insights(expression: str) -> bool:
    """Whether an Expression is a Metrics Insights query rather than metric math."""
    return expression.lstrip()[:7].upper() == "SELECT " or expression.strip().upper() == "SELECT"


def parse_insights(text: str) -> InsightsQuery:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError()
        if match.lastgroup != "space":
            tokens.append((match.lastgroup, match.group()))
        position = match.end()
    try:
        return _Parser(tokens).query()
    except RecursionError:
        raise ExpressionError() from None


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.index = 0

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        if token[0] is None:
            raise ExpressionError()
        self.index += 1
        return token

    def keyword(self, *words: str) -> bool:
        kind, text = self.peek()
        if kind == "word" and text.upper() in words:
            self.index += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            raise ExpressionError()

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            raise ExpressionError()

    def identifier(self) -> str:
        kind, text = self.take()
        if kind == "quoted":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "word":
            return text
        raise ExpressionError()

    def query(self) -> InsightsQuery:
        self.expect_keyword("SELECT")
        function = self.identifier().upper()
        if function not in FUNCTIONS:
            raise ExpressionError()
        self.expect("(")
        metric_name = self.identifier()
        self.expect(")")
        self.expect_keyword("FROM")
        schema = None
        if self.keyword("SCHEMA"):
            self.expect("(")
            namespace = self.identifier()
            names = []
            while self.peek() == ("op", ","):
                self.index += 1
                names.append(self.identifier())
            self.expect(")")
            schema = frozenset(names)
        else:
            namespace = self.identifier()
        condition = self.disjunction() if self.keyword("WHERE") else None
        group_by: list[str] = []
        if self.keyword("GROUP"):
            self.expect_keyword("BY")
            group_by.append(self.identifier())
            while self.peek() == ("op", ","):
                self.index += 1
                group_by.append(self.identifier())
        order = None
        if self.keyword("ORDER"):
            self.expect_keyword("BY")
            if self.identifier().upper() != function:
                raise ExpressionError()
            self.expect("(")
            self.expect(")")
            order = "DESC" if self.keyword("DESC") else ("ASC" if self.keyword("ASC") else "ASC")
        limit = MAX_SERIES
        if self.keyword("LIMIT"):
            kind, text = self.take()
            if kind != "number" or not 1 <= int(text) <= MAX_SERIES:
                raise ExpressionError()
            limit = int(text)
        if self.peek()[0] is not None:
            raise ExpressionError()
        return InsightsQuery(function, metric_name, namespace, schema, condition, tuple(group_by), order, limit)

    def disjunction(self):
        node = self.conjunction()
        while self.keyword("OR"):
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.comparison()
        while self.keyword("AND"):
            node = ("and", node, self.comparison())
        return node

    def comparison(self):
        if self.peek() == ("op", "("):
            self.index += 1
            node = self.disjunction()
            self.expect(")")
            return node
        key = self.identifier()
        kind, operator = self.take()
        if kind != "op" or operator not in ("=", "!="):
            raise ExpressionError()
        kind, value = self.take()
        if kind != "string":
            raise ExpressionError()
        return (operator, key, re.sub(r"\\(.)", r"\1", value[1:-1]))


def _holds(node, dimensions: dict[str, str]) -> bool:
    kind = node[0]
    if kind == "and":
        return _holds(node[1], dimensions) and _holds(node[2], dimensions)
    if kind == "or":
        return _holds(node[1], dimensions) or _holds(node[2], dimensions)
    _, key, value = node
    equal = dimensions.get(key) == value
    return equal if kind == "=" else not equal
