"""PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter; publishing at ingestion is
``metric_filter_publish.py``.

Checks in AWS's order: the parameters' model constraints, the filter pattern's syntax, the
transformation, then the group's existence and the limit of 100 metric filters per group
("The maximum number of metric filters that can be associated with a log group is 100").
"""

from __future__ import annotations

import json
from functools import partial

from overcast.services.logs.errors import (InvalidParameterException, LimitExceededException,
                                           ResourceNotFoundException, ValidationException, group_not_found)
from overcast.services.logs.metric_filter_publish import MetricFilterPublisher
from overcast.services.logs.metric_transformations import check_transformations
from overcast.services.logs.paging import make_token, read_token
from overcast.services.logs.request_checks import CHECKS as REQUEST_CHECKS
from overcast.services.logs.system_fields import check_emitted_dimensions, compile_criteria
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

MAX_METRIC_FILTERS = 100  # per log group (PutMetricFilter reference)
MAX_REGEX_PER_GROUP = 5  # regular expressions in the patterns of a group's filters
PAGE = 50  # DescribeMetricFilters: "the default is up to 50 items" (and the maximum)


def standard_only(group):
    """The group, when of the Standard class: metric filters, subscription filters and exports
    are Standard-class features (Infrequent Access and Delivery groups have none)."""
    if group.log_group_class != "STANDARD":
        raise ValidationException("This operation is only supported on the Standard log class.")
    return group


def check_regex_quota(db, group_id: int, table: str, filter_name: str, regex_count: int) -> None:
    """"There is also a quota of five regular expression patterns per log group" (metric and
    subscription filters together; the filter being replaced does not count)."""
    if not regex_count:
        return
    from overcast.services.logs.filter_pattern import compile_pattern

    total = regex_count
    for kind in ("metric_filters", "subscription_filters"):
        for name, config in db.query(f"SELECT filter_name, config FROM {kind} WHERE group_id = ?", (group_id,)):
            if kind == table and name == filter_name:
                continue
            total += compile_pattern(json.loads(config)["filterPattern"]).regex_count
    if total > MAX_REGEX_PER_GROUP:
        raise LimitExceededException("Resource limit exceeded.")


def compiled_pattern(text: str, metric_filter: bool = False):
    """The filter pattern compiled, or AWS's InvalidParameterException (the matcher's text;
    PutMetricFilter words the generic refusal "Invalid metric filter pattern")."""
    from overcast.services.logs.filter_pattern import FilterPatternError, compile_pattern

    try:
        return compile_pattern(text)
    except FilterPatternError as exc:
        raise InvalidParameterException(exc.message_for_metric_filter() if metric_filter else str(exc)) from None


def check_put_metric_filter(params: dict) -> tuple:
    """PutMetricFilter's own parameters (strict mode: before authorization); returns the
    compiled pattern, the transformation and the system fields emitted as dimensions."""
    check_input("PutMetricFilter", params)
    compiled = compiled_pattern(params["filterPattern"], metric_filter=True)
    transformation = check_transformations(params["metricTransformations"], compiled.kind)
    compile_criteria(params.get("fieldSelectionCriteria"))
    emitted = check_emitted_dimensions(params.get("emitSystemFieldDimensions"), len(transformation.dimensions))
    return compiled, transformation, emitted


def check_describe_metric_filters(params: dict) -> None:
    check_input("DescribeMetricFilters", params)
    if (params.get("metricName") is None) != (params.get("metricNamespace") is None):
        raise InvalidParameterException(
            "Describe Metric Filters request must contain both MetricName and MetricNamespace")


class MetricFilterOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self.metric_filter_publisher = MetricFilterPublisher(self)
        self.add_ingest_listener(self.metric_filter_publisher)

    def put_metric_filter(self, ctx, params: dict) -> dict:
        compiled, transformation, emitted = check_put_metric_filter(params)
        group_name, filter_name, pattern = params["logGroupName"], params["filterName"], params["filterPattern"]
        group = self.group_row(Scope.of(ctx), group_name)
        if group is None:
            raise group_not_found()
        standard_only(group)
        config = {"filterName": filter_name, "filterPattern": pattern,
                  "metricTransformations": [transformation.as_dict()],
                  "creationTime": int(self.clock.now() * 1000), "logGroupName": group.name,
                  "applyOnTransformedLogs": bool(params.get("applyOnTransformedLogs") or False)}
        if params.get("fieldSelectionCriteria") is not None:
            config["fieldSelectionCriteria"] = params["fieldSelectionCriteria"]
        if emitted:
            config["emitSystemFieldDimensions"] = emitted
        with self.db.transaction():
            check_regex_quota(self.db, group.group_id, "metric_filters", filter_name, compiled.regex_count)
            exists = self.db.query_one("SELECT 1 FROM metric_filters WHERE group_id = ? AND filter_name = ?",
                                       (group.group_id, filter_name))
            if exists is None:
                count = self.db.query_one("SELECT COUNT(*) FROM metric_filters WHERE group_id = ?",
                                          (group.group_id,))[0]
                if count >= MAX_METRIC_FILTERS:
                    raise LimitExceededException("Resource limit exceeded.")
            self.db.execute(
                "INSERT INTO metric_filters (group_id, filter_name, account, region, config) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (group_id, filter_name) DO UPDATE SET config = excluded.config",
                (group.group_id, filter_name, ctx.account, ctx.region, json.dumps(config)))
        self.metric_filter_publisher.forget(group.group_id)
        return {}

    def delete_metric_filter(self, ctx, params: dict) -> dict:
        check_input("DeleteMetricFilter", params)
        group_name, filter_name = params["logGroupName"], params["filterName"]
        group = self.group_row(Scope.of(ctx), group_name)
        if group is None:
            raise group_not_found()
        standard_only(group)
        deleted = self.db.execute("DELETE FROM metric_filters WHERE group_id = ? AND filter_name = ?",
                                  (group.group_id, filter_name))
        if not deleted:
            raise ResourceNotFoundException("The specified metric filter does not exist.")
        self.metric_filter_publisher.forget(group.group_id)
        return {}

    def describe_metric_filters(self, ctx, params: dict) -> dict:
        check_describe_metric_filters(params)
        group_name, prefix = params.get("logGroupName"), params.get("filterNamePrefix")
        limit = params.get("limit") or PAGE
        metric_name, namespace = params.get("metricName"), params.get("metricNamespace")
        after = read_token("metric-filters", params.get("nextToken"))
        sql = ("SELECT g.name, f.filter_name, f.config FROM metric_filters f JOIN log_groups g "
               "ON g.group_id = f.group_id WHERE g.account = ? AND g.region = ?")
        args: list = [ctx.account, ctx.region]
        if group_name is not None:
            group = self.group_row(Scope.of(ctx), group_name)
            if group is None:
                raise group_not_found()
            standard_only(group)
            sql += " AND f.group_id = ?"
            args.append(group.group_id)
            if prefix is not None:  # "used only if you also include the logGroupName parameter"
                sql += " AND substr(f.filter_name, 1, ?) = ?"
                args += [len(prefix), prefix]
        if after is not None:
            sql += " AND (g.name > ? OR (g.name = ? AND f.filter_name > ?))"
            args += [after[0], after[0], after[1]]
        sql += " ORDER BY g.name, f.filter_name"
        filters = []
        token = None
        for name, filter_name, config in self.db.query(sql, args):
            item = json.loads(config)
            transformation = item["metricTransformations"][0]
            if metric_name is not None and (transformation["metricName"] != metric_name
                                            or transformation["metricNamespace"] != namespace):
                continue
            if len(filters) == limit:
                last = filters[-1]
                token = make_token("metric-filters", [last["logGroupName"], last["filterName"]])
                break
            filters.append(item)
        result = {"metricFilters": filters}
        if token is not None:
            result["nextToken"] = token
        return result

    def reset(self) -> None:
        super().reset()
        self.metric_filter_publisher.forget()


# strict mode: these checks come before authorization (``request_checks.CHECKS``)
REQUEST_CHECKS.update({"PutMetricFilter": check_put_metric_filter,
                       "DescribeMetricFilters": check_describe_metric_filters,
                       "DeleteMetricFilter": partial(check_input, "DeleteMetricFilter")})
