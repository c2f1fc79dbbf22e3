"""PutMetricData as AWS validates and stores it: Value, Values+Counts, StatisticValues, Unit,
StorageResolution, the request limits and AWS's error texts, gzip bodies, EntityMetricData."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from botocore.config import Config

from aws_clients import make_client
from cw_helpers import NAMESPACE, cloud_now, cw, error_of, protocol_client  # noqa: F401


def _minute(server) -> float:
    now = cloud_now(server)
    return now - now % 60


def _stats(cw, name, start, **extra):
    kwargs = {"Statistics": ["SampleCount", "Sum", "Minimum", "Maximum", "Average"], **extra}
    return cw.get_metric_statistics(Namespace=NAMESPACE, MetricName=name, StartTime=start, EndTime=start + 60,
                                    Period=60, **kwargs)["Datapoints"]


def _at(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


def test_value_values_counts_and_statistic_sets_add_up(cw, server):
    start = _minute(server)
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Mixed", "Timestamp": _at(start + 1), "Value": 5.0},
        {"MetricName": "Mixed", "Timestamp": _at(start + 2), "Values": [1.0, 9.0], "Counts": [3, 1]},
        {"MetricName": "Mixed", "Timestamp": _at(start + 3),
         "StatisticValues": {"SampleCount": 2, "Sum": 30.0, "Minimum": 10.0, "Maximum": 20.0}}])
    [point] = _stats(cw, "Mixed", start)
    assert point["SampleCount"] == 7.0
    assert point["Sum"] == 5 + 3 + 9 + 30
    assert (point["Minimum"], point["Maximum"]) == (1.0, 20.0)
    assert point["Average"] == pytest.approx(47 / 7)
    assert point["Unit"] == "None"


def test_values_without_counts_count_once_each(cw, server):
    start = _minute(server)
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Plain", "Timestamp": _at(start), "Values": [1.0, 2.0, 2.0]}])
    [point] = _stats(cw, "Plain", start)
    assert (point["SampleCount"], point["Sum"]) == (3.0, 5.0)


def test_units_are_kept_apart_and_filter(cw, server):
    start = _minute(server)
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Size", "Timestamp": _at(start), "Value": 1.0, "Unit": "Bytes"},
        {"MetricName": "Size", "Timestamp": _at(start), "Value": 2.0, "Unit": "Kilobytes"}])
    points = _stats(cw, "Size", start)
    assert sorted((p["Unit"], p["Sum"]) for p in points) == [("Bytes", 1.0), ("Kilobytes", 2.0)]
    [only] = _stats(cw, "Size", start, Unit="Kilobytes")
    assert only["Sum"] == 2.0
    assert _stats(cw, "Size", start, Unit="Seconds") == []


def test_dimension_order_does_not_make_another_metric(cw, server):
    start = _minute(server)
    one = [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Dims", "Dimensions": one, "Timestamp": _at(start), "Value": 1.0},
        {"MetricName": "Dims", "Dimensions": one[::-1], "Timestamp": _at(start), "Value": 1.0}])
    [point] = _stats(cw, "Dims", start, Dimensions=one[::-1])
    assert point["SampleCount"] == 2.0
    assert _stats(cw, "Dims", start, Dimensions=one[:1]) == []  # a subset is another metric


def test_aws_namespaces_are_reserved(cw):
    code, message, status = error_of(cw.put_metric_data, Namespace="AWS/EC2",
                                     MetricData=[{"MetricName": "M", "Value": 1.0}])
    assert (code, message, status) == ("InvalidParameterValue",
                                       "The value AWS/EC2 for parameter Namespace is invalid.", 400)


@pytest.mark.parametrize("datum, code, message", [
    ({"MetricName": "M", "Value": 1.0, "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}},
     "InvalidParameterCombination",
     "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and "
     "you have specified both."),
    ({"MetricName": "M"}, "InvalidParameterCombination",
     "At least one of the parameters MetricData.member.1.Value, MetricData.member.1.StatisticValues and "
     "MetricData.member.1.Values must be specified."),
    ({"MetricName": "M", "Values": [1.0] * 151}, "InvalidParameterValue",
     "The collection MetricData.member.1.Values must not have a size greater than 150."),
    ({"MetricName": "M", "Values": [1.0, 2.0], "Counts": [1.0]}, "InvalidParameterValue",
     "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size."),
    ({"MetricName": "M", "Value": 1.0, "Unit": "Parsecs"}, "InvalidParameterValue",
     "The parameter MetricData.member.1.Unit must be a value in the set [ Seconds, Microseconds, Milliseconds, "
     "Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, "
     "Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, "
     "Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None ]."),
    ({"MetricName": "M", "Value": 1.0, "StorageResolution": 30}, "InvalidParameterValue",
     "The value 30 for parameter MetricData.member.1.StorageResolution is invalid."),
    ({"MetricName": "M", "Value": 2.0 ** 361}, "InvalidParameterValue",
     f"The value {2.0 ** 361!r} for parameter MetricData.member.1.Value is invalid."),
    ({"MetricName": "M", "Value": 1.0, "Dimensions": [{"Name": f"d{i}", "Value": "v"} for i in range(31)]},
     "InvalidParameterValue", "The collection MetricData.member.1.Dimensions must not have a size greater than 30."),
])
def test_datum_errors_in_aws_words(cw, datum, code, message):
    assert error_of(cw.put_metric_data, Namespace=NAMESPACE, MetricData=[datum]) == (code, message, 400)


def test_timestamps_two_weeks_back_to_two_hours_ahead(cw, server):
    now = cloud_now(server)
    for stamp in (now - 14 * 86400 + 60, now + 2 * 3600 - 60):
        cw.put_metric_data(Namespace=NAMESPACE, MetricData=[{"MetricName": "T", "Timestamp": _at(stamp), "Value": 1}])
    assert error_of(cw.put_metric_data, Namespace=NAMESPACE,
                    MetricData=[{"MetricName": "T", "Timestamp": _at(now - 15 * 86400), "Value": 1}]) == (
        "InvalidParameterValue", "The parameter MetricData.member.1.Timestamp must specify a time within the past "
        "two weeks.", 400)
    assert error_of(cw.put_metric_data, Namespace=NAMESPACE,
                    MetricData=[{"MetricName": "T", "Timestamp": _at(now + 3 * 3600), "Value": 1}])[:2] == (
        "InvalidParameterValue", "The parameter MetricData.member.1.Timestamp must specify a time no more than two "
        "hours in the future.")


def test_at_most_1000_metrics_a_request(cw):
    data = [{"MetricName": f"m{i}", "Value": 1.0} for i in range(1001)]
    assert error_of(cw.put_metric_data, Namespace=NAMESPACE, MetricData=data) == (
        "InvalidParameterValue", "The collection MetricData must not have a size greater than 1000.", 400)
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=data[:1000])
    assert len(cw.list_metrics(Namespace=NAMESPACE)["Metrics"]) == 500  # first page


def test_nothing_of_a_rejected_request_is_stored(cw, server):
    start = _minute(server)
    error_of(cw.put_metric_data, Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Atomic", "Timestamp": _at(start), "Value": 1.0},
        {"MetricName": "Atomic", "Timestamp": _at(start), "Value": 1.0, "Unit": "Parsecs"}])
    assert _stats(cw, "Atomic", start) == []


def test_gzip_bodies_as_boto3_sends_them(endpoint, server):
    sent = []
    client = make_client(endpoint, "cloudwatch", config=Config(request_min_compression_size_bytes=1,
                                                               retries={"max_attempts": 1}))
    client.meta.events.register("before-send.cloudwatch.PutMetricData",
                                lambda request, **_: sent.append(request.headers.get("Content-Encoding")))
    start = _minute(server)
    client.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Zipped", "Timestamp": _at(start), "Values": [float(i) for i in range(150)]}])
    assert sent == [b"gzip"] or sent == ["gzip"]
    [point] = _stats(client, "Zipped", start)
    assert (point["SampleCount"], point["Sum"]) == (150.0, sum(range(150)))


def test_gzip_over_the_query_protocol(endpoint, server):
    client = protocol_client(endpoint, "query", config=Config(request_min_compression_size_bytes=1))
    start = _minute(server)
    client.put_metric_data(Namespace=NAMESPACE, MetricData=[{"MetricName": "ZQ", "Timestamp": _at(start),
                                                             "Value": 4.0}])
    [point] = _stats(client, "ZQ", start)
    assert point["Sum"] == 4.0


def test_entity_metric_data_is_stored_like_metric_data(cw, server):
    start = _minute(server)
    cw.put_metric_data(Namespace=NAMESPACE, StrictEntityValidation=False, EntityMetricData=[{
        "Entity": {"KeyAttributes": {"Type": "Service", "Name": "checkout", "Environment": "prod"}},
        "MetricData": [{"MetricName": "Entity", "Timestamp": _at(start), "Value": 3.0}]}])
    [point] = _stats(cw, "Entity", start)
    assert point["Sum"] == 3.0


def test_strict_entity_validation(cw, server):
    start = _minute(server)
    datum = {"MetricName": "Entity", "Timestamp": _at(start), "Value": 1.0}
    bad_type = {"Entity": {"KeyAttributes": {"Type": "Planet", "Name": "x"}}, "MetricData": [datum]}
    missing = {"Entity": {"KeyAttributes": {"Type": "Service", "Name": "checkout"}}, "MetricData": [datum]}
    assert error_of(cw.put_metric_data, Namespace=NAMESPACE, StrictEntityValidation=True,
                    EntityMetricData=[bad_type]) == (
        "InvalidParameterValue", "InvalidTypeValue: The provided Type in the KeyAttributes of an entity is invalid.",
        400)
    assert error_of(cw.put_metric_data, Namespace=NAMESPACE, StrictEntityValidation=True,
                    EntityMetricData=[missing])[1].startswith("MissingRequiredFields")
    good = {"Entity": {"KeyAttributes": {"Type": "Service", "Name": "checkout", "Environment": "prod"}},
            "MetricData": [datum]}
    assert error_of(cw.put_metric_data, Namespace=NAMESPACE, StrictEntityValidation=True,
                    EntityMetricData=[good, good, good])[1].startswith("EntitySizeTooLarge")
    assert _stats(cw, "Entity", start) == []  # nothing of a refused request
    # without strict validation a bad entity does not keep the metrics out
    cw.put_metric_data(Namespace=NAMESPACE, StrictEntityValidation=False, EntityMetricData=[bad_type])
    assert _stats(cw, "Entity", start)[0]["Sum"] == 1.0
