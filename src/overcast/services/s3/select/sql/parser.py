"""Recursive-descent parser of the S3 Select dialect into nodes.Select, with AWS's errors."""

from __future__ import annotations

from decimal import Decimal

from . import nodes as n
from .errors import SelectError, star_not_alone, unexpected, unsupported, unsupported_select
from .function_syntax import AGGREGATES, FunctionSyntax
from .ion_literals import parse_ion_literal
from .lexer import Token, tokenize

COMPARISONS = ("=", "<>", "!=", "<", "<=", ">", ">=")


class Parser(FunctionSyntax):
    def __init__(self, source: str):
        self.tokens = tokenize(source)
        self.pos = 0

    # -- token helpers -------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "EOF":
            self.pos += 1
        return token

    def accept_keyword(self, *words: str) -> Token | None:
        return self.advance() if self.tok.is_keyword(*words) else None

    def expect_keyword(self, word: str) -> Token:
        if not self.tok.is_keyword(word):
            raise SelectError(
                "ParseExpectedKeyword",
                f"Expected keyword {word.upper()}, found {self.tok.describe()} {self.tok.where()}.",
            )
        return self.advance()

    def expect(self, kind: str) -> Token:
        if self.tok.kind != kind:
            raise unexpected(self.tok)
        return self.advance()

    # -- statement -----------------------------------------------------------------------
    def parse_statement(self) -> n.Select:
        if not self.tok.is_keyword("select"):
            raise unexpected(self.tok)
        self.advance()
        if self.tok.is_keyword("distinct", "all"):
            raise unsupported()
        star, items = self.parse_select_list()
        self.expect_keyword("from")
        source = self.parse_from()
        if self.tok.kind == "COMMA" or self.tok.is_keyword(
            "join", "inner", "left", "right", "full", "outer", "cross"
        ):
            raise SelectError("ParseMalformedJoin", "JOIN is not supported in the SQL expression.")
        where = None
        if self.accept_keyword("where"):
            where = self.parse_expr()
        grouped = self.skip_group_by()
        limit = None
        if self.accept_keyword("limit"):
            token = self.tok
            if token.kind != "LITERAL" or type(token.value) is not int:
                raise unexpected(token)
            limit = self.advance().value
        if self.tok.kind == "SEMICOLON" and self.peek().kind == "EOF":
            self.advance()  # one statement may end with a semicolon
        if self.tok.kind != "EOF":
            raise unexpected(self.tok)  # ORDER BY, UNION, OFFSET ... are not in the grammar
        if grouped:
            raise unsupported()
        return n.Select(star, items, source, where, limit)

    def skip_group_by(self) -> bool:
        """GROUP BY [HAVING] parses (AWS's parser knows it) but is refused once the whole
        statement has parsed: a later syntax error is reported first, as AWS does."""
        if not self.tok.is_keyword("group"):
            return False
        self.advance()
        self.expect_keyword("by")
        self.parse_expr()
        while self.tok.kind == "COMMA":
            self.advance()
            self.parse_expr()
        if self.accept_keyword("having"):
            self.parse_expr()
        return True

    def parse_select_list(self) -> tuple[bool, list[n.SelectItem]]:
        if self.tok.kind == "STAR":
            self.advance()
            if self.tok.kind == "COMMA":
                raise star_not_alone()
            return True, []
        if self.tok.is_keyword("from"):
            raise SelectError("ParseEmptySelect", "The SQL expression contains an empty SELECT.")
        items = []
        while True:
            if self.tok.kind == "STAR":
                raise star_not_alone()
            expr = self.parse_expr()
            if isinstance(expr, n.Path) and expr.steps and expr.steps[-1].kind == "wildcard":
                star_path = expr.steps[-1]
                if len(expr.steps) == 1 and star_path.name == "*":
                    # alias.* is the whole row, as SELECT * (only alone in the list)
                    if items or self.tok.kind == "COMMA":
                        raise star_not_alone()
                    return True, []
            alias = None
            if self.accept_keyword("as"):
                if self.tok.kind not in ("IDENTIFIER", "QUOTED_IDENTIFIER"):
                    raise alias_expected()
                alias = self.advance().value
            elif self.tok.kind in ("IDENTIFIER", "QUOTED_IDENTIFIER"):
                alias = self.advance().value
            items.append(n.SelectItem(expr, alias))
            if self.tok.kind != "COMMA":
                return False, items
            self.advance()

    def parse_from(self) -> n.FromClause:
        token = self.tok
        if token.kind == "LEFT_PAREN" and self.peek().is_keyword("select"):
            raise unsupported_select()
        if token.kind not in ("IDENTIFIER", "QUOTED_IDENTIFIER"):
            raise unexpected(token)
        if str(token.value).lower() != "s3object":
            raise SelectError(
                "InvalidDataSource",
                "Invalid data source type. Only CSV, JSON, and Parquet are supported at this time.",
            )
        self.advance()
        steps = self.parse_steps()
        wildcard_root = bool(steps) and steps[0].kind == "wildcard"
        if wildcard_root:
            steps = steps[1:]
        alias, quoted = None, False
        if self.accept_keyword("as"):
            if self.tok.kind not in ("IDENTIFIER", "QUOTED_IDENTIFIER"):
                raise alias_expected()
            quoted = self.tok.kind == "QUOTED_IDENTIFIER"
            alias = self.advance().value
        elif self.tok.kind in ("IDENTIFIER", "QUOTED_IDENTIFIER"):
            quoted = self.tok.kind == "QUOTED_IDENTIFIER"
            alias = self.advance().value
        return n.FromClause(steps, wildcard_root, alias, quoted)

    # -- path steps ----------------------------------------------------------------------
    def parse_steps(self) -> list[n.Step]:
        steps: list[n.Step] = []
        while True:
            if self.tok.kind == "DOT":
                self.advance()
                token = self.tok
                if token.kind == "STAR":
                    self.advance()
                    steps.append(n.Step("wildcard", name="*"))
                elif token.kind in ("IDENTIFIER", "QUOTED_IDENTIFIER", "KEYWORD"):
                    self.advance()
                    steps.append(
                        n.Step("name", name=token.text if token.kind == "KEYWORD" else token.value,
                               quoted=token.kind == "QUOTED_IDENTIFIER")
                    )  # fmt: skip
                else:
                    raise SelectError(
                        "ParseInvalidPathComponent",
                        "Invalid Path component, expecting either an IDENTIFIER or STAR, "
                        f"got: {token.kind},{token.where()}.",
                    )
            elif self.tok.kind == "LEFT_BRACKET":
                self.advance()
                token = self.advance()
                if token.kind == "STAR":
                    steps.append(n.Step("wildcard", name="[*]"))
                elif token.kind == "LITERAL" and type(token.value) is int:
                    steps.append(n.Step("index", index=token.value))
                elif token.kind == "LITERAL" and isinstance(token.value, str):
                    steps.append(n.Step("name", name=token.value, quoted=True))
                else:
                    raise unexpected(token)
                self.expect("RIGHT_BRACKET")
            else:
                return steps

    # -- expressions ---------------------------------------------------------------------
    def parse_expr(self) -> n.Node:
        left = self.parse_and()
        while self.tok.is_keyword("or"):
            token = self.advance()
            left = n.Binary("or", left, self.parse_and(), line=token.line, column=token.column)
        return left

    def parse_and(self) -> n.Node:
        left = self.parse_not()
        while self.tok.is_keyword("and"):
            token = self.advance()
            left = n.Binary("and", left, self.parse_not(), line=token.line, column=token.column)
        return left

    def parse_not(self) -> n.Node:
        if self.tok.is_keyword("not"):
            token = self.advance()
            return n.Unary("not", self.parse_not(), line=token.line, column=token.column)
        return self.parse_predicate()

    def parse_predicate(self) -> n.Node:
        left = self.parse_concat()
        while True:
            token = self.tok
            at = {"line": token.line, "column": token.column}
            if token.kind == "OPERATOR" and token.value in COMPARISONS:
                self.advance()
                self.need_operand(left)
                op = "<>" if token.value == "!=" else token.value
                left = n.Binary(op, left, self.parse_concat(), **at)
                continue
            negated = False
            if token.is_keyword("not") and self.peek().is_keyword("like", "between", "in"):
                self.advance()
                negated = True
            if self.accept_keyword("like"):
                pattern = self.parse_concat()
                escape = self.parse_concat() if self.accept_keyword("escape") else None
                left = n.Like(left, pattern, escape, negated, **at)
            elif self.accept_keyword("between"):
                low = self.parse_concat()
                self.expect_keyword("and")
                left = n.Between(left, low, self.parse_concat(), negated, **at)
            elif self.accept_keyword("in"):
                left = n.In(left, self.parse_in_list(), negated, **at)
            elif self.accept_keyword("is"):
                is_not = bool(self.accept_keyword("not"))
                what = self.tok
                if not what.is_keyword("null", "missing", "true", "false"):
                    raise SelectError(
                        "ParseExpectedTypeName",
                        f"Expected type name, found {what.describe()} {what.where()}.",
                    )
                self.advance()
                left = n.IsTest(left, what.value, is_not, **at)
            else:
                return left

    def parse_list(self) -> n.Node:
        token = self.advance()
        items: list[n.Node] = []
        while self.tok.kind != "RIGHT_BRACKET":
            items.append(self.parse_expr())
            if self.tok.kind != "COMMA":
                break
            self.advance()
        self.expect("RIGHT_BRACKET")
        return n.ListValue(items, line=token.line, column=token.column)

    def parse_in_list(self) -> list[n.Node]:
        self.expect("LEFT_PAREN")
        if self.tok.is_keyword("select"):
            raise unsupported_select()
        options = [self.parse_expr()]
        while self.tok.kind == "COMMA":
            self.advance()
            options.append(self.parse_expr())
        self.expect("RIGHT_PAREN")
        return options

    def need_operand(self, left: n.Node) -> None:
        """An operator with nothing after it: AWS reports the operator's expression, from
        where its left operand starts (``select 100+ from ...``: column 8)."""
        token = self.tok
        if token.kind in STARTS_EXPRESSION or token.is_op("+", "-") or token.is_keyword(
            *KEYWORDS_STARTING_EXPRESSION
        ):
            return
        line, column = start_of(left)
        raise SelectError(
            "ParseUnexpectedOperator",
            f"Unexpected operator OPERATOR:UNKNOWN at line {line}, column {column}.",
        )

    def parse_concat(self) -> n.Node:
        left = self.parse_additive()
        while self.tok.is_op("||"):
            token = self.advance()
            self.need_operand(left)
            left = n.Binary("||", left, self.parse_additive(), line=token.line, column=token.column)
        return left

    def parse_additive(self) -> n.Node:
        left = self.parse_multiplicative()
        while self.tok.is_op("+", "-"):
            token = self.advance()
            self.need_operand(left)
            right = self.parse_multiplicative()
            left = n.Binary(token.value, left, right, line=token.line, column=token.column)
        return left

    def parse_multiplicative(self) -> n.Node:
        left = self.parse_unary()
        while self.tok.kind == "STAR" or self.tok.is_op("/", "%"):
            token = self.advance()
            self.need_operand(left)
            right = self.parse_unary()
            left = n.Binary(token.value, left, right, line=token.line, column=token.column)
        return left

    def parse_unary(self) -> n.Node:
        if self.tok.is_op("-", "+"):
            token = self.advance()
            operand = self.parse_unary()
            if isinstance(operand, n.Literal) and token.value == "-" and _is_number(operand.value):
                return n.Literal(-operand.value, line=token.line, column=token.column)
            return n.Unary(token.value, operand, line=token.line, column=token.column)
        return self.parse_primary()

    def parse_primary(self) -> n.Node:
        token = self.tok
        at = {"line": token.line, "column": token.column}
        if token.kind == "LITERAL":
            self.advance()
            return n.Literal(token.value, **at)
        if token.kind == "ION_LITERAL":
            self.advance()
            return n.Literal(parse_ion_literal(token), **at)
        if token.is_keyword("null", "missing", "true", "false"):
            self.advance()
            from .missing import MISSING

            value = {"null": None, "missing": MISSING, "true": True, "false": False}[token.value]
            return n.Literal(value, **at)
        if token.kind == "LEFT_BRACKET":
            return self.parse_list()
        if token.kind == "LEFT_PAREN":
            self.advance()
            if self.tok.is_keyword("select"):
                raise unsupported_select()
            inner = self.parse_expr()
            self.expect("RIGHT_PAREN")
            return inner
        if token.is_keyword("case"):
            return self.parse_case()
        if token.is_keyword("cast"):
            return self.parse_cast()
        if token.is_keyword(*AGGREGATES) and self.peek().kind == "LEFT_PAREN":
            return self.parse_aggregate()
        if token.is_keyword("trim"):
            return self.parse_trim()
        if token.is_keyword("substring"):
            return self.parse_substring()
        if token.is_keyword("extract"):
            return self.parse_extract()
        if token.is_keyword("date_add", "date_diff"):
            return self.parse_date_function()
        if token.is_keyword("coalesce", "nullif") or (
            token.kind == "IDENTIFIER" and self.peek().kind == "LEFT_PAREN"
        ):
            return self.parse_call()
        if token.kind in ("IDENTIFIER", "QUOTED_IDENTIFIER"):
            self.advance()
            steps = self.parse_steps()
            return n.Path(token.value, token.kind == "QUOTED_IDENTIFIER", steps, **at)
        if token.kind == "OPERATOR":
            raise SelectError(
                "ParseUnexpectedOperator",
                f"Unexpected operator {token.describe()} {token.where()}.",
            )
        if token.kind == "KEYWORD" and token.value in ("select",):
            raise unsupported_select()
        raise unexpected(token)


STARTS_EXPRESSION = (
    "LITERAL", "ION_LITERAL", "IDENTIFIER", "QUOTED_IDENTIFIER", "LEFT_PAREN", "LEFT_BRACKET"
)  # fmt: skip
KEYWORDS_STARTING_EXPRESSION = (
    "null", "missing", "true", "false", "not", "case", "cast", "trim", "substring", "extract",
    "date_add", "date_diff", "coalesce", "nullif", *AGGREGATES,
)  # fmt: skip


def start_of(node: n.Node) -> tuple[int, int]:
    """Where an expression's text begins (its leftmost operand)."""
    while True:
        if isinstance(node, n.Binary):
            node = node.left
        elif isinstance(node, (n.Like, n.Between, n.In, n.IsTest)):
            node = node.subject
        else:
            return node.line, node.column


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def alias_expected() -> SelectError:
    return SelectError(
        "ParseExpectedIdentForAlias",
        "Did not find the expected identifier for the alias in the SQL expression.",
    )


def parse(source: str) -> n.Select:
    if not source or not source.strip():
        raise SelectError(
            "MissingRequiredParameter",
            "The SelectRequest entity is missing a required parameter. "
            "Check the service documentation and try again.",
        )
    return Parser(source).parse_statement()
