"""Recursive-descent parser of filter expressions.

    expression := disjunction
    disjunction := conjunction ("OR" conjunction)*
    conjunction := unary ("AND"? unary)*        -- juxtaposition is AND: ``ok !partial``
    unary := "!" unary | primary
    primary := "(" expression ")" | service(...) [block] | edge(..., ...) [block]
             | id(...) [block] | rootcause.<kind>.<level> block | keyword [operator value]

Inside a service/edge block the trace keywords describe that node or edge; inside a
rootcause block the fields of the root-cause service or entity are the keywords.
"""

from __future__ import annotations

from overcast.services.xray.filters import ast
from overcast.services.xray.filters.keywords import (
    ANY, BOOLEAN, BOOLEAN_OPERATORS, GROUP_FIELDS, NUMBER, NUMBER_OPERATORS, ROOT_CAUSE_FIELDS,
    ROOT_CAUSE_KINDS, STRING, STRING_OPERATORS, TRACE_KEYWORDS, annotation_key,
)
from overcast.services.xray.filters.lexer import FilterSyntaxError, Token, tokenize

# Parentheses, "!" and blocks nest at most this deep: deeper input is refused before the
# recursive descent (and the evaluator's walk) could run out of stack.
MAX_NESTING = 100

_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=", "CONTAINS", "BEGINSWITH", "ENDSWITH")
_OPERATORS_BY_TYPE = {STRING: STRING_OPERATORS, NUMBER: NUMBER_OPERATORS, BOOLEAN: BOOLEAN_OPERATORS,
                      ANY: _COMPARISONS}


def parse(text: str):
    """The expression's tree; raises FilterSyntaxError."""
    return _Parser(tokenize(text)).parse_all()


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        # The keywords valid where the parser is: the trace's, or a root-cause block's fields.
        self.scope: dict[str, str] | None = None

    # token helpers ----------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def at(self, kind: str, value=None) -> bool:
        t = self.tok
        return t.kind == kind and (value is None or t.value == value)

    def take(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def expect(self, value: str) -> Token:
        if not self.at("op", value):
            raise self.error(f"expected '{value}'")
        return self.take()

    def error(self, message: str, token: Token | None = None) -> FilterSyntaxError:
        t = token or self.tok
        found = "end of expression" if t.kind == "end" else repr(_text(t))
        return FilterSyntaxError(f"{message} but found {found}", t.position)

    # grammar ----------------------------------------------------------------------------

    def parse_all(self):
        if self.at("end"):
            raise self.error("expected an expression")
        node = self.disjunction()
        if not self.at("end"):
            raise self.error("expected AND, OR or the end of the expression")
        return node

    def disjunction(self):
        items = [self.conjunction()]
        while self.at("op", "OR"):
            self.take()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else ast.Or(tuple(items))

    def conjunction(self):
        items = [self.unary()]
        while True:
            if self.at("op", "AND"):
                self.take()
            elif not (self.at("name") or self.at("op", "!") or self.at("op", "(")):
                break
            items.append(self.unary())
        return items[0] if len(items) == 1 else ast.And(tuple(items))

    def unary(self):
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise FilterSyntaxError(f"expression nested more than {MAX_NESTING} deep", self.tok.position)
        try:
            if self.at("op", "!"):
                self.take()
                return ast.Not(self.unary())
            return self.primary()
        finally:
            self.depth -= 1

    def primary(self):
        if self.at("op", "("):
            self.take()
            node = self.disjunction()
            self.expect(")")
            return node
        if not self.at("name"):
            raise self.error("expected a keyword, a function or '('")
        name = self.tok.value
        if self.scope is None:
            if name == "service":
                return self.service()
            if name == "edge":
                return self.edge()
            if name == "id":
                return ast.ServiceFn(self.id_selector(), self.scoped_block(TRACE_KEYWORDS))
            if name.startswith("rootcause."):
                return self.rootcause()
        return self.comparison()

    def service(self):
        self.take()
        self.expect("(")
        selector = ast.Selector() if self.at("op", ")") else self.selector()
        self.expect(")")
        return ast.ServiceFn(selector, self.scoped_block(TRACE_KEYWORDS))

    def edge(self):
        self.take()
        self.expect("(")
        source = self.selector()
        self.expect(",")
        target = self.selector()
        self.expect(")")
        return ast.EdgeFn(source, target, self.scoped_block(TRACE_KEYWORDS))

    def selector(self) -> ast.Selector:
        if self.at("string"):
            return ast.Selector(name=self.take().value)
        if self.at("name", "id"):
            return self.id_selector()
        raise self.error("expected a service name in double quotes or id(...)")

    def id_selector(self) -> ast.Selector:
        self.take()
        self.expect("(")
        fields: dict[str, str] = {}
        while True:
            if not self.at("name") or self.tok.value not in ("name", "type", "account.id"):
                raise self.error("expected name:, type: or account.id:")
            key = self.take().value
            if key in fields:
                raise self.error(f"'{key}' given twice in id()")
            self.expect(":")
            if not self.at("string"):
                raise self.error(f"expected a value in double quotes for '{key}'")
            fields[key] = self.take().value
            if self.at("op", ","):
                self.take()
                continue
            break
        self.expect(")")
        return ast.Selector(fields.get("name"), fields.get("type"), fields.get("account.id"))

    def scoped_block(self, keywords: dict[str, str]):
        """An optional ``{ expression }`` whose keywords are ``keywords`` (no functions,
        annotations or groups inside a block)."""
        if not self.at("op", "{"):
            return None
        self.take()
        if self.at("op", "}"):
            raise self.error("expected an expression inside '{ }'")
        outer, self.scope = self.scope, keywords
        try:
            body = self.disjunction()
        finally:
            self.scope = outer
        self.expect("}")
        return body

    def rootcause(self):
        token = self.take()
        parts = token.value.split(".")
        if len(parts) < 3 or parts[1] not in ROOT_CAUSE_KINDS or parts[2] not in ROOT_CAUSE_FIELDS:
            raise FilterSyntaxError(f"unknown keyword '{token.value}'", token.position)
        kind, level = parts[1], parts[2]
        fields = dict(ROOT_CAUSE_FIELDS[level])
        if kind != "responsetime":
            fields.pop("coverage", None)
        if len(parts) > 3:  # flat form: rootcause.fault.service.name = "x"
            field = ".".join(parts[3:])
            if field not in fields:
                raise FilterSyntaxError(f"unknown keyword '{token.value}'", token.position)
            return ast.RootCause(kind, level, self.operation(field, fields[field], token))
        if not self.at("op", "{"):
            raise self.error(f"expected '{{' after '{token.value}'")
        return ast.RootCause(kind, level, self.scoped_block(fields))

    def comparison(self):
        token = self.take()
        keyword = token.value
        if self.scope is not None:
            kind = self.scope.get(keyword)
        elif keyword in GROUP_FIELDS:
            self.expect("=")
            if not self.at("string"):
                raise self.error(f"expected a value in double quotes for '{keyword}'")
            return ast.GroupRef(keyword.split(".")[1], self.take().value)
        elif annotation_key(keyword) is not None:
            kind = ANY
        else:
            kind = TRACE_KEYWORDS.get(keyword)
        if kind is None:
            raise FilterSyntaxError(f"unknown keyword '{keyword}'", token.position)
        return self.operation(keyword, kind, token)

    def operation(self, keyword: str, kind: str, token: Token) -> ast.Compare:
        if not (self.at("op") and self.tok.value in _COMPARISONS):
            if kind in (BOOLEAN, ANY):
                return ast.Compare(keyword)
            raise self.error(f"expected an operator after '{keyword}'")
        op_token = self.take()
        op = op_token.value
        if op not in _OPERATORS_BY_TYPE[kind]:
            raise FilterSyntaxError(f"operator '{op}' cannot be used with '{keyword}'", op_token.position)
        value = self.value(keyword, kind)
        if kind == ANY and not isinstance(value, str) and op in STRING_OPERATORS[2:]:
            raise FilterSyntaxError(f"operator '{op}' needs a value in double quotes", op_token.position)
        if kind == ANY and isinstance(value, (str, bool)) and op in ("<", "<=", ">", ">="):
            raise FilterSyntaxError(f"operator '{op}' needs a number", op_token.position)
        return ast.Compare(keyword, op, value)

    def value(self, keyword: str, kind: str):
        t = self.tok
        if t.kind == "string" and kind in (STRING, ANY):
            return self.take().value
        if t.kind == "number" and kind in (NUMBER, ANY):
            return self.take().value
        if t.kind == "name" and t.value.lower() in ("true", "false") and kind in (BOOLEAN, ANY):
            return self.take().value.lower() == "true"
        wanted = {STRING: "a value in double quotes", NUMBER: "a number", BOOLEAN: "true or false",
                  ANY: "a value in double quotes, a number, true or false"}[kind]
        raise self.error(f"expected {wanted} for '{keyword}'")


def _text(token: Token) -> str:
    if token.kind == "string":
        return f'"{token.value}"'
    if token.kind == "number":
        value = token.value
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(token.value)
