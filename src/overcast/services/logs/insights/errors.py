"""A query that does not compile: StartQuery answers MalformedQueryException with the
``queryCompileError`` member (message and the offending characters' offsets)."""

from __future__ import annotations


class QuerySyntaxError(ValueError):
    """``message`` is the text answered; ``start``/``end`` the character offsets it is about."""

    def __init__(self, message: str, start: int = 0, end: int = 0):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end

    @classmethod
    def at(cls, text: str, start: int, end: int, what: str) -> "QuerySyntaxError":
        """``what`` located as line and position (1-based line, 0-based position in it)."""
        line = text.count("\n", 0, start) + 1
        position = start - (text.rfind("\n", 0, start) + 1)
        return cls(f"{what} at line {line} and position {position}", start, max(end, start))

    def compile_error(self) -> dict:
        """The ``queryCompileError`` member of MalformedQueryException."""
        return {"location": {"startCharOffset": self.start, "endCharOffset": self.end},
                "message": self.message}


class UnsupportedCommand(QuerySyntaxError):
    """A command of the language Overcast does not run (``pattern``, ``anomaly``...): the
    query is valid, so it is answered as not implemented (501), not as malformed."""
