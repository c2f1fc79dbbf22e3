"""Reads an event-ruler pattern's JSON (an SNS filter policy, an EventBridge event pattern) into
branches of (key path -> patterns), checking it as AWS does.

The pattern is read token by token (``json_reader.PullParser``) so each error names the position
AWS names. A pattern becomes a list of branches: ``$or`` forks the branch being built into one
per alternative; keys of nested objects become key paths. A document matches the pattern when
it matches every key of some branch. What differs between the services (operators, numbers,
null) comes from the caller's ``Dialect``.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal

from overcast.services.event_ruler import json_reader as tok
from overcast.services.event_ruler import patterns as pat
from overcast.services.event_ruler import wildcard as wild
from overcast.services.event_ruler.dialect import Dialect

OR_KEY = "$or"
# Operator names that cannot be field names inside an $or branch.
_RESERVED_IN_OR = frozenset(
    ("anything-but", "exists", "prefix", "suffix", "equals-ignore-case", "numeric", "cidr",
     "wildcard")
)
_IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$")
_IPV6 = re.compile(r"^[0-9a-fA-F:.]+$")


class Branch(dict):
    """One way to satisfy a pattern: key path (tuple of names) -> patterns."""


class RuleError(Exception):
    """A rule broken without a position to name (AWS words these bare)."""


def compile_branches(text: str, dialect: Dialect) -> tuple[list[Branch], int]:
    """The pattern's branches and its deepest nesting (1 when flat)."""
    parser = tok.PullParser(text)
    if parser.next_token() != tok.START_OBJECT:
        raise parser.fail("Filter is not an object")
    compiler = _Compiler(parser, dialect)
    branches: list[Branch] = []
    try:
        compiler.parse_object(branches, (), inside_or=False)
    except RecursionError:
        # Nested objects compile by recursion: a pattern nested deeper than Python's stack
        # allows is refused as AWS's parser refuses one nested too deep.
        raise tok.depth_failure(text) from None
    for tokens in compiler.wildcards.values():
        if wild.complexity(list(tokens)) > wild.MAX_ACTIVE_STATES:
            raise RuleError(wild.TOO_COMPLEX)
    return branches, compiler.deepest


class _Compiler:
    def __init__(self, parser: tok.PullParser, dialect: Dialect):
        self.parser = parser
        self.dialect = dialect
        self.comparable = dialect.comparable
        self.deepest = 1
        # Wildcard values per key path (a dict as an ordered set), for the complexity rule.
        self.wildcards: dict[tuple, dict] = {}
        self.path: tuple = ()

    def parse_object(self, branches: list[Branch], path: tuple, inside_or: bool) -> None:
        parser = self.parser
        self.deepest = max(self.deepest, len(path) + 1)
        fields_present = False
        while parser.next_token() != tok.END_OBJECT:
            fields_present = True
            name = parser.name or ""
            if name == OR_KEY:
                self.parse_or(branches, path)
                continue
            if inside_or and name in _RESERVED_IN_OR:
                raise parser.fail(
                    f"{name} is Ruler reserved fieldName which cannot be used inside {OR_KEY}."
                )
            token = parser.next_token()
            if token == tok.START_OBJECT:
                self.parse_object(branches, path + (name,), inside_or)
            elif token == tok.START_ARRAY:
                self.write_rules(branches, path + (name,))
            else:
                raise parser.fail(f'"{name}" must be an object or an array')
        if not fields_present:
            raise parser.fail("Empty objects are not allowed")

    def parse_or(self, branches: list[Branch], path: tuple) -> None:
        parser = self.parser
        current = [Branch(b) for b in branches]
        branches.clear()
        if parser.next_token() != tok.START_ARRAY:
            raise parser.fail(f"It must be an Array followed with {OR_KEY}.")
        alternatives = 0
        while (token := parser.next_token()) != tok.END_ARRAY:
            alternatives += 1
            if token != tok.START_OBJECT:
                raise parser.fail(
                    f"Only JSON object is allowed in array of {OR_KEY} relationship."
                )
            forked = [Branch(b) for b in current] or [Branch()]
            self.parse_object(forked, path, inside_or=True)
            branches.extend(forked)
        if alternatives < 2:
            raise parser.fail(f"There must have at least 2 Objects in {OR_KEY} relationship.")

    def write_rules(self, branches: list[Branch], path: tuple) -> None:
        parser = self.parser
        self.path = path
        patterns: list[pat.Pattern] = []
        while (token := parser.next_token()) != tok.END_ARRAY:
            if token == tok.START_OBJECT:
                patterns.append(self.match_expression())
            elif token == tok.STRING:
                patterns.append(pat.ExactString(parser.get_text()))
            elif token == tok.NUMBER:
                # A number the dialect cannot compare still matches as written.
                patterns.append(pat.ExactNumber(self.comparable(parser.number()), parser.get_text()))
            elif token in (tok.TRUE, tok.FALSE):
                patterns.append(pat.ExactLiteral(token))
            elif token == tok.NULL:
                # SNS treats a null in an attribute policy as "the attribute is absent".
                patterns.append(pat.ExactLiteral(token, absent_matches=self.dialect.null_matches_absent))
            else:
                raise parser.fail("Match value must be String, number, true, false, or null")
        if not patterns:
            raise parser.fail("Empty arrays are not allowed")
        if not branches:
            branches.append(Branch())
        for branch in branches:
            branch[path] = patterns

    def match_expression(self) -> pat.Pattern:
        parser = self.parser
        if parser.next_token() != tok.FIELD_NAME:
            raise parser.fail("Match expression name not found")
        kind = parser.name
        if kind in ("prefix", "suffix", "equals-ignore-case"):
            token = parser.next_token()
            if token == tok.START_OBJECT and kind != "equals-ignore-case" and self.dialect.affix_ignore_case:
                return self.affix_ignore_case(kind)
            if token != tok.STRING:
                raise parser.fail(f"{kind} match pattern must be a string")
            value = parser.get_text()
            self._close_expression()
            if kind == "prefix":
                return pat.Prefix(value)
            if kind == "suffix":
                return pat.Suffix(value)
            return pat.EqualsIgnoreCase(value)
        if kind == "numeric":
            if parser.next_token() != tok.START_ARRAY:
                raise parser.fail("Value of numeric must be an array.")
            numeric = self.numeric_expression()
            if parser.next_token() != tok.END_OBJECT:
                raise parser.fail("Too many elements in numeric expression")
            return numeric
        if kind == "anything-but":
            return self.anything_but()
        if kind == "exists":
            token = parser.next_token()
            if token not in (tok.TRUE, tok.FALSE):
                raise parser.fail("exists match pattern must be either true or false.")
            self._close_expression()
            return pat.Exists(token == tok.TRUE)
        if kind == "wildcard" and self.dialect.wildcard:
            if parser.next_token() != tok.STRING:
                raise parser.fail("wildcard match pattern must be a string")
            pattern = self.wildcard(parser.get_text())
            self._close_expression()
            return pattern
        if kind == "cidr":
            if parser.next_token() != tok.STRING:
                raise parser.fail("prefix match pattern must be a string")
            network = _cidr(parser.get_text())
            self._close_expression()
            return network
        raise parser.fail(f"Unrecognized match type {kind}")

    def affix_ignore_case(self, kind: str) -> pat.Pattern:
        """``{"prefix": {"equals-ignore-case": ...}}`` and its suffix twin."""
        parser = self.parser
        if parser.next_token() != tok.FIELD_NAME:
            raise parser.fail(f"{kind.capitalize()} expression name not found")
        if parser.name != "equals-ignore-case":
            raise parser.fail(f"Unsupported {kind} pattern: {parser.name}")
        if parser.next_token() != tok.STRING:
            raise parser.fail("equals-ignore-case match pattern must be a string")
        value = parser.get_text()
        self._close_expression()
        self._close_expression()
        return pat.PrefixIgnoreCase(value) if kind == "prefix" else pat.SuffixIgnoreCase(value)

    def wildcard(self, text: str) -> pat.Wildcard:
        """A wildcard value, checked; remembered under its key for the complexity rule."""
        try:
            tokens = wild.parse(text)
        except wild.WildcardError as error:
            raise self.parser.fail(str(error)) from None
        self.wildcards.setdefault(self.path, {})[tokens] = None
        return pat.Wildcard(tokens, wild.to_regex(tokens))

    def _close_expression(self) -> None:
        if self.parser.next_token() != tok.END_OBJECT:
            raise self.parser.fail("Only one key allowed in match expression")

    def anything_but(self) -> pat.Pattern:
        parser = self.parser
        token = parser.next_token()
        ignore_case = False
        if token == tok.START_OBJECT:
            if parser.next_token() != tok.FIELD_NAME:
                raise parser.fail("Anything-But expression name not found")
            operator = parser.name
            if operator == "equals-ignore-case":
                ignore_case = True
                token = parser.next_token()
            else:
                sets = ("prefix", "suffix", "wildcard") if self.dialect.wildcard else ("prefix", "suffix")
                if operator not in sets:
                    raise parser.fail(f"Unsupported anything-but pattern: {operator}")
                return self._anything_but_set(operator)
        if token not in (tok.START_ARRAY, tok.STRING, tok.NUMBER):
            raise parser.fail(
                "Value of anything-but must be an array or single string/number value."
            )
        if ignore_case:
            pattern = self._anything_but_ignore_case(token)
        else:
            pattern = self._anything_but_values(token)
        if parser.next_token() != tok.END_OBJECT:
            raise parser.fail("Too many elements in numeric expression")
        if ignore_case and parser.next_token() != tok.END_OBJECT:
            raise parser.fail("Too many elements in numeric expression")
        return pattern

    def _anything_but_set(self, operator: str) -> pat.Pattern:
        """anything-but with prefix, suffix or wildcard: one string, or (where the dialect has
        them) a list of strings."""
        parser = self.parser
        kind_text = (
            "wildcard match pattern must be a string" if operator == "wildcard"
            else "prefix/suffix match pattern must be a string"
        )
        token = parser.next_token()
        values: list[str] = []
        if token == tok.START_ARRAY and self.dialect.anything_but_lists:
            while (token := parser.next_token()) != tok.END_ARRAY:
                if token != tok.STRING:
                    raise parser.fail(kind_text)
                values.append(self._anything_but_operand(operator))
            if parser.next_token() != tok.END_OBJECT:
                raise parser.fail("Too many elements in numeric expression")
            if parser.next_token() != tok.END_OBJECT:
                raise parser.fail("Too many elements in numeric expression")
        else:
            if token != tok.STRING:
                raise parser.fail(kind_text)
            values.append(self._anything_but_operand(operator))
            self._close_expression()
            self._close_expression()
        if operator == "prefix":
            return pat.AnythingButPrefix(tuple(values))
        if operator == "suffix":
            return pat.AnythingButSuffix(tuple(values))
        return pat.AnythingButWildcard(tuple(self.wildcard(value) for value in values))

    def _anything_but_operand(self, operator: str) -> str:
        text = self.parser.get_text()
        if not text and operator != "wildcard":
            raise self.parser.fail("Null prefix/suffix not allowed")
        return text

    def _anything_but_values(self, token: str) -> pat.Pattern:
        parser = self.parser
        strings: set[str] = set()
        numbers: set[Decimal] = set()
        if token != tok.START_ARRAY:
            if token == tok.STRING:
                return pat.AnythingBut(strings=frozenset((parser.get_text(),)))
            return pat.AnythingBut(numbers=frozenset((self.operand(),)))
        while (token := parser.next_token()) != tok.END_ARRAY:
            if token == tok.STRING:
                strings.add(parser.get_text())
            elif token == tok.NUMBER:
                numbers.add(self.operand())
            else:
                raise parser.fail("Inside anything but list, start|null|boolean is not supported.")
        if bool(strings) == bool(numbers):
            raise parser.fail(
                "Inside anything but list, either all values are number or string, "
                "mixed type is not supported"
            )
        return pat.AnythingBut(strings=frozenset(strings), numbers=frozenset(numbers))

    def _anything_but_ignore_case(self, token: str) -> pat.Pattern:
        parser = self.parser
        if token != tok.START_ARRAY:
            if token != tok.STRING:
                raise parser.fail(
                    "Inside anything-but/equals-ignore-case list, "
                    "number|start|null|boolean is not supported."
                )
            return pat.AnythingButIgnoreCase(frozenset((parser.get_text().casefold(),)))
        folded = set()
        while (token := parser.next_token()) != tok.END_ARRAY:
            if token != tok.STRING:
                raise parser.fail(
                    "Inside anything-but/equals-ignore-case list, "
                    "numberic|start|null|boolean is not supported."
                )
            folded.add(parser.get_text().casefold())
        return pat.AnythingButIgnoreCase(frozenset(folded))

    def operand(self) -> Decimal:
        """The current number as an operand of numeric or anything-but, which must be one the
        dialect can compare."""
        value = self.comparable(self.parser.number())
        if value is None:
            raise self.parser.fail(self.dialect.number_out_of_range)
        return value

    def numeric_expression(self) -> pat.NumericRange:
        parser = self.parser
        if parser.next_token() != tok.STRING:
            raise parser.fail(f"Invalid member in numeric match: {parser.get_text()}")
        operator = parser.get_text()
        token = parser.next_token()
        if operator not in ("=", ">=", ">", "<=", "<"):
            raise parser.fail(f"Unrecognized numeric range operator: {operator}")
        if token != tok.NUMBER:
            shown = "equals" if operator == "=" else operator
            raise parser.fail(f"Value of {shown} must be numeric")
        value = self.operand()
        if operator in ("=", "<=", "<"):
            if parser.next_token() != tok.END_ARRAY:
                raise parser.fail("Too many elements in numeric expression")
            if operator == "=":
                return pat.NumericRange(bottom=value, top=value)
            return pat.NumericRange(top=value, top_open=operator == "<")
        bottom_open = operator == ">"
        token = parser.next_token()
        if token == tok.END_ARRAY:
            return pat.NumericRange(bottom=value, bottom_open=bottom_open)
        if token != tok.STRING:
            raise parser.fail(f"Bad value in numeric range: {parser.get_text()}")
        second = parser.get_text()
        if second not in ("<", "<="):
            raise parser.fail(f"Bad numeric range operator: {second}")
        if parser.next_token() != tok.NUMBER:
            raise parser.fail(f"Value of {second} must be numeric")
        top = self.operand()
        if parser.next_token() != tok.END_ARRAY:
            raise parser.fail("Too many terms in numeric range expression")
        if value >= top:
            raise parser.fail("Bottom must be less than top")
        return pat.NumericRange(value, bottom_open, top, second == "<")


def _cidr(text: str) -> pat.Cidr:
    """A CIDR pattern; covers from the address as written to the top of its block."""
    parts = text.split("/")
    while len(parts) > 1 and parts[-1] == "":  # a trailing '/' counts as none, as on AWS
        parts.pop()
    if len(parts) != 2:
        raise RuleError("Malformed CIDR, one '/' required")
    if not re.fullmatch(r"[+-]?[0-9]+", parts[1]):
        raise RuleError("Malformed CIDR, mask bits must be an integer")
    mask = int(parts[1])
    if mask < 0:
        raise RuleError("Malformed CIDR, mask bits must not be negative")
    address = None
    if _IPV4.match(parts[0]) or (":" in parts[0] and _IPV6.match(parts[0])):
        try:
            address = ipaddress.ip_address(parts[0])
        except ValueError:
            raise RuleError(f"Invalid IP address: {parts[0]}") from None
    if address is None:
        raise RuleError(f"Nonstandard IP address: {parts[0]}")
    if address.version == 4 and mask > 31:
        raise RuleError("IPv4 mask bits must be < 32")
    if address.version == 6 and mask > 127:
        raise RuleError("IPv6 mask bits must be < 128")
    width = 32 if address.version == 4 else 128
    host_bits = (1 << (width - mask)) - 1
    top = ipaddress.ip_address(int(address) | host_bits)
    return pat.Cidr(address, top)
