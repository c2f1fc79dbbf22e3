"""Space-delimited patterns: ``[ip, user, ..., status_code = 4* && status_code != 403, bytes > 1000]``.

From "Using filter patterns to match terms in space-delimited log events": the message splits
on spaces, and the characters between a pair of square brackets or of double quotes are one
field (without the brackets or quotes). The pattern names the fields in order, separated by
commas; ``...`` stands for any number of fields; a field may carry conditions on itself
(``=``/``!=`` with strings holding ``*`` wildcards anywhere or a ``%regex%``, numeric
comparisons), joined with ``&&`` and ``||``. Without ``...`` the message has exactly as many
fields as the pattern. Extracted values are named ``$name``, or ``$<position>`` for fields
without a name and those ``...`` covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.services.logs.filter_pattern.cursor import Cursor
from overcast.services.logs.filter_pattern.errors import FilterPatternError, invalid_character, unterminated
from overcast.services.logs.filter_pattern.sql import contains
from overcast.services.logs.filter_pattern.match import FilterMatch
from overcast.services.logs.filter_pattern.values import Value, check_operator, read_operator, read_value, test_value

ELLIPSIS = "..."


@dataclass(frozen=True)
class FieldTest:
    op: str
    value: Value

    def holds(self, token: str) -> bool:
        return test_value(self.op, self.value, token, numeric_strings=True)


@dataclass(frozen=True)
class Field:
    name: str  # "" for an unnamed field, ELLIPSIS for "..."
    any_of: tuple  # alternatives (||) of conjunctions (&&) of FieldTests; () when unconditioned

    def holds(self, token: str) -> bool:
        if not self.any_of:
            return True
        return any(all(t.holds(token) for t in conj) for conj in self.any_of)


def split_message(message: str) -> list[str]:
    """The message's fields: runs of non-space, or what "..." or [...] enclose."""
    tokens, i, n = [], 0, len(message)
    while i < n:
        c = message[i]
        if c.isspace():
            i += 1
            continue
        if c in '"[':
            close = message.find('"' if c == '"' else "]", i + 1)
            if close != -1:
                tokens.append(message[i + 1:close])
                i = close + 1
                continue
        j = i
        while j < n and not message[j].isspace():
            j += 1
        tokens.append(message[i:j])
        i = j
    return tokens


def _split_fields(body: str) -> list[str]:
    """The pattern's comma-separated fields; commas inside quotes or a regex do not split."""
    parts, cur, start = [], Cursor(body), 0
    while not cur.at_end():
        c = cur.peek()
        if c == '"':
            cur.read_quoted()
        elif c == "%":
            cur.read_regex()
        elif c == ",":
            parts.append(body[start:cur.pos])
            cur.advance()
            start = cur.pos
        else:
            cur.advance()
    parts.append(body[start:])
    return parts


def _parse_field(text: str) -> Field:
    text = text.strip()
    if text in ("", ELLIPSIS):
        return Field(text, ())
    cur = Cursor(text)
    name = _read_name(cur)
    cur.skip_space()
    if cur.at_end():
        return Field(name, ())
    alternatives, conj = [], []
    while True:
        conj.append(_read_test(cur, name))
        cur.skip_space()
        if cur.at_end():
            break
        if cur.startswith("&&"):
            cur.advance(2)
        elif cur.startswith("||"):
            cur.advance(2)
            alternatives.append(tuple(conj))
            conj = []
        else:
            raise FilterPatternError()
        cur.skip_space()
        # every condition in a field is about that field ("status_code = 4* && bytes > 1000"
        # in one field is refused)
        if _read_name(cur) != name:
            raise FilterPatternError()
    alternatives.append(tuple(conj))
    return Field(name, tuple(alternatives))


def _read_name(cur: Cursor) -> str:
    cur.skip_space()
    start = cur.pos
    while not cur.at_end() and (cur.peek().isalnum() or cur.peek() == "_"):
        cur.advance()
    if cur.pos == start:
        if cur.at_end() or cur.peek() in "=!<>":
            raise FilterPatternError()
        raise invalid_character(cur.peek())
    return cur.text[start:cur.pos]


def _read_test(cur: Cursor, name: str) -> FieldTest:
    op = read_operator(cur)
    if op is None:
        c = cur.peek()
        raise invalid_character(c) if c and not c.isspace() and c not in "&|" else FilterPatternError()
    value = read_value(cur, stop="&|", wildcard_anywhere=True)
    check_operator(op, value)
    return FieldTest(op, value)


class SpaceDelimitedPattern:
    kind = "space_delimited"

    def __init__(self, text: str):
        if not text.endswith("]"):
            raise unterminated("[", "]")
        body = text[1:-1]
        if not body.strip():
            raise FilterPatternError()
        self.fields = [_parse_field(part) for part in _split_fields(body)]
        names = [f.name for f in self.fields if f.name not in ("", ELLIPSIS)]
        if len(names) != len(set(names)):
            raise FilterPatternError()
        self.regex_count = sum(
            t.value.kind == "regex" for f in self.fields for conj in f.any_of for t in conj
        )
        self.fixed = sum(f.name != ELLIPSIS for f in self.fields)
        self.has_ellipsis = self.fixed != len(self.fields)

    def match(self, message: str) -> FilterMatch | None:
        tokens = split_message(message)
        if len(tokens) < self.fixed or (not self.has_ellipsis and len(tokens) != self.fixed):
            return None
        spans = _spans(self.fields, tokens)
        if spans is None:
            return None
        extracted = {}
        for field, (start, end) in zip(self.fields, spans):
            for position in range(start, end):
                key = f"${field.name}" if field.name not in ("", ELLIPSIS) else f"${position + 1}"
                extracted[key] = tokens[position]
        return FilterMatch(extracted.get, extracted)

    def sql_prefilter(self) -> tuple[str, list] | None:
        """Fixed pieces of ``=`` values (wildcard strings, regex literals) the field, so the
        message, must contain."""
        clauses, params = [], []
        for field in self.fields:
            alternatives = []
            for conj in field.any_of:
                tests = [contains(p) for t in conj if t.op == "=" for p in t.value.fixed_parts()]
                if not tests:
                    alternatives = []
                    break
                alternatives.append(tests)
            if len(alternatives) == 1:
                clauses.extend(clause for clause, _ in alternatives[0])
                params.extend(param for _, param in alternatives[0])
            elif alternatives:
                clauses.append("(" + " OR ".join(
                    "(" + " AND ".join(clause for clause, _ in alt) + ")" for alt in alternatives) + ")")
                params.extend(param for alt in alternatives for _, param in alt)
        if not clauses:
            return None
        return " AND ".join(clauses), params


def _spans(fields: list[Field], tokens: list[str]) -> list[tuple[int, int]] | None:
    """Token spans of each field: positional without ``...``; with one ``...``, the fields
    before it take the first tokens and those after it the last; with several, a search."""
    ellipses = [i for i, f in enumerate(fields) if f.name == ELLIPSIS]
    if len(ellipses) > 1:
        try:
            return _align(fields, 0, tokens, 0)
        except RecursionError:
            return None
    cut = ellipses[0] if ellipses else len(fields)
    tail = len(fields) - cut - 1 if ellipses else 0
    spans = []
    for i in range(cut):
        if not fields[i].holds(tokens[i]):
            return None
        spans.append((i, i + 1))
    if ellipses:
        spans.append((cut, len(tokens) - tail))
        for k in range(tail):
            ti = len(tokens) - tail + k
            if not fields[cut + 1 + k].holds(tokens[ti]):
                return None
            spans.append((ti, ti + 1))
    return spans


def _align(fields: list[Field], fi: int, tokens: list[str], ti: int) -> list[tuple[int, int]] | None:
    """Token spans for fields[fi:] over tokens[ti:], trying each length an ellipsis can take."""
    if fi == len(fields):
        return [] if ti == len(tokens) else None
    field = fields[fi]
    if field.name == ELLIPSIS:
        remaining_fixed = sum(f.name != ELLIPSIS for f in fields[fi + 1:])
        for end in range(len(tokens) - remaining_fixed, ti - 1, -1):
            rest = _align(fields, fi + 1, tokens, end)
            if rest is not None:
                return [(ti, end)] + rest
        return None
    if ti >= len(tokens) or not field.holds(tokens[ti]):
        return None
    rest = _align(fields, fi + 1, tokens, ti + 1)
    return None if rest is None else [(ti, ti + 1)] + rest
