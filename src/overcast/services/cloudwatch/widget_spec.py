"""The MetricWidget JSON of GetMetricWidgetImage ("Metric Widget Structure and Syntax"),
checked as CloudWatch checks a widget (errors listed with their ``dataPath``, as for a
dashboard body) and turned into MetricDataQuery structures.

``metrics`` rows are ``[Namespace, MetricName, DimName, DimValue, ..., {options}]`` (``"."``
repeats the item at the same place in the row above) or ``[{"expression": ..., "id": ...}]``;
options ``stat``, ``period``, ``label``, ``color``, ``id``, ``visible``, ``yAxis``.
Widget properties: ``start`` / ``end`` (ISO 8601 durations relative to now, like ``-PT3H``, or
timestamps), ``period`` (300), ``stat`` (Average), ``width`` (600) and ``height`` (395), 1 to
2,000 pixels, ``title``, ``timezone`` (``+HHMM``), ``yAxis.left.min/max``,
``annotations.horizontal``, ``legend.position`` (bottom, right or hidden), ``view``
(timeSeries, singleValue: each series' latest value, bar and pie: each series' latest value
as a bar or a slice)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from overcast.services.cloudwatch.dynamic_labels import TIMEZONE
from overcast.services.cloudwatch.metric_data_validation import ID_PATTERN, valid_period
from overcast.services.cloudwatch.metric_queries import validation_error
from overcast.services.cloudwatch.statistics import BASIC, check_extended_statistic

MAX_METRICS = 100            # "As many as 100 metrics in the graph" (API reference)
MAX_PIXELS = 2000
MAX_PAYLOAD = 100 * 1024     # "Up to 100 KB uncompressed payload"
_DURATION = re.compile(r"^-?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
VIEWS = ("timeSeries", "singleValue", "bar", "pie")


@dataclass
class Widget:
    queries: list[dict]
    start: float
    end: float
    width: int = 600
    height: int = 395
    title: str = ""
    timezone: str | None = None
    colors: dict[str, str] = field(default_factory=dict)     # query Id -> "#rrggbb"
    y_min: float | None = None
    y_max: float | None = None
    annotations: list[dict] = field(default_factory=list)   # {"value", "label", "color"}
    legend: str = "bottom"
    view: str = "timeSeries"


class _Problems(list):
    def add(self, path: str, message: str) -> None:
        self.append({"dataPath": path, "message": message})


def parse_widget(text: str, now: float) -> Widget:
    """The widget described by ``text``; ValidationError listing every problem otherwise."""
    if len(text.encode()) > MAX_PAYLOAD:
        raise validation_error("The MetricWidget must not be larger than 100 KB.")
    try:
        spec = json.loads(text)
    except (ValueError, RecursionError):
        raise validation_error("The MetricWidget is not valid JSON.") from None
    problems = _Problems()
    if not isinstance(spec, dict):
        problems.add("", "Should be object")
        _raise(problems)
    width = _pixels(spec, "width", 600, problems)
    height = _pixels(spec, "height", 395, problems)
    stat = spec.get("stat", "Average")
    if not isinstance(stat, str) or (stat not in BASIC and not check_extended_statistic(stat)):
        problems.add("/stat", "Should be a valid statistic")
    period = spec.get("period", 300)
    if not valid_period(period):
        problems.add("/period", "Should be 1, 5, 10, 20, 30, 60 or a multiple of 60")
    start = _time(spec, "start", now - 3 * 3600, now, problems)
    end = _time(spec, "end", now, now, problems)
    zone = spec.get("timezone")
    if zone is not None and not (isinstance(zone, str) and TIMEZONE.match(zone)):
        problems.add("/timezone", "Should match pattern \"^[+-][0-9]{4}$\"")
    title = spec.get("title", "")
    if not isinstance(title, str):
        problems.add("/title", "Should be string")
    queries, colors = _queries(spec, stat, period, problems)
    y_min, y_max = _axis(spec, problems)
    annotations = _annotations(spec, problems)
    legend = (spec.get("legend") or {}).get("position", "bottom") if isinstance(spec.get("legend"), dict) \
        else "bottom"
    if legend not in ("bottom", "right", "hidden"):
        problems.add("/legend/position", "Should be equal to one of the allowed values")
    view = spec.get("view", "timeSeries")
    if view not in VIEWS:
        problems.add("/view", "Should be equal to one of the allowed values")
    if problems:
        _raise(problems)
    if start >= end:
        raise validation_error("The parameter start must be less than the parameter end.")
    return Widget(queries, start, end, width, height, title, zone, colors, y_min, y_max, annotations, legend, view)


def _raise(problems: _Problems):
    count = len(problems)
    raise validation_error(f"The MetricWidget is invalid, there {'is' if count == 1 else 'are'} {count} "
                           f"validation error{'' if count == 1 else 's'}:\n{json.dumps(problems, indent=2)}")


def _pixels(spec: dict, name: str, default: int, problems: _Problems) -> int:
    value = spec.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool):
        problems.add(f"/{name}", "Should be integer")
        return default
    if value < 1:
        problems.add(f"/{name}", "Should be >= 1")
    elif value > MAX_PIXELS:
        problems.add(f"/{name}", f"Should be <= {MAX_PIXELS}")
    return value


def _time(spec: dict, name: str, default: float, now: float, problems: _Problems) -> float:
    value = spec.get(name)
    if value is None:
        return default
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match and value not in ("P", "-P") and not value.endswith("T"):
            weeks, days, hours, minutes, seconds = (float(g or 0) for g in match.groups())
            return now - (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 - seconds
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    problems.add(f"/{name}", "Should be an ISO 8601 duration or timestamp")
    return default


def _queries(spec: dict, stat: str, period, problems: _Problems) -> tuple[list[dict], dict[str, str]]:
    rows = spec.get("metrics")
    if rows is None:
        problems.add("", "Should have required property 'metrics'")
        return [], {}
    if not isinstance(rows, list):
        problems.add("/metrics", "Should be array")
        return [], {}
    if len(rows) > MAX_METRICS:
        problems.add("/metrics", f"Should NOT have more than {MAX_METRICS} items")
    queries: list[dict] = []
    colors: dict[str, str] = {}
    previous: list = []
    used = {row[-1].get("id") for row in rows if isinstance(row, list) and row and isinstance(row[-1], dict)}
    for index, row in enumerate(rows):
        path = f"/metrics/{index}"
        if not isinstance(row, list) or not row:
            problems.add(path, "Should be array" if not isinstance(row, list) else "Should NOT have fewer than 1 items")
            continue
        options = row[-1] if isinstance(row[-1], dict) else {}
        items = row[:-1] if isinstance(row[-1], dict) else row
        query_id = options.get("id") or _free_id(index, used)
        if not isinstance(query_id, str) or not ID_PATTERN.match(query_id):
            problems.add(f"{path}/id", f"Should match pattern \"{ID_PATTERN.pattern}\"")
            continue
        query: dict = {"Id": query_id, "ReturnData": options.get("visible", True) is not False}
        if isinstance(options.get("label"), str):
            query["Label"] = options["label"]
        if "expression" in options:
            if items or not isinstance(options["expression"], str):
                problems.add(path, "Should be an expression alone")
                continue
            query["Expression"] = options["expression"]
            query["Period"] = options.get("period", period)
        else:
            items = [previous[i] if item == "." and i < len(previous) else item for i, item in enumerate(items)]
            if len(items) < 2 or len(items) % 2 or not all(isinstance(i, str) for i in items):
                problems.add(path, "Should be [Namespace, MetricName, DimensionName, DimensionValue, ...]")
                continue
            previous = items
            row_stat, row_period = options.get("stat", stat), options.get("period", period)
            if not isinstance(row_stat, str) or (row_stat not in BASIC and not check_extended_statistic(row_stat)):
                problems.add(f"{path}/stat", "Should be a valid statistic")
            if not valid_period(row_period):
                problems.add(f"{path}/period", "Should be 1, 5, 10, 20, 30, 60 or a multiple of 60")
            query["MetricStat"] = {
                "Metric": {"Namespace": items[0], "MetricName": items[1],
                           "Dimensions": [{"Name": items[i], "Value": items[i + 1]} for i in range(2, len(items), 2)]},
                "Stat": row_stat, "Period": row_period}
        color = options.get("color")
        if color is not None:
            if not isinstance(color, str) or not _COLOR.match(color):
                problems.add(f"{path}/color", "Should match pattern \"^#[0-9a-fA-F]{6}$\"")
            else:
                colors[query_id] = color
        queries.append(query)
    return queries, colors


def _free_id(index: int, used: set) -> str:
    candidate = f"m{index + 1}"
    while candidate in used:
        candidate += "_"
    used.add(candidate)
    return candidate


def _axis(spec: dict, problems: _Problems) -> tuple[float | None, float | None]:
    left = ((spec.get("yAxis") or {}).get("left") or {}) if isinstance(spec.get("yAxis"), dict) else {}
    bounds = []
    for name in ("min", "max"):
        value = left.get(name) if isinstance(left, dict) else None
        if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            problems.add(f"/yAxis/left/{name}", "Should be number")
            value = None
        bounds.append(value)
    return bounds[0], bounds[1]


def _annotations(spec: dict, problems: _Problems) -> list[dict]:
    annotations = spec.get("annotations")
    if annotations is None:
        return []
    horizontal = annotations.get("horizontal", []) if isinstance(annotations, dict) else None
    if not isinstance(horizontal, list):
        problems.add("/annotations", "Should be object")
        return []
    out = []
    for index, item in enumerate(horizontal):
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.add(f"/annotations/horizontal/{index}", "Should have required property 'value'")
            continue
        color = item.get("color") if isinstance(item.get("color"), str) and _COLOR.match(item["color"]) else None
        out.append({"value": float(value), "label": str(item.get("label", "")), "color": color})
    return out
