"""GetMetricWidgetImage with OutputFormat ``image/png`` (meant for custom HTTP requests): the
answer is the PNG itself with content-type image/png, on the query and JSON wires; ``png``
(boto3's way) keeps the MetricWidgetImage field."""

from __future__ import annotations

import io
import json
import os
import sys
import urllib.parse

from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from signed_http import send, sign  # noqa: E402

from cw_helpers import cw  # noqa: E402,F401

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDGET = json.dumps({"metrics": [["Raw/Widget", "M"]], "width": 320, "height": 200})


def _check_png(status: int, headers: dict, body: bytes) -> None:
    assert status == 200
    assert {k.lower(): v for k, v in headers.items()}["content-type"] == "image/png"
    assert body.startswith(PNG_SIGNATURE)
    assert Image.open(io.BytesIO(body)).size == (320, 200)


def test_image_png_over_query_is_the_png_itself(endpoint):
    form = urllib.parse.urlencode({"Action": "GetMetricWidgetImage", "Version": "2010-08-01",
                                   "MetricWidget": WIDGET, "OutputFormat": "image/png"}).encode()
    _check_png(*send(sign(endpoint, "POST", "/", service="monitoring", body=form,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})))


def test_image_png_over_json_is_the_png_itself(endpoint):
    body = json.dumps({"MetricWidget": WIDGET, "OutputFormat": "image/png"}).encode()
    _check_png(*send(sign(endpoint, "POST", "/", service="monitoring", body=body,
                          headers={"Content-Type": "application/x-amz-json-1.0",
                                   "X-Amz-Target": "GraniteServiceVersion20100801.GetMetricWidgetImage"})))


def test_png_keeps_the_field(cw):
    image = cw.get_metric_widget_image(MetricWidget=WIDGET, OutputFormat="png")["MetricWidgetImage"]
    assert image.startswith(PNG_SIGNATURE)
