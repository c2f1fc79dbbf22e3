"""Errors of metric math expressions.

An expression that cannot be parsed or refers to something that does not exist fails the whole
GetMetricData call with ``ValidationError`` and the text ``Error in expression '<Id>': <detail>``
(the detail ``Invalid syntax`` for a malformed expression, as CloudWatch answers it)."""

from __future__ import annotations

INVALID_SYNTAX = "Invalid syntax"


class ExpressionError(Exception):
    """A metric math expression CloudWatch would refuse; ``detail`` is the text after the Id."""

    def __init__(self, detail: str = INVALID_SYNTAX):
        super().__init__(detail)
        self.detail = detail

    def message_for(self, query_id: str) -> str:
        """The ValidationError message of this error in the query ``query_id``."""
        return f"Error in expression '{query_id}': {self.detail}"
