"""The AlarmRule of a composite alarm: parsing, AWS's checks, and evaluation.

Grammar (the PutCompositeAlarm reference): ``ALARM(x)``, ``OK(x)``, ``INSUFFICIENT_DATA(x)``
where x is an alarm name or ARN, bare or in double quotes; ``TRUE``, ``FALSE``; ``NOT``,
``AND``, ``OR`` (NOT binds tightest, then AND, then OR) and parentheses. A rule refers to at
most 100 child alarms and has at most 500 elements (children, TRUE/FALSE, parentheses).

``AT_LEAST(M, STATE, (x1, x2, ...))`` holds when at least M of the listed alarms are in STATE;
M is a count or a percentage of the list (``50%``), STATE one of ALARM, OK,
INSUFFICIENT_DATA, or ``NOT`` one of them ("at least M are not in STATE"), the alarms names or
ARNs, bare or quoted, separated by commas (the form CloudWatch's own CDK constructs render).

A syntax error is answered as CloudWatch does: ValidationError
"Error in AlarmRule [Unsupported token ')' at char 1]" (the token and its 0-based offset),
with ", must be: ')'" when one token only could follow.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_RULE_LENGTH = 10240
MAX_CHILDREN = 100
MAX_ELEMENTS = 500
STATE_FUNCTIONS = {"ALARM": "ALARM", "OK": "OK", "INSUFFICIENT_DATA": "INSUFFICIENT_DATA"}


class AlarmRuleError(ValueError):
    """The rule does not parse; ``str()`` is the text inside "Error in AlarmRule [...]"."""


@dataclass(frozen=True)
class Token:
    kind: str  # "(", ")", ",", "word", "quoted", "end"
    text: str
    at: int


@dataclass(frozen=True)
class StateIs:
    state: str
    alarm: str  # name or ARN, as written (without quotes)


@dataclass(frozen=True)
class AtLeast:
    count: int  # how many, or a percentage of the alarms when ``percent``
    percent: bool
    state: str
    negated: bool  # at least M alarms NOT in ``state``
    alarms: tuple[str, ...]


@dataclass(frozen=True)
class Constant:
    value: bool


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class Both:
    left: object
    right: object


@dataclass(frozen=True)
class Either:
    left: object
    right: object


def _tokens(rule: str) -> list[Token]:
    tokens: list[Token] = []
    i, length = 0, len(rule)
    while i < length:
        char = rule[i]
        if char.isspace():
            i += 1
        elif char in "(),":
            tokens.append(Token(char, char, i))
            i += 1
        elif char == '"':
            end = i + 1
            text = []
            while end < length and rule[end] != '"':
                if rule[end] == "\\" and end + 1 < length:
                    end += 1
                text.append(rule[end])
                end += 1
            if end >= length:
                raise AlarmRuleError(f"Unsupported token '{rule[i:]}' at char {i}")
            tokens.append(Token("quoted", "".join(text), i))
            i = end + 1
        else:
            end = i
            while end < length and not rule[end].isspace() and rule[end] not in '(),"':
                end += 1
            tokens.append(Token("word", rule[i:end], i))
            i = end
    tokens.append(Token("end", "", length))
    return tokens


class _Parser:
    def __init__(self, rule: str):
        self.tokens = _tokens(rule)
        self.position = 0
        self.children: list[str] = []
        self.elements = 0

    def peek(self) -> Token:
        return self.tokens[self.position]

    def take(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def fail(self, token: Token, expected: str | None = None):
        if token.kind == "end":
            raise AlarmRuleError(f"Unexpected end of expression at char {token.at}"
                                 + (f", must be: '{expected}'" if expected else ""))
        shown = f'"{token.text}"' if token.kind == "quoted" else token.text
        raise AlarmRuleError(f"Unsupported token '{shown}' at char {token.at}"
                             + (f", must be: '{expected}'" if expected else ""))

    def expect(self, kind: str) -> Token:
        token = self.take()
        if token.kind != kind:
            self.fail(token, kind)
        return token

    def either(self):
        node = self.both()
        while self.peek().kind == "word" and self.peek().text == "OR":
            self.take()
            node = Either(node, self.both())
        return node

    def both(self):
        node = self.negation()
        while self.peek().kind == "word" and self.peek().text == "AND":
            self.take()
            node = Both(node, self.negation())
        return node

    def negation(self):
        token = self.peek()
        if token.kind == "word" and token.text == "NOT":
            self.take()
            return Not(self.negation())
        return self.primary()

    def primary(self):
        token = self.take()
        if token.kind == "(":
            self.elements += 2
            node = self.either()
            self.expect(")")
            return node
        if token.kind == "word" and token.text in ("TRUE", "FALSE"):
            self.elements += 1
            return Constant(token.text == "TRUE")
        if token.kind == "word" and token.text in STATE_FUNCTIONS:
            self.expect("(")
            name = self.bare_name()
            self.expect(")")
            self.elements += 1
            self.children.append(name)
            return StateIs(STATE_FUNCTIONS[token.text], name)
        if token.kind == "word" and token.text == "AT_LEAST":
            return self.at_least()
        self.fail(token)

    def bare_name(self) -> str:
        """A state function's alarm: quoted, or the unquoted characters up to ``)`` (a name
        may hold commas)."""
        first = self.take()
        if first.kind == "quoted" and first.text:
            return first.text
        if first.kind != "word" or not first.text:
            self.fail(first)
        text, end = first.text, first.at + len(first.text)
        while self.peek().kind in ("word", ",") and self.peek().at == end:
            part = self.take()
            text, end = text + part.text, end + len(part.text)
        return text

    def at_least(self) -> AtLeast:
        self.expect("(")
        threshold = self.take()
        number = threshold.text[:-1] if threshold.text.endswith("%") else threshold.text
        if threshold.kind != "word" or not number.isdigit() or int(number) < 1 \
                or (threshold.text.endswith("%") and int(number) > 100):
            self.fail(threshold)
        self.expect(",")
        state = self.take()
        negated = state.kind == "word" and state.text == "NOT"
        if negated:
            state = self.take()
        if state.kind != "word" or state.text not in STATE_FUNCTIONS:
            self.fail(state)
        self.expect(",")
        self.expect("(")
        alarms = []
        while True:
            alarm = self.take()
            if alarm.kind not in ("word", "quoted") or not alarm.text:
                self.fail(alarm)
            alarms.append(alarm.text)
            self.elements += 1
            separator = self.take()
            if separator.kind == ")":
                break
            if separator.kind != ",":
                self.fail(separator, ")")
        self.expect(")")
        self.elements += 2
        self.children.extend(alarms)
        return AtLeast(int(number), threshold.text.endswith("%"), STATE_FUNCTIONS[state.text], negated,
                       tuple(alarms))


@dataclass(frozen=True)
class ParsedRule:
    tree: object
    children: tuple[str, ...]  # names or ARNs, in order of appearance, without repeats


def parse_rule(rule: str) -> ParsedRule:
    """Parse ``rule``; raises AlarmRuleError with CloudWatch's wording."""
    parser = _Parser(rule)
    tree = parser.either()
    end = parser.take()
    if end.kind != "end":
        parser.fail(end)
    children = tuple(dict.fromkeys(parser.children))
    if len(children) > MAX_CHILDREN:
        raise AlarmRuleError(f"Alarm rule cannot have more than {MAX_CHILDREN} children alarms")
    if parser.elements > MAX_ELEMENTS:
        raise AlarmRuleError(f"Alarm rule cannot have more than {MAX_ELEMENTS} elements")
    return ParsedRule(tree, children)


def evaluate_rule(tree, state_of) -> bool:
    """True when the rule holds; ``state_of(name_or_arn)`` gives a child's state value."""
    if isinstance(tree, StateIs):
        return state_of(tree.alarm) == tree.state
    if isinstance(tree, AtLeast):
        matching = sum(1 for alarm in tree.alarms if (state_of(alarm) == tree.state) != tree.negated)
        if tree.percent:
            return matching * 100 >= tree.count * len(tree.alarms)
        return matching >= tree.count
    if isinstance(tree, Constant):
        return tree.value
    if isinstance(tree, Not):
        return not evaluate_rule(tree.operand, state_of)
    if isinstance(tree, Both):
        return evaluate_rule(tree.left, state_of) and evaluate_rule(tree.right, state_of)
    if isinstance(tree, Either):
        return evaluate_rule(tree.left, state_of) or evaluate_rule(tree.right, state_of)
    raise TypeError(f"not a rule node: {tree!r}")
