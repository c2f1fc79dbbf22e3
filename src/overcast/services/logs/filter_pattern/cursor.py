"""A small character cursor shared by the three pattern parsers."""

from __future__ import annotations

from overcast.services.logs.filter_pattern.errors import FilterPatternError


class Cursor:
    """Reads a pattern left to right; ``peek`` gives "" past the end."""

    __slots__ = ("text", "pos")

    def __init__(self, text: str, pos: int = 0):
        self.text = text
        self.pos = pos

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.text[i] if i < len(self.text) else ""

    def startswith(self, prefix: str) -> bool:
        return self.text.startswith(prefix, self.pos)

    def advance(self, count: int = 1) -> str:
        chunk = self.text[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def read_quoted(self) -> str:
        """A double-quoted string at the cursor; a backslash escapes a quote or a backslash."""
        assert self.peek() == '"'
        self.pos += 1
        out = []
        while True:
            if self.at_end():
                raise FilterPatternError()
            c = self.advance()
            if c == "\\" and self.peek() in ('"', "\\"):
                out.append(self.advance())
            elif c == '"':
                return "".join(out)
            else:
                out.append(c)

    def read_regex(self) -> str:
        """The body of a ``%regex%`` at the cursor (``\\%`` does not end it)."""
        assert self.peek() == "%"
        self.pos += 1
        start = self.pos
        while True:
            if self.at_end():
                raise FilterPatternError()
            c = self.advance()
            if c == "\\" and not self.at_end():
                self.pos += 1
            elif c == "%":
                return self.text[start:self.pos - 1]
