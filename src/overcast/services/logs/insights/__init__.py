"""Logs Insights: the query language (Logs Insights QL) compiled to SQL run by SQLite on the
reader connection (``reader.py``).

``compile_query(text)`` parses and translates (``QuerySyntaxError`` with AWS's
``queryCompileError`` when it does not compile); ``runner.run`` executes the plan on a
connection over the chosen log groups and time range.
"""

from overcast.services.logs.insights.errors import QuerySyntaxError
from overcast.services.logs.insights.parser import parse_query
from overcast.services.logs.insights.runner import Outcome, Source, make_ptr, read_ptr, run
from overcast.services.logs.insights.translator import Plan, translate


def compile_query(text: str) -> Plan:
    """The plan for ``text``: raises ``QuerySyntaxError`` when it does not compile."""
    return translate(parse_query(text))


__all__ = ["QuerySyntaxError", "compile_query", "Plan", "Source", "Outcome", "run", "make_ptr", "read_ptr"]
