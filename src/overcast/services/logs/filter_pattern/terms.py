"""Patterns over unstructured text: terms, quoted phrases, ``?`` OR terms, ``-`` exclusions.

From "Using filter patterns to match terms in unstructured log events": every term must occur
in the message (case-sensitive; ``ERROR`` matches "ERRORCODE"), a ``-term`` must not, and
``?term``s match when any of them occurs, but only when the pattern has no other terms: beside
plain or excluded terms AWS ignores them. A bare term holds letters, digits and ``_`` only;
anything else goes in double quotes. ``" "`` matches everything. A ``%regex%`` is a term too.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.logs.filter_pattern.aws_regex import AwsRegex, compile_aws_regex, required_literals
from overcast.services.logs.filter_pattern.cursor import Cursor
from overcast.services.logs.filter_pattern.errors import FilterPatternError, invalid_character
from overcast.services.logs.filter_pattern.sql import contains, lacks
from overcast.services.logs.filter_pattern.match import EMPTY_MATCH, FilterMatch


@dataclass(frozen=True)
class Term:
    text: str
    regex: AwsRegex | None = None

    def certain_text(self) -> list[str]:
        """Substrings every message holding this term contains ([]: nothing certain)."""
        if self.regex is not None:
            return required_literals(self.regex.body)
        return [] if self.blank else [self.text]

    @property
    def blank(self) -> bool:
        """A quoted phrase of spaces only (``" "``) stands for "everything"."""
        return self.regex is None and not self.text.strip()

    def occurs_in(self, message: str) -> bool:
        if self.regex is not None:
            return self.regex.search(message) is not None
        return self.blank or self.text in message


class TermsPattern:
    kind = "terms"

    def __init__(self, text: str):
        self.includes: list[Term] = []
        self.excludes: list[Term] = []
        self.optionals: list[Term] = []
        cur = Cursor(text)
        while True:
            cur.skip_space()
            if cur.at_end():
                break
            self._read_term(cur)
        self.regex_count = sum(t.regex is not None for t in self.includes + self.excludes + self.optionals)
        if self.includes or self.excludes:
            self.optionals = []  # AWS ignores ?terms beside other terms

    def _read_term(self, cur: Cursor) -> None:
        bucket = self.includes
        if cur.peek() in ("-", "?"):
            bucket = self.excludes if cur.advance() == "-" else self.optionals
            cur.skip_space()  # the user guide writes "ERROR" - "Exiting"
            if cur.at_end():
                raise FilterPatternError()
        c = cur.peek()
        if c == '"':
            term = Term(cur.read_quoted())
        elif c == "%":
            term = Term("", compile_aws_regex(cur.read_regex()))
        else:
            start = cur.pos
            while not cur.at_end() and not cur.peek().isspace():
                ch = cur.peek()
                if not (ch.isalnum() or ch == "_"):
                    raise invalid_character(ch)
                cur.advance()
            term = Term(cur.text[start:cur.pos])
        if not cur.at_end() and not cur.peek().isspace():
            raise invalid_character(cur.peek())
        bucket.append(term)

    def match(self, message: str) -> FilterMatch | None:
        for term in self.includes:
            if not term.occurs_in(message):
                return None
        for term in self.excludes:
            if term.occurs_in(message):
                return None
        if self.optionals and not any(t.occurs_in(message) for t in self.optionals):
            return None
        return EMPTY_MATCH

    def sql_prefilter(self) -> tuple[str, list] | None:
        """Plain terms and the literal runs of regex terms become substring tests; an excluded
        plain term is exact (``NOT GLOB``); the rest is left to ``match``."""
        tests = [contains(text) for term in self.includes for text in term.certain_text()]
        tests += [lacks(term.text) for term in self.excludes if term.regex is None and not term.blank]
        clauses, params = [clause for clause, _ in tests], [param for _, param in tests]
        alternatives = [[contains(text) for text in t.certain_text()] for t in self.optionals]
        if alternatives and all(alternatives):
            clauses.append("(" + " OR ".join(
                "(" + " AND ".join(clause for clause, _ in alt) + ")" for alt in alternatives) + ")")
            params.extend(param for alt in alternatives for _, param in alt)
        if not clauses:
            return None
        return " AND ".join(clauses), params
