"""X-Ray's filter expression language: ``parse_filter(text)`` reads an expression (raising
the InvalidRequestException X-Ray answers for one it cannot read) and ``Evaluator`` tests a
parsed expression against a trace."""

from __future__ import annotations

from overcast.services.xray.errors import InvalidRequest
from overcast.services.xray.filters.evaluator import Evaluator
from overcast.services.xray.filters.lexer import FilterSyntaxError
from overcast.services.xray.filters.parser import parse

__all__ = ["Evaluator", "parse_filter"]


def parse_filter(text: str):
    """The parsed expression; InvalidRequestException when ``text`` is not one."""
    try:
        return parse(text)
    except FilterSyntaxError as exc:
        raise InvalidRequest(message=f"Invalid filter expression: {exc} at position {exc.position}") from None
