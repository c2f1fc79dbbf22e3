"""PutDashboard's check of a DashboardBody, as CloudWatch words it.

CloudWatch validates the body against a JSON schema ("Dashboard Body Structure and Syntax")
and answers each violation as ``{"dataPath": "/widgets/0/width", "message": "..."}`` in its
schema validator's wording ("Should have required property 'type'", "Should be <= 23",
"Should NOT have more than 2 items"...). Any violation refuses the whole body
(``InvalidParameterInput``, "The dashboard body is invalid, there are N validation errors:"
followed by the list as indented JSON, the same list in ``DashboardValidationMessages``); a
body that is not a JSON object is "The field DashboardBody must be a valid JSON object".
"""

from __future__ import annotations

import json

from overcast.errors import AwsError

MAX_WIDGETS = 500  # "an array of between 0 and 500 widget objects"
GRID_COLUMNS = 24
MAX_HEIGHT = 1000
WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")
_PERIOD_OVERRIDES = ("auto", "inherit")


def invalid_input(message: str, messages: list[dict] | None = None) -> AwsError:
    fields = {"dashboardValidationMessages": messages} if messages else None
    return AwsError("InvalidParameterInput", message, 400, fields=fields)


def parse_body(text) -> dict:
    """The body as a JSON object, or InvalidParameterInput."""
    try:
        body = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise invalid_input("The field DashboardBody must be a valid JSON object")
    return body


def check_body(body: dict) -> None:
    """Raise InvalidParameterInput listing every violation (the widgets in order)."""
    problems: list[tuple[str, str]] = []
    _check_dashboard(body, problems)
    if problems:
        listed = [{"dataPath": path, "message": message} for path, message in problems]
        raise invalid_input(
            f"The dashboard body is invalid, there are {len(listed)} validation errors:\n"
            + json.dumps(listed, indent=2),
            [{"DataPath": path, "Message": message} for path, message in problems])


def _check_dashboard(body: dict, problems: list) -> None:
    if "widgets" not in body:
        problems.append(("", "Should have required property 'widgets'"))
        return
    widgets = body["widgets"]
    if not isinstance(widgets, list):
        problems.append(("/widgets", "Should be array"))
        return
    if len(widgets) > MAX_WIDGETS:
        problems.append(("/widgets", f"Should NOT have more than {MAX_WIDGETS} items"))
    override = body.get("periodOverride")
    if override is not None and override not in _PERIOD_OVERRIDES:
        problems.append(("/periodOverride", "Should be equal to one of the allowed values"))
    for name in ("start", "end"):
        if name in body and not isinstance(body[name], str):
            problems.append((f"/{name}", "Should be string"))
    for index, widget in enumerate(widgets):
        _check_widget(f"/widgets/{index}", widget, problems)


def _integer(path: str, value, low: int, high: int | None, problems: list) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append((path, "Should be integer"))
    elif value < low:
        problems.append((path, f"Should be >= {low}"))
    elif high is not None and value > high:
        problems.append((path, f"Should be <= {high}"))


def _check_widget(path: str, widget, problems: list) -> None:
    if not isinstance(widget, dict):
        problems.append((path, "Should be object"))
        return
    kind = widget.get("type")
    if kind is None:
        problems.append((path, "Should have required property 'type'"))
    elif kind not in WIDGET_TYPES:
        problems.append((f"{path}/type", "Should be equal to one of the allowed values"))
    for name, low, high in (("x", 0, GRID_COLUMNS - 1), ("y", 0, None), ("width", 1, GRID_COLUMNS),
                            ("height", 1, MAX_HEIGHT)):
        if name in widget:
            _integer(f"{path}/{name}", widget[name], low, high, problems)
    if "properties" not in widget:
        problems.append((path, "Should have required property 'properties'"))
        return
    properties = widget["properties"]
    if not isinstance(properties, dict):
        problems.append((f"{path}/properties", "Should be object"))
        return
    if kind == "text":
        _check_text(f"{path}/properties", properties, problems)
    elif kind == "metric":
        _check_metric(f"{path}/properties", properties, problems)


def _check_text(path: str, properties: dict, problems: list) -> None:
    if "markdown" not in properties:
        problems.append((path, "Should have required property 'markdown'"))
    elif not isinstance(properties["markdown"], str):
        problems.append((f"{path}/markdown", "Should be string"))


def _check_metric(path: str, properties: dict, problems: list) -> None:
    metrics = properties.get("metrics")
    if metrics is None and "annotations" not in properties:
        # the schema's alternatives: a graph of metrics, or of alarm annotations alone
        problems.append((path, "Should have required property 'metrics'"))
        problems.append((path, "The metric widget should have specified a region and a data source or "
                               "an alarm annotation"))
        problems.append((path, "Should have required property 'annotations'"))
        return
    if metrics is None:
        return
    if not isinstance(metrics, list):
        problems.append((f"{path}/metrics", "Should be array"))
        return
    for index, metric in enumerate(metrics):
        _check_metric_array(f"{path}/metrics/{index}", metric, problems)


def _check_metric_array(path: str, metric, problems: list) -> None:
    """``[Namespace, MetricName, DimName, DimValue, ..., {options}]``, or ``[{expression options}]``;
    ``"..."`` / ``"."`` repeat the previous row's fields."""
    if not isinstance(metric, list):
        problems.append((path, "Should be array"))
        return
    fields = metric[:-1] if metric and isinstance(metric[-1], dict) else metric
    if not fields:
        if not metric:
            problems.append((path, "Should NOT have fewer than 1 items"))
        return  # a math expression row: [{"expression": ..., "id": ...}]
    for position, value in enumerate(fields):
        if not isinstance(value, str):
            problems.append((f"{path}/{position}", 'Invalid metric field type, only "String" type is allowed'))
