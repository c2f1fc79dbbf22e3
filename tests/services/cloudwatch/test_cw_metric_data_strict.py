"""Strict mode, GetMetricData and GetMetricWidgetImage: the queries are checked before
authorization (a bad expression is a ValidationError for anyone), then identity policies
decide."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

from cw_helpers import metric_stat  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
END = datetime(2026, 1, 1, 1, tzinfo=timezone.utc)
WIDGET = json.dumps({"metrics": [["Strict/Math", "M"]]})


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-cw-math")), "--strict").start()
    yield proc
    proc.stop()


def make_user(strict, name, *statements):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "cloudwatch", key["AccessKeyId"], key["SecretAccessKey"])


def test_bad_queries_are_refused_before_authorization(strict):
    nobody = make_user(strict, "math-nobody")
    assert denied(nobody.get_metric_data, MetricDataQueries=[{"Id": "e1", "Expression": "1 +"}],
                  StartTime=START, EndTime=END) == ("ValidationError", 400, "Error in expression 'e1': Invalid syntax")
    code, status, _ = denied(nobody.get_metric_widget_image, MetricWidget="{")
    assert (code, status) == ("ValidationError", 400)
    good = [{"Id": "m1", "MetricStat": metric_stat("M", namespace="Strict/Math")}]
    assert denied(nobody.get_metric_data, MetricDataQueries=good, StartTime=START, EndTime=END)[0] == \
        "AccessDenied"
    assert denied(nobody.get_metric_widget_image, MetricWidget=WIDGET)[0] == "AccessDenied"


def test_allowed_reader(strict):
    reader = make_user(strict, "math-reader", allow("cloudwatch:GetMetricData"),
                       allow("cloudwatch:GetMetricWidgetImage"))
    out = reader.get_metric_data(MetricDataQueries=[{"Id": "e1", "Expression": "TIME_SERIES(1)", "Period": 300}],
                                 StartTime=START, EndTime=END)
    assert out["MetricDataResults"][0]["Values"] == [1.0] * 12
    assert reader.get_metric_widget_image(MetricWidget=WIDGET)["MetricWidgetImage"][:4] == b"\x89PNG"
