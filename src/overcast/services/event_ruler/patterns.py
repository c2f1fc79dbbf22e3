"""The match patterns of an event-ruler pattern and the document values they are tested against.

A document value is a ``Value``: a JSON string, number or literal (true, false, null) taken from
an SNS message attribute (String, Number, String.Array), an SNS JSON body or an EventBridge
event. As on AWS, string patterns only match strings and numeric patterns only numbers:
``"100"`` in a pattern does not match the number 100, nor ``100`` the string "100".
Numbers are compared as the caller's dialect rounds them (``Dialect.comparable``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

STRING = "string"
NUMBER = "number"
LITERAL = "literal"  # true, false, null


@dataclass(frozen=True)
class Value:
    """One value of a message: its JSON kind, its text and, for numbers, its value."""

    kind: str
    text: str
    number: Decimal | None = None

    @classmethod
    def of_json(cls, item, comparable) -> "Value | None":
        """A value from a decoded JSON scalar (None for objects and arrays)."""
        if isinstance(item, bool):
            return cls(LITERAL, "true" if item else "false")
        if item is None:
            return cls(LITERAL, "null")
        if isinstance(item, str):
            return cls(STRING, item)
        if isinstance(item, (int, float, Decimal)):
            number = Decimal(str(item))
            return cls(NUMBER, str(item), comparable(number))
        return None

    @classmethod
    def of_number_text(cls, text: str, comparable) -> "Value":
        """A Number message attribute; one that is not a number stays its text."""
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            return cls(STRING, text)
        if not number.is_finite():
            return cls(STRING, text)
        return cls(NUMBER, text, comparable(number))


class Pattern:
    """One entry of a pattern's value array."""

    # exists:false is satisfied by the absence of the key, not by a value.
    wants_absence = False
    # exists:true is satisfied by any value at all.
    wants_presence = False

    def matches(self, value: Value) -> bool:
        raise NotImplementedError


@dataclass
class ExactString(Pattern):
    expected: str

    def __post_init__(self):
        # An IP address in a pattern matches the same address however it is written.
        self.address = _ip_address(self.expected)

    def matches(self, value: Value) -> bool:
        if value.kind != STRING:
            return False
        if value.text == self.expected:
            return True
        return self.address is not None and _ip_address(value.text) == self.address


@dataclass
class ExactNumber(Pattern):
    expected: Decimal
    text: str

    def matches(self, value: Value) -> bool:
        # A number the dialect cannot compare (None) only matches as written.
        if value.kind != NUMBER:
            return False
        if self.expected is not None and value.number == self.expected:
            return True
        return value.text == self.text


@dataclass
class ExactLiteral(Pattern):
    """true, false or null. In attribute scope null also matches an absent attribute."""

    text: str
    absent_matches: bool = False

    def __post_init__(self):
        self.wants_absence = self.absent_matches

    def matches(self, value: Value) -> bool:
        return value.kind == LITERAL and value.text == self.text


@dataclass
class Prefix(Pattern):
    prefix: str

    def matches(self, value: Value) -> bool:
        return value.kind == STRING and value.text.startswith(self.prefix)


@dataclass
class Suffix(Pattern):
    suffix: str

    def matches(self, value: Value) -> bool:
        return value.kind == STRING and value.text.endswith(self.suffix)


@dataclass
class PrefixIgnoreCase(Pattern):
    prefix: str

    def __post_init__(self):
        self.folded = self.prefix.casefold()

    def matches(self, value: Value) -> bool:
        return value.kind == STRING and value.text.casefold().startswith(self.folded)


@dataclass
class SuffixIgnoreCase(Pattern):
    suffix: str

    def __post_init__(self):
        self.folded = self.suffix.casefold()

    def matches(self, value: Value) -> bool:
        return value.kind == STRING and value.text.casefold().endswith(self.folded)


@dataclass
class Wildcard(Pattern):
    """A wildcard value (``wildcard.parse`` tokens), matched over the whole string."""

    tokens: tuple
    regex: re.Pattern

    def matches(self, value: Value) -> bool:
        return value.kind == STRING and self.regex.fullmatch(value.text) is not None


@dataclass
class EqualsIgnoreCase(Pattern):
    expected: str

    def __post_init__(self):
        self.folded = self.expected.casefold()

    def matches(self, value: Value) -> bool:
        return value.kind == STRING and value.text.casefold() == self.folded


@dataclass
class AnythingBut(Pattern):
    """Any value but the given strings, or any number but the given numbers."""

    strings: frozenset = frozenset()
    numbers: frozenset = frozenset()

    def matches(self, value: Value) -> bool:
        if self.numbers:
            return value.kind == NUMBER and value.number not in self.numbers
        return not (value.kind == STRING and value.text in self.strings)


@dataclass
class AnythingButIgnoreCase(Pattern):
    folded: frozenset

    def matches(self, value: Value) -> bool:
        return not (value.kind == STRING and value.text.casefold() in self.folded)


@dataclass
class AnythingButPrefix(Pattern):
    prefixes: tuple

    def matches(self, value: Value) -> bool:
        return not (value.kind == STRING and value.text.startswith(self.prefixes))


@dataclass
class AnythingButSuffix(Pattern):
    suffixes: tuple

    def matches(self, value: Value) -> bool:
        return not (value.kind == STRING and value.text.endswith(self.suffixes))


@dataclass
class AnythingButWildcard(Pattern):
    """Any value but strings one of the wildcards matches."""

    wildcards: tuple  # of Wildcard

    def matches(self, value: Value) -> bool:
        return not any(wildcard.matches(value) for wildcard in self.wildcards)


@dataclass
class NumericRange(Pattern):
    """A numeric comparison: bounds are None when open-ended."""

    bottom: Decimal | None = None
    bottom_open: bool = False
    top: Decimal | None = None
    top_open: bool = False

    def matches(self, value: Value) -> bool:
        if value.kind != NUMBER or value.number is None:
            return False
        number = value.number
        if self.bottom is not None:
            if number < self.bottom or (self.bottom_open and number == self.bottom):
                return False
        if self.top is not None:
            if number > self.top or (self.top_open and number == self.top):
                return False
        return True


@dataclass
class Exists(Pattern):
    present: bool

    def __post_init__(self):
        self.wants_presence = self.present
        self.wants_absence = not self.present

    def matches(self, value: Value) -> bool:
        return self.present


@dataclass
class Cidr(Pattern):
    """Addresses from ``bottom`` (the address as written in the pattern) to the top of its block."""

    bottom: ipaddress.IPv4Address | ipaddress.IPv6Address
    top: ipaddress.IPv4Address | ipaddress.IPv6Address

    def matches(self, value: Value) -> bool:
        if value.kind != STRING:
            return False
        address = _ip_address(value.text)
        return (
            address is not None
            and address.version == self.bottom.version
            and self.bottom <= address <= self.top
        )


def _ip_address(text: str):
    if not text or not (text[0].isdigit() or text[0] in ":abcdefABCDEF"):
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
