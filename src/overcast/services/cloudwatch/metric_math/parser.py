"""Parser of metric math expressions (precedence climbing).

Precedence, loosest first: ``OR``/``||``, ``AND``/``&&``, comparisons, ``+ -``, ``* /``,
unary ``- + NOT``, ``^`` (right-associative), then primaries: numbers, strings, Ids,
``FUNCTION(args)``, ``(expr)`` and ``[array, of, series]``."""

from __future__ import annotations

from overcast.services.cloudwatch.metric_math.errors import ExpressionError
from overcast.services.cloudwatch.metric_math.lexer import Token, tokenize
from overcast.services.cloudwatch.metric_math.syntax_tree import (
    Array, Binary, Call, Number, Reference, Text, Unary,
)

# Evaluation walks the tree recursively: deeper trees are refused rather than overflow the stack.
MAX_DEPTH = 400
TOO_DEEP = f"The expression is nested more than {MAX_DEPTH} levels deep"
_LEVELS = [("||",), ("&&",), ("==", "!=", "<", "<=", ">", ">="), ("+", "-"), ("*", "/")]


def parse(text: str):
    """The syntax tree of ``text``; raises ExpressionError(Invalid syntax) when malformed."""
    if not text or not text.strip():
        raise ExpressionError()
    parser = _Parser(tokenize(text))
    try:
        node = parser.expression(0)
    except RecursionError:
        # nesting deeper than any real expression (the 2,048 characters of "((((...")
        raise ExpressionError() from None
    if parser.peek().kind != "end":
        raise ExpressionError()
    if _depth(node) > MAX_DEPTH:
        raise ExpressionError(TOO_DEEP)
    return node


def _depth(root) -> int:
    """The depth of the tree, walked without recursion (a chain of 1,000 additions is deep)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, Binary):
            stack += [(node.left, depth + 1), (node.right, depth + 1)]
        elif isinstance(node, Unary):
            stack.append((node.operand, depth + 1))
        elif isinstance(node, (Call, Array)):
            stack += [(child, depth + 1) for child in (node.arguments if isinstance(node, Call) else node.items)]
    return deepest


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.kind != "op" or token.text != text:
            raise ExpressionError()

    def at(self, *texts: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text in texts

    def expression(self, level: int):
        if level == len(_LEVELS):
            return self.unary()
        node = self.expression(level + 1)
        while self.at(*_LEVELS[level]):
            operator = self.take().text
            node = Binary(operator, node, self.expression(level + 1))
        return node

    def unary(self):
        if self.at("-", "+", "!"):
            operator = self.take().text
            return Unary(operator, self.unary())
        return self.power()

    def power(self):
        base = self.primary()
        if self.at("^"):
            self.take()
            return Binary("^", base, self.unary())
        return base

    def primary(self):
        token = self.take()
        if token.kind == "number":
            return Number(float(token.text))
        if token.kind == "string":
            return Text(token.text)
        if token.kind == "name":
            if self.at("("):
                self.take()
                return Call(token.text, self.arguments(")"))
            return Reference(token.text)
        if token.kind == "op" and token.text == "(":
            node = self.expression(0)
            self.expect(")")
            return node
        if token.kind == "op" and token.text == "[":
            return Array(self.arguments("]"))
        raise ExpressionError()

    def arguments(self, closing: str) -> tuple:
        items = []
        if self.at(closing):
            self.take()
            return ()
        while True:
            items.append(self.expression(0))
            if self.at(","):
                self.take()
                continue
            self.expect(closing)
            return tuple(items)
