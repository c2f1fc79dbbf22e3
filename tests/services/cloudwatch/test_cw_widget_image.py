"""GetMetricWidgetImage: a real PNG of the widget's metrics, decoded and looked at, and the
MetricWidget JSON checked as CloudWatch checks it."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from cw_helpers import NAMESPACE, cloud_now, cw, error_of, minute_start, put_series  # noqa: F401

RED = (214, 39, 40)


def _image(cw, widget: dict, **kwargs) -> Image.Image:
    png = cw.get_metric_widget_image(MetricWidget=json.dumps(widget), **kwargs)["MetricWidgetImage"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(png)).convert("RGB")


def _count(image: Image.Image, color) -> int:
    r, g, b = color
    return sum(1 for x in range(image.width) for y in range(image.height) if image.getpixel((x, y)) == (r, g, b))


def test_the_line_of_a_metric_is_drawn_in_its_colour(cw, server):
    start = minute_start(cloud_now(server), 30)
    put_series(cw, "Load", [5, 50, 20, 80, 10, 60], start, period=300)
    widget = {"metrics": [[NAMESPACE, "Load", {"color": "#d62728", "stat": "Maximum"}]],
              "period": 300, "start": "-PT1H", "width": 400, "height": 250, "title": "Load"}
    image = _image(cw, widget, OutputFormat="png")
    assert image.size == (400, 250)
    empty = _image(cw, {**widget, "metrics": [[NAMESPACE, "Nothing", {"color": "#d62728"}]]})
    assert _count(empty, RED) < 100                        # only the legend's swatch
    assert _count(image, RED) > _count(empty, RED) + 200   # and the plotted line


def test_default_size_and_expressions(cw, server):
    start = minute_start(cloud_now(server), 20)
    put_series(cw, "Load", [1, 2, 3], start, period=300)
    widget = {"metrics": [[NAMESPACE, "Load", {"id": "m1", "visible": False}],
                          [{"expression": "m1 * 10", "id": "e1", "label": "ten times", "color": "#d62728"}]]}
    image = _image(cw, widget)
    assert image.size == (600, 395)
    assert _count(image, RED) > 50


@pytest.mark.parametrize("widget, fragment", [
    ({"width": 10}, "Should have required property 'metrics'"),
    ({"metrics": [[NAMESPACE, "Load"]], "width": 5000}, "Should be <= 2000"),
    ({"metrics": [[NAMESPACE, "Load", {"stat": "Median"}]]}, "Should be a valid statistic"),
    ({"metrics": [[NAMESPACE]]}, "/metrics/0"),
    ({"metrics": [[NAMESPACE, "Load"]], "start": "yesterday"}, "/start"),
    ({"metrics": [[NAMESPACE, "Load"]] * 101}, "Should NOT have more than 100 items"),
])
def test_invalid_widgets_are_refused_with_their_data_path(cw, widget, fragment):
    code, message, status = error_of(cw.get_metric_widget_image, MetricWidget=json.dumps(widget))
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("The MetricWidget is invalid") and fragment in message


def test_not_json_and_bad_expression(cw):
    code, message, _ = error_of(cw.get_metric_widget_image, MetricWidget="{not json")
    assert (code, message) == ("ValidationError", "The MetricWidget is not valid JSON.")
    code, message, _ = error_of(cw.get_metric_widget_image,
                                MetricWidget=json.dumps({"metrics": [[{"expression": "m1 +", "id": "e1"}]]}))
    assert (code, message) == ("ValidationError", "Error in expression 'e1': Invalid syntax")


def test_cli_example(aws_cli, tmp_path):
    out = aws_cli("cloudwatch", "get-metric-widget-image", "--metric-widget",
                  '{"metrics":[["AWS/EC2","CPUUtilization","InstanceId","i-abcde"]]}', "--output-format", "png")
    import base64
    image = Image.open(io.BytesIO(base64.b64decode(out["MetricWidgetImage"])))
    assert image.format == "PNG" and image.size == (600, 395)


@pytest.mark.parametrize("view", ["singleValue", "bar", "pie"])
def test_other_views_draw_the_latest_values(cw, server, view):
    start = minute_start(cloud_now(server), 20)
    put_series(cw, "Load", [5, 50, 20], start, period=300)
    widget = {"metrics": [[NAMESPACE, "Load", {"color": "#d62728"}]], "view": view, "start": "-PT1H",
              "width": 300, "height": 200}
    image = _image(cw, widget)
    assert image.size == (300, 200)
    assert _count(image, RED) > 150                        # the value, the bar or the slice
    code, message, _ = error_of(cw.get_metric_widget_image, MetricWidget=json.dumps({**widget, "view": "map"}))
    assert code == "ValidationError" and "/view" in message


def test_deeply_nested_json_is_not_valid_json(cw):
    code, message, _ = error_of(cw.get_metric_widget_image, MetricWidget="[" * 20000 + "]" * 20000)
    assert (code, message) == ("ValidationError", "The MetricWidget is not valid JSON.")


@pytest.mark.parametrize("view", ["timeSeries", "singleValue", "bar", "pie"])
def test_degenerate_sizes_and_axes_still_draw(cw, server, view):
    start = minute_start(cloud_now(server), 10)
    put_series(cw, "Load", [1e100, -1e100], start, period=300)
    for width, height, axis in ((1, 1, {"min": 1e308, "max": -1e308}), (7, 2000, {"min": 5, "max": 5}),
                                (2000, 3, {})):
        widget = {"metrics": [[NAMESPACE, "Load"]], "view": view, "width": width, "height": height,
                  "yAxis": {"left": axis}, "annotations": {"horizontal": [{"value": 1e308}]}}
        assert _image(cw, widget).size == (width, height)
