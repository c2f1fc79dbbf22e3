"""GetMetricData and GetMetricWidgetImage."""

from __future__ import annotations

from datetime import datetime

from overcast.protocols import HttpResponse
from overcast.services.cloudwatch import metric_data_pages as pages
from overcast.services.cloudwatch.dynamic_labels import TIMEZONE
from overcast.services.cloudwatch.errors import MissingParameter
from overcast.services.cloudwatch.metric_data_validation import check_expressions, check_queries
from overcast.services.cloudwatch.metric_queries import run_queries, validation_error
from overcast.services.cloudwatch.widget_image import render_widget
from overcast.services.cloudwatch.widget_spec import Widget, parse_widget
from overcast.storage.scope import Scope

RAW_PNG = "image/png"  # OutputFormat for custom HTTP requests: the answer is the PNG itself


def _epoch(value) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


SCAN_ORDERS = ("TimestampDescending", "TimestampAscending")


def check_get_metric_data(params: dict, now: float) -> tuple[float, float, int, str | None]:
    """GetMetricData's parameters checked (strict mode runs this before authorizing): the time
    range, the page size and the label time zone."""
    for name in ("MetricDataQueries", "StartTime", "EndTime"):
        if params.get(name) is None:
            raise MissingParameter(f"The parameter {name} is required.")
    check_queries(params["MetricDataQueries"])
    start, end = _epoch(params["StartTime"]), _epoch(params["EndTime"])
    if start >= end:
        raise validation_error("The parameter StartTime must be less than the parameter EndTime.")
    scan_by = params.get("ScanBy")
    if scan_by is not None and scan_by not in SCAN_ORDERS:
        raise validation_error(f"The parameter ScanBy must be a value in the set [ {', '.join(SCAN_ORDERS)} ].")
    budget = params.get("MaxDatapoints", pages.DEFAULT_MAX_DATAPOINTS)
    if budget < 1:
        raise validation_error(f"The value {budget} for parameter MaxDatapoints is invalid.")
    # one call returns at most 100,800 datapoints, whatever MaxDatapoints asks
    budget = min(budget, pages.DEFAULT_MAX_DATAPOINTS)
    zone = (params.get("LabelOptions") or {}).get("Timezone")
    if zone is not None and not TIMEZONE.match(zone):
        raise validation_error(f"The value {zone} for parameter LabelOptions.Timezone is invalid.")
    return start, end, budget, zone


def check_widget_request(params: dict, now: float) -> Widget:
    """GetMetricWidgetImage's parameters checked; the widget they describe."""
    if params.get("MetricWidget") is None:
        raise MissingParameter("The parameter MetricWidget is required.")
    output_format = params.get("OutputFormat") or "png"
    if output_format not in ("png", RAW_PNG):
        raise validation_error(f"The value {output_format} for parameter OutputFormat is not valid: "
                               "only png is supported.")
    widget = parse_widget(params["MetricWidget"], now)
    check_expressions(widget.queries)
    return widget


class MetricDataOperations:
    """The GetMetricData and GetMetricWidgetImage operations of the CloudWatch provider."""

    def get_metric_data(self, ctx, params: dict) -> dict:
        start, end, budget, zone = check_get_metric_data(params, self.clock.now())
        fingerprint = pages.request_fingerprint(params)
        offset = pages.decode_token(params["NextToken"], fingerprint) if params.get("NextToken") else 0
        results = run_queries(self, Scope.of(ctx), params["MetricDataQueries"], start, end,
                              params.get("ScanBy") or "TimestampDescending", zone)
        shown, following = pages.page(results, offset, budget)
        answer = {
            "MetricDataResults": [_result(r) for r in shown],
            "Messages": [],
        }
        # "NextToken is not returned if you are performing a math expression" (MetricDataResult
        # reference): a request with an expression answers one page, cut results PartialData.
        expressions = any(q.get("Expression") is not None for q in params["MetricDataQueries"])
        if following is not None and not expressions:
            answer["NextToken"] = pages.encode_token(following, fingerprint)
        return answer

    def get_metric_widget_image(self, ctx, params: dict) -> dict:
        widget = check_widget_request(params, self.clock.now())
        results = run_queries(self, Scope.of(ctx), widget.queries, widget.start, widget.end,
                              "TimestampAscending", widget.timezone)
        image = render_widget(widget, results)
        if params.get("OutputFormat") == RAW_PNG:
            # "If you specify image/png, the HTTP response has a content-type set to image/png,
            # and the body of the response is a PNG image" (GetMetricWidgetImage, OutputFormat)
            return HttpResponse(200, {"content-type": RAW_PNG, "x-amzn-requestid": ctx.request_id}, image)
        return {"MetricWidgetImage": image}


def _result(result) -> dict:
    out = {
        "Id": result.id,
        "Label": result.label,
        "Timestamps": result.timestamps,
        "Values": result.values,
        "StatusCode": result.status_code,
    }
    if result.messages:
        out["Messages"] = result.messages
    return out

