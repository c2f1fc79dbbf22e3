"""A pull parser over an event-ruler pattern's JSON that reports positions as AWS does.

AWS (SNS and EventBridge alike) words a bad pattern with the position its streaming JSON parser
had reached when it gave up ("...\\n at [Source: (String)"<pattern>"; line: 1, column: 10]"),
and that position depends on how far the parser had read: after a field name it has already
read the start of the value (for a string, only its opening quote), a string's text is read
only when asked for. This parser moves through the text the same way, so the positions in our
messages are the ones a client sees from AWS.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

START_OBJECT = "{"
END_OBJECT = "}"
START_ARRAY = "["
END_ARRAY = "]"
FIELD_NAME = "field"
STRING = "string"
NUMBER = "number"
TRUE = "true"
FALSE = "false"
NULL = "null"

SCALARS = (STRING, NUMBER, TRUE, FALSE, NULL)

# The deepest nesting AWS's JSON parser reads (its default stream-read constraint).
MAX_DEPTH = 1000
# The longest part of the pattern quoted in a message; longer ones are cut and say by how much.
_MAX_QUOTED = 500
_WHITESPACE = " \t\n\r"
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class RulerSyntaxError(Exception):
    """The pattern cannot be read, or breaks a rule; ``str()`` is the full located text."""


class PullParser:
    """Tokens of one JSON text, read on demand, with the reader's current position."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.row = 1
        self.row_start = 0
        # Open containers: "{" or "[", and whether a value was already read in each.
        self._stack: list[list] = []
        self._pending: str | None = None  # a value token read together with its field name
        self._string_open = False  # the current string token's text not yet read
        self.token: str | None = None
        self.name: str | None = None  # the current field name
        self._text_value: str | None = None
        self._number: Decimal | None = None
        self._raw = ""

    # -- reading -------------------------------------------------------------------------

    def next_token(self) -> str | None:
        """The next token (None at the end of the text)."""
        if self._pending is not None:
            # The value read along with its field name (a string's text still unread).
            self.token, self._pending = self._pending, None
            return self.token
        if self._string_open:
            self._read_string_rest()
        self._skip_whitespace()
        if self._stack:
            container = self._stack[-1]
            closer = "}" if container[0] == "{" else "]"
            ch = self._peek()
            if ch == closer:
                self.pos += 1
                self._stack.pop()
                self._after_value()
                self.token = END_OBJECT if closer == "}" else END_ARRAY
                return self.token
            if container[1]:
                if ch != ",":
                    self._unexpected(
                        ch,
                        "was expecting comma to separate "
                        + ("Object" if closer == "}" else "Array")
                        + " entries",
                    )
                self.pos += 1
                self._skip_whitespace()
            if container[0] == "{":
                return self._read_field()
        elif self.token is not None:
            self._skip_whitespace()
            if self.pos >= len(self.text):
                self.token = None
                return None
        self.token = self._read_value_start()
        return self.token

    def get_text(self) -> str:
        """The text of the current token (a string's whole text: reads it to its end)."""
        if self.token == STRING:
            if self._string_open:
                self._read_string_rest()
            return self._text_value or ""
        if self.token == FIELD_NAME:
            return self.name or ""
        if self.token == NUMBER:
            return self._raw
        if self.token in (TRUE, FALSE, NULL):
            return self.token
        return self.token or ""

    def number(self) -> Decimal:
        """The value of the current number token."""
        assert self._number is not None
        return self._number

    # -- errors --------------------------------------------------------------------------

    def fail(self, message: str) -> RulerSyntaxError:
        """An error at the reader's current position, worded as AWS words it."""
        return RulerSyntaxError(f"{message}\n at {self.location()}")

    def location(self) -> str:
        column = _utf16_length(self.text[self.row_start : self.pos]) + 1
        return f"[Source: (String){self._quoted_source()}; line: {self.row}, column: {column}]"

    def _quoted_source(self) -> str:
        length = _utf16_length(self.text)
        shown = self.text
        if length > _MAX_QUOTED:
            shown = _utf16_prefix(self.text, _MAX_QUOTED)
        out = ['"']
        for ch in shown:
            if ord(ch) < 32 and ch not in "\r\n" or 127 <= ord(ch) < 160:
                out.append("\\u%04X" % ord(ch))
            else:
                out.append(ch)
        out.append('"')
        if length > _MAX_QUOTED:
            out.append(f"[truncated {length - _MAX_QUOTED} chars]")
        return "".join(out)

    def _unexpected(self, ch: str | None, expectation: str):
        if ch is None:
            kind = "Object" if self._stack and self._stack[-1][0] == "{" else "Array"
            raise self.fail(f"Unexpected end-of-input: expected close marker for {kind}")
        self.pos += 1
        raise self.fail(f"Unexpected character ({_describe(ch)}): {expectation}")

    # -- internals -----------------------------------------------------------------------

    def _peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def _skip_whitespace(self) -> None:
        text = self.text
        while self.pos < len(text) and text[self.pos] in _WHITESPACE:
            ch = text[self.pos]
            self.pos += 1
            if ch == "\n" or ch == "\r":
                if ch == "\r" and self.pos < len(text) and text[self.pos] == "\n":
                    self.pos += 1
                self.row += 1
                self.row_start = self.pos

    def _after_value(self) -> None:
        if self._stack:
            self._stack[-1][1] = True

    def _read_field(self) -> str:
        ch = self._peek()
        if ch != '"':
            if ch is None:
                self._unexpected(None, "")
            self._unexpected(ch, "was expecting double-quote to start field name")
        self.pos += 1
        self.name = self._read_string_body()
        self._skip_whitespace()
        ch = self._peek()
        if ch != ":":
            if ch is None:
                self._unexpected(None, "")
            self._unexpected(ch, "was expecting a colon to separate field name and value")
        self.pos += 1
        self._skip_whitespace()
        # The value's first token is read with its name, as AWS's parser does.
        self._pending = self._read_value_start()
        self.token = FIELD_NAME
        return FIELD_NAME

    def _read_value_start(self) -> str:
        ch = self._peek()
        if ch is None:
            if self._stack:
                self._unexpected(None, "")
            return None  # type: ignore[return-value]
        if ch == "{" or ch == "[":
            self.pos += 1
            self._after_value()
            self._stack.append([ch, False])
            if len(self._stack) > MAX_DEPTH:
                raise self.fail(
                    f"Document nesting depth ({len(self._stack)}) exceeds the maximum allowed "
                    f"({MAX_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)"
                )
            return START_OBJECT if ch == "{" else START_ARRAY
        self._after_value()
        if ch == '"':
            self.pos += 1
            self._string_open = True
            self._text_value = None
            return STRING
        if ch == "-" or ch.isdigit():
            return self._read_number()
        for literal in (TRUE, FALSE, NULL):
            if self.text.startswith(literal, self.pos) and not _word_char(
                self.text, self.pos + len(literal)
            ):
                self.pos += len(literal)
                return literal
        if ch.isalpha():
            end = self.pos
            while end < len(self.text) and _word_char(self.text, end):
                end += 1
            word = self.text[self.pos : end]
            self.pos = end
            raise self.fail(
                f"Unrecognized token '{word}': was expecting "
                "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
            )
        self._unexpected(ch, "expected a value")
        return ""  # unreachable

    def _read_number(self) -> str:
        text, start = self.text, self.pos
        end = start
        if text[end] == "-":
            end += 1
        digits_start = end
        while end < len(text) and text[end].isdigit():
            end += 1
        if end == digits_start:
            self.pos = end + 1 if end < len(text) else end
            found = text[end] if end < len(text) else None
            if found is None:
                raise self.fail("Unexpected end-of-input in numeric value")
            raise self.fail(
                f"Unexpected character ({_describe(found)}) in numeric value: "
                "expected digit (0-9) to follow minus sign, for valid numeric value"
            )
        if end - digits_start > 1 and text[digits_start] == "0":
            self.pos = digits_start + 1
            raise self.fail("Invalid numeric value: Leading zeroes not allowed")
        if end < len(text) and text[end] == ".":
            end += 1
            fraction_start = end
            while end < len(text) and text[end].isdigit():
                end += 1
            if end == fraction_start:
                self.pos = end + 1 if end < len(text) else end
                raise self.fail(
                    "Unexpected character ("
                    + (_describe(text[end]) if end < len(text) else "EOF")
                    + ") in numeric value: Decimal point not followed by a digit"
                )
        if end < len(text) and text[end] in "eE":
            end += 1
            if end < len(text) and text[end] in "+-":
                end += 1
            exponent_start = end
            while end < len(text) and text[end].isdigit():
                end += 1
            if end == exponent_start:
                self.pos = end + 1 if end < len(text) else end
                raise self.fail(
                    "Unexpected character ("
                    + (_describe(text[end]) if end < len(text) else "EOF")
                    + ") in numeric value: Exponent indicator not followed by a digit"
                )
        self.pos = end
        self._raw = text[start:end]
        try:
            self._number = Decimal(self._raw)
        except InvalidOperation:  # pragma: no cover - the grammar above only lets numbers in
            raise self.fail("Invalid numeric value") from None
        return NUMBER

    def _read_string_rest(self) -> None:
        self._string_open = False
        self._text_value = self._read_string_body()

    def _read_string_body(self) -> str:
        """Reads up to the closing quote (the opening one already read)."""
        text = self.text
        out: list[str] = []
        i = self.pos
        while True:
            end = i
            while end < len(text) and text[end] != '"' and text[end] != "\\" and text[end] >= " ":
                end += 1
            out.append(text[i:end])
            if end >= len(text):
                self.pos = end
                raise self.fail("Unexpected end-of-input: was expecting closing quote for a string value")
            ch = text[end]
            if ch == '"':
                self.pos = end + 1
                return "".join(out)
            if ch < " ":
                self.pos = end + 1
                raise self.fail(
                    f"Illegal unquoted character ({_describe(ch)}): "
                    "has to be escaped using backslash to be included in string value"
                )
            # a backslash escape
            if end + 1 >= len(text):
                self.pos = end + 1
                raise self.fail("Unexpected end-of-input in character escape sequence")
            escape = text[end + 1]
            if escape == "u":
                digits = text[end + 2 : end + 6]
                if len(digits) < 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                    bad = next((c for c in digits if c not in "0123456789abcdefABCDEF"), None)
                    self.pos = end + 2 + (digits.index(bad) + 1 if bad else len(digits))
                    if bad is None:
                        raise self.fail("Unexpected end-of-input in character escape sequence")
                    raise self.fail(
                        f"Unexpected character ({_describe(bad)}): expected a hex-digit "
                        "for character escape sequence"
                    )
                out.append(chr(int(digits, 16)))
                i = end + 6
            elif escape in _ESCAPES:
                out.append(_ESCAPES[escape])
                i = end + 2
            else:
                self.pos = end + 2
                raise self.fail(f"Unrecognized character escape {_describe(escape)}")


def depth_failure(text: str) -> RulerSyntaxError:
    """The error for a text nested too deep to compile by recursion: the reader's own, where it
    finds the nesting too deep (or, when the text is less deep than that, at its deepest)."""
    parser = PullParser(text)
    deepest, error = 0, None
    try:
        while parser.next_token() is not None:
            if len(parser._stack) > deepest:
                deepest = len(parser._stack)
                error = parser.fail(
                    f"Document nesting depth ({deepest}) exceeds the maximum allowed "
                    f"({MAX_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)"
                )
    except RulerSyntaxError as failure:
        return failure
    return error or parser.fail("Document nesting too deep")


def _describe(ch: str) -> str:
    """How AWS's parser names a character: 'x' (code 120)."""
    code = ord(ch)
    if code < 32:
        return f"CTRL-CHAR, code {code}"
    return f"'{ch}' (code {code})" if code < 128 else f"'{ch}' (code {code} / 0x{code:x})"


def _word_char(text: str, index: int) -> bool:
    return index < len(text) and (text[index].isalnum() or text[index] == "_")


def _utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit AWS's positions count in."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_prefix(text: str, units: int) -> str:
    out, count = [], 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        if count + width > units:
            break
        out.append(ch)
        count += width
    return "".join(out)
