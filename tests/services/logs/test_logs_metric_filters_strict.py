"""Strict mode, the delivery operations: their own parameters (a filter pattern, a metric
transformation, selection criteria, an export's time range) are checked before authorization,
so a malformed request is refused for anyone; a well-formed one is then authorized on the log
group's ARN (a user allowed PutMetricFilter on one group is denied another)."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT_A}:log-group:allowed"
METRIC = [{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}]


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-delivery")), "--strict").start()
    root = client(proc, "logs", ACCOUNT_A)
    for group in ("allowed", "other"):
        root.create_log_group(logGroupName=group)
    yield proc
    proc.stop()


def _user(strict, name: str, *statements):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "logs", key["AccessKeyId"], key["SecretAccessKey"])


def test_parameters_before_authorization(strict):
    nobody = _user(strict, "delivery-nobody", allow("sqs:ListQueues"))
    assert denied(nobody.put_metric_filter, logGroupName="allowed", filterName="f", filterPattern='"open',
                  metricTransformations=METRIC)[:2] == ("InvalidParameterException", 400)
    code, status, message = denied(nobody.put_metric_filter, logGroupName="allowed", filterName="f",
                                   filterPattern="ERROR", metricTransformations=[{**METRIC[0], "defaultValue": 0.0,
                                                                                  "dimensions": {"A": "$.a"}}])
    assert (code, status) == ("InvalidParameterException", 400) and "mutually exclusive" in message
    assert denied(nobody.describe_metric_filters, metricName="Errors")[:2] == ("InvalidParameterException", 400)
    assert denied(nobody.put_subscription_filter, logGroupName="allowed", filterName="f", filterPattern="",
                  destinationArn="arn:aws:lambda:us-east-1:111122223333:function:f",
                  fieldSelectionCriteria="@aws.region ~ 1")[:2] == ("InvalidParameterException", 400)
    assert denied(nobody.create_export_task, logGroupName="allowed", fromTime=2, to=1,
                  destination="bucket-x")[:2] == ("InvalidParameterException", 400)
    assert denied(nobody.put_account_policy, policyName="p", policyType="FIELD_INDEX_POLICY",
                  policyDocument="[]")[:2] == ("InvalidParameterException", 400)
    # well-formed: the group is looked at only once authorized
    assert denied(nobody.put_metric_filter, logGroupName="no-such-group", filterName="f", filterPattern="ERROR",
                  metricTransformations=METRIC)[:2] == ("AccessDeniedException", 400)


def test_authorized_on_the_groups_arn(strict):
    writer = _user(strict, "delivery-writer", allow(["logs:PutMetricFilter", "logs:DescribeMetricFilters"],
                                                    GROUP_ARN + "*"))  # with or without ":*"
    writer.put_metric_filter(logGroupName="allowed", filterName="f", filterPattern="ERROR",
                             metricTransformations=METRIC)
    assert [f["filterName"] for f in writer.describe_metric_filters(logGroupName="allowed")["metricFilters"]] == ["f"]
    code, status, _ = denied(writer.put_metric_filter, logGroupName="other", filterName="f", filterPattern="ERROR",
                             metricTransformations=METRIC)
    assert (code, status) == ("AccessDeniedException", 400)
