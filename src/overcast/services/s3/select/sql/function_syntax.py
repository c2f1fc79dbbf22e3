"""The special syntaxes of S3 Select's functions: CAST, CASE, the aggregates, TRIM, SUBSTRING,
EXTRACT, DATE_ADD/DATE_DIFF, and plain calls (mixed into the parser)."""

from __future__ import annotations

from . import nodes as n
from .errors import SelectError, unexpected, unsupported

# CAST target names -> canonical type (AWS: INT/INTEGER, FLOAT, DECIMAL/NUMERIC, STRING, BOOL,
# TIMESTAMP; the SQL spellings PartiQL accepts for the same types are kept too).
TYPE_NAMES = {
    "int": "INT", "integer": "INT", "smallint": "INT", "bigint": "INT",
    "float": "FLOAT", "real": "FLOAT", "double": "FLOAT",
    "decimal": "DECIMAL", "numeric": "DECIMAL",
    "string": "STRING", "varchar": "STRING", "char": "STRING", "character": "STRING",
    "bool": "BOOL", "boolean": "BOOL",
    "timestamp": "TIMESTAMP",
}  # fmt: skip
AGGREGATES = ("count", "sum", "avg", "min", "max")
DATE_PARTS = (
    "year", "month", "day", "hour", "minute", "second", "timezone_hour", "timezone_minute"
)  # fmt: skip
# Scalar functions called with plain argument lists, with their allowed argument counts.
PLAIN_FUNCTIONS = {
    "CHAR_LENGTH": (1, 1), "CHARACTER_LENGTH": (1, 1), "LOWER": (1, 1), "UPPER": (1, 1),
    "COALESCE": (1, 99), "NULLIF": (2, 2), "TO_STRING": (2, 2), "TO_TIMESTAMP": (1, 1),
    "UTCNOW": (0, 0),
}  # fmt: skip


def invalid_arguments() -> SelectError:
    return SelectError(
        "EvaluatorInvalidArguments",
        "Incorrect number of arguments in the function call in the SQL expression.",
    )


class FunctionSyntax:
    """Parser methods for function calls; the Parser class supplies tok/advance/expect."""

    def parse_arguments(self) -> list[n.Node]:
        self.expect("LEFT_PAREN")
        args: list[n.Node] = []
        if self.tok.kind == "RIGHT_PAREN":
            self.advance()
            return args
        while True:
            args.append(self.parse_expr())
            if self.tok.kind == "COMMA":
                self.advance()
                continue
            if self.tok.kind != "RIGHT_PAREN":
                raise SelectError(
                    "ParseExpectedRightParenBuiltinFunctionCall",
                    "Did not find the expected right parenthesis character in the SQL expression.",
                )
            self.advance()
            return args

    def parse_call(self) -> n.Node:
        token = self.advance()
        name = str(token.text).upper()
        if name not in PLAIN_FUNCTIONS:
            raise SelectError("UnsupportedFunction", "Encountered an unsupported SQL function.")
        args = self.parse_arguments()
        low, high = PLAIN_FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise invalid_arguments()
        return n.Call(name, args, line=token.line, column=token.column)

    def parse_aggregate(self) -> n.Node:
        token = self.advance()
        name = token.value.upper()
        self.expect("LEFT_PAREN")
        if self.tok.is_keyword("distinct"):
            raise unsupported()
        if self.tok.kind == "STAR":
            self.advance()
            if name != "COUNT":
                raise SelectError(
                    "ParseUnsupportedCallWithStar",
                    "Only COUNT with (*) as a parameter is supported in the SQL expression.",
                )
            self.expect("RIGHT_PAREN")
            return n.Aggregate(name, None, line=token.line, column=token.column)
        arg = self.parse_expr()
        if self.tok.kind == "COMMA":
            raise SelectError(
                "ParseNonUnaryAgregateFunctionCall",
                "Only one argument is supported for aggregate functions in the SQL expression.",
            )
        self.expect("RIGHT_PAREN")
        return n.Aggregate(name, arg, line=token.line, column=token.column)

    def parse_case(self) -> n.Node:
        token = self.advance()
        operand = None if self.tok.is_keyword("when", "end") else self.parse_expr()
        whens = []
        while self.accept_keyword("when"):
            cond = self.parse_expr()
            self.expect_keyword("then")
            whens.append((cond, self.parse_expr()))
        if not whens:
            raise SelectError(
                "ParseExpectedWhenClause",
                "Did not find the expected WHEN clause in the SQL expression. "
                "CASE is not supported.",
            )
        default = self.parse_expr() if self.accept_keyword("else") else None
        self.expect_keyword("end")
        return n.Case(operand, whens, default, line=token.line, column=token.column)

    def parse_cast(self) -> n.Node:
        token = self.advance()
        if self.tok.kind != "LEFT_PAREN":
            raise SelectError(
                "ParseExpectedLeftParenAfterCast",
                "Did not find expected the left parenthesis in the SQL expression.",
            )
        self.advance()
        operand = self.parse_expr()
        self.expect_keyword("as")
        type_token = self.tok
        type_name = TYPE_NAMES.get(str(type_token.text).lower())
        if type_token.kind not in ("IDENTIFIER", "KEYWORD") or type_name is None:
            raise SelectError(
                "ParseExpectedTypeName",
                f"Expected type name, found {type_token.describe()} {type_token.where()}.",
            )
        self.advance()
        if self.tok.kind == "LEFT_PAREN":  # DECIMAL(10, 2), VARCHAR(20): parameters ignored
            self.advance()
            while self.tok.kind in ("LITERAL", "COMMA"):
                self.advance()
            self.expect("RIGHT_PAREN")
        self.expect("RIGHT_PAREN")
        return n.Cast(operand, type_name, line=token.line, column=token.column)

    def parse_trim(self) -> n.Node:
        token = self.advance()
        self.expect("LEFT_PAREN")
        side = "both"
        if self.tok.is_keyword("leading", "trailing", "both"):
            side = self.advance().value
        chars = None
        if not self.tok.is_keyword("from"):
            first = self.parse_expr()
            if self.accept_keyword("from"):
                chars, subject = first, self.parse_expr()
            else:
                subject = first
        else:
            self.advance()
            subject = self.parse_expr()
        self.expect("RIGHT_PAREN")
        args = [subject] if chars is None else [subject, chars]
        return n.Call("TRIM", args, {"side": side}, line=token.line, column=token.column)

    def parse_substring(self) -> n.Node:
        token = self.advance()
        self.expect("LEFT_PAREN")
        subject = self.parse_expr()
        if self.accept_keyword("from"):
            args = [subject, self.parse_expr()]
            if self.accept_keyword("for"):
                args.append(self.parse_expr())
        elif self.tok.kind == "COMMA":
            self.advance()
            args = [subject, self.parse_expr()]
            if self.tok.kind == "COMMA":
                self.advance()
                args.append(self.parse_expr())
        else:
            raise unexpected(self.tok)
        self.expect("RIGHT_PAREN")
        return n.Call("SUBSTRING", args, line=token.line, column=token.column)

    def parse_date_part(self) -> str:
        token = self.tok
        part = str(token.text).lower()
        if token.kind not in ("IDENTIFIER", "KEYWORD") or part not in DATE_PARTS:
            raise SelectError(
                "ParseExpectedDatePart",
                f"Expected one of: {', '.join(p.upper() for p in DATE_PARTS)}, found "
                f"{token.describe()} {token.where()}.",
            )
        self.advance()
        return part

    def parse_extract(self) -> n.Node:
        token = self.advance()
        self.expect("LEFT_PAREN")
        part = self.parse_date_part()
        self.expect_keyword("from")
        subject = self.parse_expr()
        self.expect("RIGHT_PAREN")
        return n.Call("EXTRACT", [subject], {"part": part}, line=token.line, column=token.column)

    def parse_date_function(self) -> n.Node:
        token = self.advance()
        self.expect("LEFT_PAREN")
        part = self.parse_date_part()
        if part.startswith("timezone"):
            raise invalid_arguments()
        self.expect("COMMA")
        first = self.parse_expr()
        self.expect("COMMA")
        second = self.parse_expr()
        self.expect("RIGHT_PAREN")
        name = token.value.upper()
        return n.Call(name, [first, second], {"part": part}, line=token.line, column=token.column)
