"""Logs Insights QL text -> ``syntax.Query``: commands separated by ``|``, each parsed by
recursive descent. Operator precedence, loosest first: ``or``, ``and``, ``not``, comparisons
(``= != < <= > >= like =~ in``), ``+ -``, ``* / %``, ``^``, unary ``-``.

Commands and keywords are matched without regard to case; field names keep theirs.
"""

from __future__ import annotations

import re

from overcast.services.logs.insights import syntax as s
from overcast.services.logs.insights.errors import QuerySyntaxError, UnsupportedCommand
from overcast.services.logs.insights.functions import AGGREGATES, SCALARS
from overcast.services.logs.insights.lexer import Token, tokenize

COMPARISONS = ("=", "==", "!=", "<", "<=", ">", ">=", "=~")
# commands of the language Overcast does not run: refused by name rather than misread
UNSUPPORTED_COMMANDS = {"pattern", "diff", "anomaly", "filterindex", "unnest", "lookup", "source",
                        "join", "addtotals"}


def parse_query(text: str) -> s.Query:
    """The query's pipeline; ``QuerySyntaxError`` when it does not compile."""
    return _Parser(text).query()


def glob_to_regex(glob: str) -> str:
    """``parse``'s glob: each ``*`` captures lazily; a trailing ``*`` takes the rest."""
    parts = glob.split("*")
    out = []
    for index, part in enumerate(parts):
        out.append(re.escape(part))
        if index < len(parts) - 1:
            out.append("(.*)" if index == len(parts) - 2 and parts[-1] == "" else "(.*?)")
    return "".join(out)


_JAVA_NAMED_GROUP = re.compile(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>")


def regex_to_python(source: str) -> str:
    """Java-style named groups ``(?<name>...)`` in Python's spelling."""
    return _JAVA_NAMED_GROUP.sub(r"(?P<\1>", source)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    # -- token helpers --------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def error(self, tok: Token | None = None, what: str | None = None) -> QuerySyntaxError:
        tok = tok or self.tok
        if what is None:
            what = "unexpected end of query" if tok.kind == "EOF" else f"unexpected symbol found {tok.text}"
        return QuerySyntaxError.at(self.text, tok.start, tok.end, what)

    def expect(self, kind: str) -> Token:
        if self.tok.kind != kind:
            raise self.error()
        return self.advance()

    def accept(self, kind: str) -> bool:
        if self.tok.kind == kind:
            self.pos += 1
            return True
        return False

    def accept_word(self, *words: str) -> bool:
        if self.tok.is_word(*words):
            self.pos += 1
            return True
        return False

    def source_of(self, start: int) -> str:
        return self.text[self.tokens[start].start:self.tokens[self.pos - 1].end].strip()

    # -- commands -------------------------------------------------------------------------

    def query(self) -> s.Query:
        query = s.Query(text=self.text)
        if self.tok.kind == "EOF":
            return query
        while True:
            query.commands.append(self.command(query))
            if self.accept("|"):
                continue
            if self.tok.kind != "EOF":
                raise self.error()
            return query

    def command(self, query: s.Query):
        tok = self.tok
        if tok.kind != "NAME":
            raise self.error()
        word = tok.text.lower()
        if word in UNSUPPORTED_COMMANDS:
            raise UnsupportedCommand.at(self.text, tok.start, tok.end,
                                        f"The {tok.text} command of Logs Insights QL is not implemented by Overcast")
        handler = getattr(self, f"cmd_{word}", None)
        if handler is None:
            raise self.error()
        self.advance()
        return handler()

    def cmd_fields(self):
        return s.FieldsCommand(tuple(self.projections()))

    def cmd_display(self):
        items = []
        while True:
            expr = self.field()
            items.append(s.Projection(expr, expr.name, False))
            if not self.accept(","):
                return s.DisplayCommand(tuple(items))

    def cmd_filter(self):
        return s.FilterCommand(self.expression())

    def cmd_stats(self):
        aggregates = self.projections(aggregate=True)
        groups = []
        if self.accept_word("by"):
            groups = self.projections()
        return s.StatsCommand(tuple(aggregates), tuple(groups))

    def cmd_sort(self):
        keys = []
        while True:
            expr = self.expression()
            descending = False
            if self.accept_word("desc"):
                descending = True
            else:
                self.accept_word("asc")
            keys.append(s.SortKey(expr, descending))
            if not self.accept(","):
                return s.SortCommand(tuple(keys))

    def cmd_limit(self):
        tok = self.tok
        if tok.kind != "NUMBER" or not isinstance(tok.value, int) or tok.value < 1:
            raise self.error()
        self.advance()
        return s.LimitCommand(tok.value)

    def cmd_dedup(self):
        fields = [self.field()]
        while self.accept(","):
            fields.append(self.field())
        return s.DedupCommand(tuple(fields))

    def cmd_unmask(self):
        fields = []
        if self.accept("("):
            fields.append(self.field())
            self.expect(")")
        elif self.tok.kind == "NAME":
            fields.append(self.field())
        return s.UnmaskCommand(tuple(fields))

    def cmd_parse(self):
        source = self.field() if self.tok.kind == "NAME" else s.Field("@message")
        tok = self.tok
        if tok.kind == "REGEX":
            self.advance()
            pattern = regex_to_python(tok.value)
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise self.error(tok, f"invalid regular expression {tok.text}: {exc}") from None
            names = tuple(name for name, _ in sorted(compiled.groupindex.items(), key=lambda kv: kv[1]))
            if not names:
                raise self.error(tok, "parse with a regular expression needs named capturing groups")
            # capture by name: unnamed groups in the pattern do not shift the fields
            return s.ParseCommand(source, pattern, names)
        if tok.kind != "STRING":
            raise self.error()
        self.advance()
        if not self.accept_word("as"):
            raise self.error()
        names = [self.name_token()]
        while self.accept(","):
            names.append(self.name_token())
        stars = tok.value.count("*")
        if stars != len(names):
            raise self.error(tok, f"the pattern {tok.text} has {stars} wildcards for {len(names)} fields")
        return s.ParseCommand(source, glob_to_regex(tok.value), tuple(names))

    def name_token(self) -> str:
        tok = self.tok
        if tok.kind != "NAME" or tok.text.lower() in ("and", "or", "not", "as", "by"):
            raise self.error()
        self.advance()
        return tok.value

    def projections(self, aggregate: bool = False) -> list[s.Projection]:
        items = []
        while True:
            start = self.pos
            expr = self.expression(aggregate=aggregate)
            text = self.source_of(start)
            if self.accept_word("as"):
                items.append(s.Projection(expr, self.name_token(), True))
            else:
                # a bare field keeps its name (a `quoted` one without the backquotes)
                items.append(s.Projection(expr, expr.name if isinstance(expr, s.Field) else text, False))
            if not self.accept(","):
                return items

    # -- expressions ----------------------------------------------------------------------

    def field(self) -> s.Field:
        tok = self.tok
        if tok.kind != "NAME":
            raise self.error()
        self.advance()
        return s.Field(tok.value)

    def expression(self, aggregate: bool = False):
        self.aggregate_allowed = aggregate
        return self.or_expr()

    def or_expr(self):
        left = self.and_expr()
        while self.accept_word("or"):
            left = s.Binary("or", left, self.and_expr())
        return left

    def and_expr(self):
        left = self.not_expr()
        while self.accept_word("and"):
            left = s.Binary("and", left, self.not_expr())
        return left

    def not_expr(self):
        if self.accept_word("not"):
            return s.Unary("not", self.not_expr())
        return self.comparison()

    def comparison(self):
        left = self.additive()
        tok = self.tok
        if tok.kind in COMPARISONS:
            self.advance()
            op = "=" if tok.kind == "==" else tok.kind
            return s.Binary(op, left, self.additive())
        negated = False
        if tok.is_word("not") and self.tokens[self.pos + 1].is_word("like", "in"):
            self.advance()
            negated = True
        if self.accept_word("like"):
            right = self.additive()
            if not isinstance(right, (s.Literal, s.Regex)) or not isinstance(getattr(right, "value", ""), str):
                raise self.error(self.tokens[self.pos - 1])
            expr = s.Binary("like", left, right)
            return s.Unary("not", expr) if negated else expr
        if self.accept_word("in"):
            self.expect("[")
            items = []
            if self.tok.kind != "]":
                items.append(self.additive())
                while self.accept(","):
                    items.append(self.additive())
            self.expect("]")
            if not all(isinstance(item, s.Literal) for item in items):
                raise self.error(self.tokens[self.pos - 1])
            return s.InList(left, tuple(items), negated)
        if negated:
            raise self.error()
        return left

    def additive(self):
        left = self.multiplicative()
        while self.tok.kind in ("+", "-"):
            op = self.advance().kind
            left = s.Binary(op, left, self.multiplicative())
        return left

    def multiplicative(self):
        left = self.power()
        while self.tok.kind in ("*", "/", "%"):
            op = self.advance().kind
            left = s.Binary(op, left, self.power())
        return left

    def power(self):
        left = self.unary()
        if self.accept("^"):
            return s.Binary("^", left, self.power())
        return left

    def unary(self):
        if self.accept("-"):
            operand = self.unary()
            if isinstance(operand, s.Literal) and isinstance(operand.value, (int, float)):
                return s.Literal(-operand.value)
            return s.Unary("-", operand)
        return self.primary()

    def primary(self):
        tok = self.tok
        if tok.kind in ("NUMBER", "STRING"):
            self.advance()
            return s.Literal(tok.value)
        if tok.kind == "REGEX":
            self.advance()
            try:
                re.compile(regex_to_python(tok.value))
            except re.error as exc:
                raise self.error(tok, f"invalid regular expression {tok.text}: {exc}") from None
            return s.Regex(regex_to_python(tok.value))
        if tok.kind == "DURATION":
            self.advance()
            unit, amount = tok.value
            return s.Duration(unit, amount)
        if tok.kind == "(":
            self.advance()
            inner = self.or_expr()
            self.expect(")")
            return inner
        if tok.kind == "NAME" and tok.text.lower() not in ("and", "or", "not", "like", "in", "as", "by"):
            if self.tokens[self.pos + 1].kind == "(" and not tok.text.startswith("`"):
                return self.call()
            self.advance()
            return s.Field(tok.value)
        raise self.error()

    def call(self):
        tok = self.advance()
        name = tok.text.lower()
        self.expect("(")
        if name in AGGREGATES:
            if not self.aggregate_allowed:
                raise self.error(tok, f"the function {tok.text} can only be used in stats")
            spec = AGGREGATES[name]
        elif name in SCALARS:
            spec = SCALARS[name]
        else:
            raise self.error(tok, f"unknown function {tok.text}")
        args = []
        if self.tok.kind == "*" and name == "count":
            self.advance()
            args.append(s.Star())
        elif self.tok.kind != ")":
            saved = self.aggregate_allowed
            if name in AGGREGATES:
                self.aggregate_allowed = False  # no aggregate inside an aggregate
            args.append(self.or_expr())
            while self.accept(","):
                args.append(self.or_expr())
            self.aggregate_allowed = saved
        self.expect(")")
        if not spec.min_args <= len(args) <= spec.max_args:
            raise self.error(tok, f"the function {tok.text} takes "
                                  f"{spec.min_args if spec.min_args == spec.max_args else f'{spec.min_args} or more'} "
                                  f"arguments, not {len(args)}")
        return s.Call(name, tuple(args))
