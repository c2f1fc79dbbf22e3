"""Logs Insights: the query language (Logs Insights QL) compiled to SQL run by SQLite on the
reader connection (``reader.py``).

``compile_query(text)`` parses and translates (``QuerySyntaxError`` with AWS's
``queryCompileError`` when it does not compile); ``runner.run`` executes the plan on a
connection over the chosen log groups and time range.
"""

from overcast.services.logs.insights.errors import QuerySyntaxError, UnsupportedCommand
from overcast.services.logs.insights.parser import parse_query
from overcast.services.logs.insights.runner import Outcome, Source, make_ptr, read_ptr, run
from overcast.services.logs.insights.translator import Plan, translate


def compile_query(text: str) -> Plan:
    """The plan for ``text``: raises ``QuerySyntaxError`` when it does not compile."""
    try:
        return translate(parse_query(text))
    except RecursionError:
        raise QuerySyntaxError("the query is nested too deeply", 0, len(text)) from None


__all__ = ["QuerySyntaxError", "UnsupportedCommand", "compile_query", "Plan", "Source", "Outcome", "run", "make_ptr", "read_ptr"]
