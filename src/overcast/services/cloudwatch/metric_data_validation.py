"""GetMetricData's checks of its queries, in CloudWatch's words.

Field errors are collected over the whole request and answered together, one per line (each
line ends with a newline, as CloudWatch writes them); the expressions are then checked for
syntax, references to Ids that do not exist and circular references, each answered as
``Error in expression '<Id>': <detail>``."""

from __future__ import annotations

import re

from overcast.services.cloudwatch.metric_math import ExpressionError, parse
from overcast.services.cloudwatch.metric_math.insights import is_insights, parse_insights
from overcast.services.cloudwatch.metric_math.syntax_tree import references
from overcast.services.cloudwatch.metric_queries import validation_error
from overcast.services.cloudwatch.statistics import BASIC, check_extended_statistic
from overcast.services.cloudwatch.validation import UNITS

ID_PATTERN = re.compile(r"^[a-z][a-zA-Z0-9_]*$")
MAX_QUERIES = 500             # "as many as 500 MetricDataQuery structures" (API reference)
SUB_MINUTE_PERIODS = (1, 5, 10, 20, 30)


def valid_period(period) -> bool:
    """1, 5, 10, 20, 30, 60 or any multiple of 60 (the MetricDataQuery Period documentation)."""
    return isinstance(period, int) and period > 0 and (period in SUB_MINUTE_PERIODS or period % 60 == 0)


def check_queries(queries: list[dict]) -> None:
    """Raise ValidationError for the first kind of problem the request has."""
    if len(queries) > MAX_QUERIES:
        raise validation_error(f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}.")
    problems: list[str] = []
    for index, query in enumerate(queries, start=1):
        problems.extend(_query_problems(index, query))
    if problems:
        raise validation_error("".join(f"{p}\n" for p in problems))
    seen: set[str] = set()
    for query in queries:
        if query["Id"] in seen:
            raise validation_error(f"The value {query['Id']} for parameter MetricDataQueries.member.Id is not unique.")
        seen.add(query["Id"])
    check_expressions(queries)


def _query_problems(index: int, query: dict) -> list[str]:
    where = f"MetricDataQueries.member.{index}"
    problems = []
    query_id = query.get("Id")
    if not query_id:
        problems.append(f"The parameter {where}.Id is required.")
    elif not ID_PATTERN.match(query_id):
        problems.append(f"The value {query_id} for parameter {where}.Id is not matching the expected pattern "
                        f"{ID_PATTERN.pattern}.")
    stat, expression = query.get("MetricStat"), query.get("Expression")
    if stat is None and expression is None:
        problems.append(f"The parameter {where}.MetricStat is required.")
    elif stat is not None and expression is not None:
        problems.append(f"The parameters {where}.MetricStat and {where}.Expression are mutually exclusive "
                        "and you have specified both.")
    elif stat is not None:
        problems.extend(_metric_stat_problems(f"{where}.MetricStat", stat))
    if query.get("Period") is not None and not valid_period(query["Period"]):
        problems.append(f"The parameter {where}.Period must be 1, 5, 10, 20, 30, 60, or any multiple of 60.")
    return problems


def _metric_stat_problems(where: str, stat: dict) -> list[str]:
    problems = []
    metric = stat.get("Metric")
    if metric is None:
        problems.append(f"The parameter {where}.Metric is required.")
    else:
        for member in ("Namespace", "MetricName"):
            if not metric.get(member):
                problems.append(f"The parameter {where}.Metric.{member} is required.")
        for index, dimension in enumerate(metric.get("Dimensions") or (), start=1):
            for member in ("Name", "Value"):
                if dimension.get(member) is None:
                    problems.append(f"The parameter {where}.Metric.Dimensions.member.{index}.{member} is required.")
    period = stat.get("Period")
    if period is None:
        problems.append(f"The parameter {where}.Period is required.")
    elif not valid_period(period):
        problems.append(f"The parameter {where}.Period must be 1, 5, 10, 20, 30, 60, or any multiple of 60.")
    unit = stat.get("Unit")
    if unit is not None and unit not in UNITS:
        problems.append(f"The parameter {where}.Unit must be a value in the set [ {', '.join(UNITS)} ].")
    name = stat.get("Stat")
    if name is None:
        problems.append(f"The parameter {where}.Stat is required.")
    elif name not in BASIC and not check_extended_statistic(name):
        problems.append(f"The value {name} for parameter {where}.Stat is not a valid statistic.")
    return problems


def check_expressions(queries: list[dict]) -> None:
    """Syntax, unknown Ids and cycles of every expression (before any metric is read)."""
    ids = {q["Id"] for q in queries}
    depends: dict[str, set[str]] = {}
    insights = [q for q in queries if q.get("Expression") is not None and is_insights(q["Expression"])]
    if len(insights) > 1:
        raise validation_error("Only one Metrics Insights query is supported in a GetMetricData request.")
    for query in queries:
        if query.get("Expression") is None:
            continue
        try:
            if is_insights(query["Expression"]):
                parse_insights(query["Expression"])
                continue
            named = references(parse(query["Expression"]))
        except ExpressionError as error:
            raise validation_error(error.message_for(query["Id"])) from None
        unknown = sorted(named - ids)
        if unknown:
            raise validation_error(ExpressionError(f"Unrecognized metric id: {unknown[0]}").message_for(query["Id"]))
        depends[query["Id"]] = named
    for query_id in depends:
        if _reaches(query_id, query_id, depends, set()):
            raise validation_error(ExpressionError(f"Circular dependency on {query_id}").message_for(query_id))


def _reaches(target: str, current: str, depends: dict[str, set[str]], seen: set[str]) -> bool:
    for following in depends.get(current, ()):
        if following == target:
            return True
        if following not in seen:
            seen.add(following)
            if _reaches(target, following, depends, seen):
                return True
    return False
