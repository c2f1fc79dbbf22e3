"""PutMetricAlarm's checks, and the alarm's settings as DescribeAlarms shows them.

Limits (PutMetricAlarm reference): names 1-255 characters without ASCII control characters,
descriptions up to 1,024, 5 actions per state, 30 dimensions, Period 10, 20, 30 or a multiple
of 60, DatapointsToAlarm <= EvaluationPeriods, EvaluationPeriods * Period <= one day for
periods under an hour (seven days beyond), 50 tags.
"""

from __future__ import annotations

from overcast.services.cloudwatch.alarm_actions import check_actions
from overcast.services.cloudwatch.alarm_comparisons import BAND_OPERATORS, OPERATORS
from overcast.services.cloudwatch.alarm_errors import NotImplementedFeature, ValidationError
from overcast.services.cloudwatch.alarm_evaluation import TREATMENTS
from overcast.services.cloudwatch.errors import InvalidParameterCombination, InvalidParameterValue, MissingParameter
from overcast.services.cloudwatch.statistics import check_extended_statistic
from overcast.services.cloudwatch.validation import check_dimensions, check_length, check_namespace, check_unit

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
LOW_SAMPLE_OPTIONS = ("evaluate", "ignore")
MAX_TAGS = 50
DAY = 86400


def check_alarm_name(name, path: str = "AlarmName") -> str:
    if name is None:
        raise MissingParameter(f"The parameter {path} is required.")
    check_length(name, path, 1, 255)
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise InvalidParameterValue(f"The value {name} for parameter {path} is invalid.")
    return name


def check_period(period, path: str = "Period") -> int:
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        raise InvalidParameterValue(f"The parameter {path} must be greater than 0.")
    if period not in (10, 20, 30) and period % 60:
        raise ValidationError(f"The parameter {path} must be 10, 20, 30 or a multiple of 60.")
    return period


def check_common(params: dict, region: str) -> dict:
    """The settings metric and composite alarms share (name, description, actions, tags)."""
    config = {"AlarmName": check_alarm_name(params.get("AlarmName"))}
    description = params.get("AlarmDescription")
    if description is not None:
        check_length(description, "AlarmDescription", 0, 1024)
        config["AlarmDescription"] = description
    for key in ("OKActions", "AlarmActions", "InsufficientDataActions"):
        config[key] = check_actions(params.get(key) or [], key, region)
    tags = params.get("Tags") or []
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(f"The collection Tags must not have a size greater than {MAX_TAGS}.")
    return config


def check_metric_alarm(params: dict, region: str) -> dict:
    """The alarm's settings, checked in CloudWatch's order; raises the error AWS answers."""
    config = check_common(params, region)
    if params.get("EvaluationCriteria") is not None or params.get("EvaluationInterval") is not None:
        raise NotImplementedFeature("PromQL alarms (EvaluationCriteria, EvaluationInterval) are not implemented.")
    metrics = params.get("Metrics")
    single = {k: params.get(k) for k in ("MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions",
                                         "Period", "Unit") if params.get(k) is not None}
    if metrics and single:
        first = next(iter(single))
        raise InvalidParameterCombination(f"The parameters Metrics and {first} are mutually exclusive and you have "
                                          "specified both.")
    evaluation_periods = params.get("EvaluationPeriods")
    if evaluation_periods is None:
        raise MissingParameter("The parameter EvaluationPeriods is required.")
    if evaluation_periods < 1:
        raise InvalidParameterValue("The parameter EvaluationPeriods must be greater than 0.")
    operator = params.get("ComparisonOperator")
    if operator is None:
        raise MissingParameter("The parameter ComparisonOperator is required.")
    if operator not in OPERATORS:
        raise InvalidParameterValue(f"The parameter ComparisonOperator must be a value in the set "
                                    f"[ {', '.join(OPERATORS)} ].")
    if metrics:
        period = _check_metrics(metrics, params, operator, config)
    else:
        period = _check_single_metric(params, config)
    datapoints = params.get("DatapointsToAlarm")
    if datapoints is not None:
        if datapoints < 1:
            raise InvalidParameterValue("The parameter DatapointsToAlarm must be greater than 0.")
        if datapoints > evaluation_periods:
            raise ValidationError("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
    # "The maximum value of EvaluationPeriods * Period is one day for periods under an hour, seven
    # days for an hour or more" (PutMetricAlarm reference, EvaluationPeriods).
    limit = DAY if period < 3600 else 7 * DAY
    if evaluation_periods * period > limit:
        raise ValidationError(f"The evaluation period (EvaluationPeriods * Period) cannot exceed "
                              f"{limit // 3600} hours.")
    config["EvaluationPeriods"] = evaluation_periods
    if datapoints is not None:
        config["DatapointsToAlarm"] = datapoints
    band = operator in BAND_OPERATORS
    threshold, threshold_metric = params.get("Threshold"), params.get("ThresholdMetricId")
    if band and threshold_metric is None:
        raise ValidationError("ComparisonOperators for ranges require ThresholdMetricId to be set")
    if not band and threshold_metric is not None:
        raise ValidationError("ThresholdMetricId is only supported with anomaly detection ComparisonOperators")
    if threshold is not None and threshold_metric is not None:
        raise InvalidParameterCombination("The parameters Threshold and ThresholdMetricId are mutually exclusive "
                                          "and you have specified both.")
    if not band and threshold is None:
        raise ValidationError("Threshold is required for static threshold alarms")
    if threshold is not None:
        config["Threshold"] = float(threshold)
    if threshold_metric is not None:
        if not any(m.get("Id") == threshold_metric for m in metrics or []):
            raise ValidationError(f"ThresholdMetricId {threshold_metric} does not match any metric Id")
        config["ThresholdMetricId"] = threshold_metric
    config["ComparisonOperator"] = operator
    treatment = params.get("TreatMissingData")
    if treatment is not None:
        if treatment not in TREATMENTS:
            raise ValidationError(f"Option {treatment} is not supported. Supported options for parameter "
                                  "TreatMissingData are breaching, notBreaching, ignore, and missing.")
        config["TreatMissingData"] = treatment
    low = params.get("EvaluateLowSampleCountPercentile")
    if low is not None:
        if low not in LOW_SAMPLE_OPTIONS:
            raise ValidationError(f"Option {low} is not supported. Supported options for parameter "
                                  "EvaluateLowSampleCountPercentile are evaluate and ignore.")
        config["EvaluateLowSampleCountPercentile"] = low
    return config


def _check_single_metric(params: dict, config: dict) -> int:
    name = params.get("MetricName")
    if name is None:
        raise ValidationError("Either MetricName or Metrics must be specified")
    check_length(name, "MetricName", 1, 255)
    namespace = params.get("Namespace")
    if namespace is None:
        raise MissingParameter("The parameter Namespace is required.")
    check_namespace(namespace, reserved=False)
    statistic, extended = params.get("Statistic"), params.get("ExtendedStatistic")
    if statistic is not None and extended is not None:
        raise InvalidParameterCombination("The parameters Statistic and ExtendedStatistic are mutually exclusive "
                                          "and you have specified both.")
    if statistic is None and extended is None:
        raise MissingParameter("One of the parameters Statistic or ExtendedStatistic must be specified.")
    if statistic is not None and statistic not in STATISTICS:
        raise InvalidParameterValue(f"The parameter Statistic must be a value in the set [ {', '.join(STATISTICS)} ].")
    if extended is not None and not check_extended_statistic(extended):
        raise InvalidParameterValue(f"The value {extended} for parameter ExtendedStatistic is invalid.")
    period = params.get("Period")
    if period is None:
        raise MissingParameter("The parameter Period is required.")
    check_period(period)
    dimensions = check_dimensions(params.get("Dimensions"), "Dimensions")
    unit = params.get("Unit")
    check_unit(unit, "Unit")
    config.update({"MetricName": name, "Namespace": namespace})
    if statistic is not None:
        config["Statistic"] = statistic
    else:
        config["ExtendedStatistic"] = extended
    config["Dimensions"] = [{"Name": k, "Value": v} for k, v in dimensions.items()]
    config["Period"] = period
    if unit is not None:
        config["Unit"] = unit
    return period


def _check_metrics(metrics: list, params: dict, operator: str, config: dict) -> int:
    """A metric-math alarm's queries: unique ids, exactly one ReturnData (the band's expression
    for band alarms counts apart), MetricStat periods valid. Returns the alarm's period."""
    ids = set()
    returning = []
    period = None
    for i, query in enumerate(metrics, 1):
        query_id = query.get("Id")
        if not query_id:
            raise MissingParameter(f"The parameter Metrics.member.{i}.Id is required.")
        if query_id in ids:
            raise ValidationError(f"The value {query_id} for parameter Metrics.member.{i}.Id is not unique.")
        ids.add(query_id)
        stat, expression = query.get("MetricStat"), query.get("Expression")
        if (stat is None) == (expression is None):
            raise ValidationError(f"Exactly one of MetricStat and Expression must be specified in "
                                  f"Metrics.member.{i}.")
        if stat is not None:
            stat_period = stat.get("Period")
            if stat_period is None:
                raise MissingParameter(f"The parameter Metrics.member.{i}.MetricStat.Period is required.")
            check_period(stat_period, f"Metrics.member.{i}.MetricStat.Period")
            period = stat_period if period is None else min(period, stat_period)
        if query.get("Period") is not None:
            period = check_period(query["Period"], f"Metrics.member.{i}.Period") if period is None else period
        if query.get("ReturnData", True) and query_id != params.get("ThresholdMetricId"):
            returning.append(query_id)
    if len(returning) != 1:
        raise ValidationError("Exactly one element of the metrics list should return data.")
    if period is None:
        raise ValidationError("The metrics list must contain at least one metric with a period.")
    config["Metrics"] = [_metric_query(query) for query in metrics]
    config["_period"] = period  # internal: the evaluation's period (not shown)
    return period


def _metric_query(query: dict) -> dict:
    """A MetricDataQuery as DescribeAlarms shows it (ReturnData always present)."""
    out = {"Id": query["Id"]}
    if query.get("MetricStat") is not None:
        stat = query["MetricStat"]
        metric = stat.get("Metric") or {}
        shown_metric = {k: metric[k] for k in ("Namespace", "MetricName") if metric.get(k) is not None}
        shown_metric["Dimensions"] = [{"Name": d["Name"], "Value": d["Value"]} for d in metric.get("Dimensions") or []]
        out["MetricStat"] = {"Metric": shown_metric, "Period": stat["Period"], "Stat": stat.get("Stat")}
        if stat.get("Unit") is not None:
            out["MetricStat"]["Unit"] = stat["Unit"]
    if query.get("Expression") is not None:
        out["Expression"] = query["Expression"]
    if query.get("Label") is not None:
        out["Label"] = query["Label"]
    out["ReturnData"] = bool(query.get("ReturnData", True))
    if query.get("Period") is not None:
        out["Period"] = query["Period"]
    if query.get("AccountId") is not None:
        out["AccountId"] = query["AccountId"]
    return out
