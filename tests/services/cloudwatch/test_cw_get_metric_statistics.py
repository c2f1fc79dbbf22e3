"""GetMetricStatistics: the statistics and extended statistics, periods, the 1,440 datapoint
limit, high resolution, and what is still answered as data ages (AWS's retention tiers),
driven by the cloud clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from cw_helpers import NAMESPACE, advance_clock, cloud_now, cw, error_of, protocol_client  # noqa: F401

DAY = 86400


def _at(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


def _hour(server) -> float:
    now = cloud_now(server)
    return now - now % 3600 - 3600  # the previous whole hour: every minute of it is in the past


def _put(cw, name, stamp, values, resolution=60, unit=None):
    datum = {"MetricName": name, "Timestamp": _at(stamp), "Values": values, "StorageResolution": resolution}
    if unit:
        datum["Unit"] = unit
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[datum])


def _get(cw, name, start, end, period, **kwargs):
    if "Statistics" not in kwargs and "ExtendedStatistics" not in kwargs:
        kwargs["Statistics"] = ["Sum", "SampleCount"]
    return cw.get_metric_statistics(Namespace=NAMESPACE, MetricName=name, StartTime=_at(start), EndTime=_at(end),
                                    Period=period, **kwargs)["Datapoints"]


def test_periods_fold_minutes_and_come_back_ascending(cw, server):
    hour = _hour(server)
    for minute in range(10):
        _put(cw, "Fold", hour + minute * 60 + 5, [float(minute)])
    points = _get(cw, "Fold", hour, hour + 600, 300)
    assert [p["Timestamp"] for p in points] == [_at(hour), _at(hour + 300)]
    assert [p["Sum"] for p in points] == [0 + 1 + 2 + 3 + 4, 5 + 6 + 7 + 8 + 9]
    minutes = _get(cw, "Fold", hour, hour + 600, 60)
    assert [p["Timestamp"] for p in minutes] == [_at(hour + 60 * m) for m in range(10)]


def test_start_time_is_rounded_down_to_the_minute(cw, server):
    hour = _hour(server)
    _put(cw, "Round", hour + 10, [1.0])
    [point] = _get(cw, "Round", hour + 34, hour + 60, 60)
    assert point["Timestamp"] == _at(hour)


def test_percentiles_and_trimmed_statistics(cw, server):
    hour = _hour(server)
    _put(cw, "Dist", hour, [float(v) for v in range(1, 101)])
    [point] = _get(cw, "Dist", hour, hour + 60, 60, ExtendedStatistics=[
        "p50", "p99", "p100", "p0.0", "tm(10%:90%)", "TM(50:100)", "tc90", "ts(:10%)", "wm(10%:90%)", "IQM"])
    [ranks] = _get(cw, "Dist", hour, hour + 60, 60, ExtendedStatistics=["PR(:25)", "PR(90:)"])
    stats = {**point["ExtendedStatistics"], **ranks["ExtendedStatistics"]}
    assert (stats["p50"], stats["p99"], stats["p100"], stats["p0.0"]) == (50.0, 99.0, 100.0, 1.0)
    assert stats["tm(10%:90%)"] == pytest.approx(sum(range(11, 91)) / 80)
    assert stats["TM(50:100)"] == pytest.approx(sum(range(51, 101)) / 50)  # values > 50 and <= 100
    assert stats["tc90"] == 90.0
    assert stats["ts(:10%)"] == sum(range(1, 11))
    assert stats["wm(10%:90%)"] == pytest.approx((10 * 10 + sum(range(11, 91)) + 10 * 90) / 100)
    assert stats["IQM"] == pytest.approx(sum(range(26, 76)) / 50)
    assert (stats["PR(:25)"], stats["PR(90:)"]) == (25.0, 10.0)
    assert "Sum" not in point


def test_percentiles_of_a_busy_minute_stay_within_one_percent(cw, server):
    hour = _hour(server)
    values = [float(v) for v in range(1, 1501)]  # more distinct values than kept exactly
    for i in range(0, len(values), 150):
        _put(cw, "Busy", hour, values[i:i + 150])
    [point] = _get(cw, "Busy", hour, hour + 60, 60, ExtendedStatistics=["p90", "p50"])
    assert point["ExtendedStatistics"]["p90"] == pytest.approx(1350, rel=0.01)
    assert point["ExtendedStatistics"]["p50"] == pytest.approx(750, rel=0.01)
    [exact] = _get(cw, "Busy", hour, hour + 60, 60, Statistics=["Sum", "Minimum", "Maximum"])
    assert (exact["Sum"], exact["Minimum"], exact["Maximum"]) == (sum(values), 1.0, 1500.0)


def test_no_percentiles_from_statistic_sets_or_negative_values(cw, server):
    hour = _hour(server)
    cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Set", "Timestamp": _at(hour),
         "StatisticValues": {"SampleCount": 4, "Sum": 10, "Minimum": 1, "Maximum": 4}},
        {"MetricName": "Same", "Timestamp": _at(hour),
         "StatisticValues": {"SampleCount": 3, "Sum": 6, "Minimum": 2, "Maximum": 2}}])
    _put(cw, "Negative", hour, [-1.0, 5.0])
    assert _get(cw, "Set", hour, hour + 60, 60, ExtendedStatistics=["p50"])[0]["ExtendedStatistics"] == {}
    assert _get(cw, "Negative", hour, hour + 60, 60, ExtendedStatistics=["p50"])[0]["ExtendedStatistics"] == {}
    assert _get(cw, "Same", hour, hour + 60, 60, ExtendedStatistics=["p50"])[0]["ExtendedStatistics"] == {"p50": 2.0}


@pytest.mark.parametrize("stat", ["p101", "p", "tm(5:10%)", "PR(10%:20%)", "tm()", "TM(9:1)", "p50x", "Median"])
def test_bad_extended_statistics(cw, server, stat):
    now = cloud_now(server)
    assert error_of(cw.get_metric_statistics, Namespace=NAMESPACE, MetricName="M", StartTime=_at(now - 60),
                    EndTime=_at(now), Period=60, ExtendedStatistics=[stat]) == (
        "InvalidParameterValue", f"The value {stat} for parameter ExtendedStatistics.member.1 is invalid.", 400)


def test_parameter_errors(cw, server):
    now = cloud_now(server)
    base = {"Namespace": NAMESPACE, "MetricName": "M", "StartTime": _at(now - 3600), "EndTime": _at(now)}
    assert error_of(cw.get_metric_statistics, **base, Period=60) == (
        "InvalidParameterCombination", "Must specify either Statistics or ExtendedStatistics, but not both.", 400)
    assert error_of(cw.get_metric_statistics, **base, Period=60, Statistics=["Sum"], ExtendedStatistics=["p9"])[0] \
        == "InvalidParameterCombination"
    assert error_of(cw.get_metric_statistics, **base, Period=90, Statistics=["Sum"]) == (
        "InvalidParameterValue", "The parameter Period must be a multiple of 60.", 400)
    assert error_of(cw.get_metric_statistics, **{**base, "StartTime": _at(now - 86400)}, Period=1,
                    Statistics=["Sum"]) == (
        "InvalidParameterCombination", "You have requested up to 86400 datapoints, which exceeds the limit of 1440. "
        "You may reduce the datapoints requested by increasing Period, or decreasing the time range.", 400)
    assert error_of(cw.get_metric_statistics, **{**base, "EndTime": _at(now - 7200)}, Period=60,
                    Statistics=["Sum"]) == (
        "InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.", 400)


def test_high_resolution_periods(cw, server):
    now = cloud_now(server)
    start = now - now % 60 - 120
    for second in (1, 2, 11, 31):
        _put(cw, "Fast", start + second, [1.0], resolution=1)
    _put(cw, "Slow", start + 1, [1.0])
    points = _get(cw, "Fast", start, start + 60, 10)
    assert [(p["Timestamp"], p["SampleCount"]) for p in points] == [
        (_at(start), 2.0), (_at(start + 10), 1.0), (_at(start + 30), 1.0)]
    assert [p["SampleCount"] for p in _get(cw, "Fast", start, start + 60, 60)] == [4.0]
    # a standard-resolution metric has one datapoint a minute, whatever the period
    assert [(p["Timestamp"], p["SampleCount"]) for p in _get(cw, "Slow", start, start + 60, 5)] == [(_at(start), 1.0)]


def test_retention_as_data_ages(cw, server):
    now = cloud_now(server)
    start = now - now % 3600 - 3600
    for minute in range(0, 60, 7):
        _put(cw, "Aging", start + minute * 60, [1.0])
    _put(cw, "AgingFast", start + 3600 + 1, [1.0], resolution=1)
    assert len(_get(cw, "Aging", start, start + 3600, 60)) == 9
    advance_clock(server, 4 * 3600)  # 1 s data is gone after 3 hours, the minute remains
    assert _get(cw, "AgingFast", start + 3600, start + 3660, 1) == []
    assert [p["SampleCount"] for p in _get(cw, "AgingFast", start + 3600, start + 3660, 60)] == [1.0]
    advance_clock(server, 16 * DAY)  # past 15 days: only 5-minute (and coarser) periods answer
    assert _get(cw, "Aging", start, start + 3600, 60) == []
    assert sum(p["SampleCount"] for p in _get(cw, "Aging", start, start + 3600, 300)) == 9
    advance_clock(server, 50 * DAY)  # past 63 days: only hours
    assert _get(cw, "Aging", start, start + 3600, 300) == []
    assert [p["SampleCount"] for p in _get(cw, "Aging", start, start + 3600, 3600)] == [9.0]
    advance_clock(server, 400 * DAY)  # past 455 days: nothing
    assert _get(cw, "Aging", start, start + 3600, 3600) == []


@pytest.mark.parametrize("protocol", ["json", "query"])
def test_every_protocol(endpoint, server, protocol):
    client = protocol_client(endpoint, protocol)
    hour = _hour(server)
    client.put_metric_data(Namespace=NAMESPACE, MetricData=[
        {"MetricName": "Wire", "Dimensions": [{"Name": "D", "Value": "v"}], "Timestamp": _at(hour),
         "Values": [1.0, 3.0], "Unit": "Count"}])
    [point] = client.get_metric_statistics(
        Namespace=NAMESPACE, MetricName="Wire", Dimensions=[{"Name": "D", "Value": "v"}], StartTime=_at(hour),
        EndTime=_at(hour + 60), Period=60, Statistics=["Average", "Maximum"])["Datapoints"]
    assert point == {"Timestamp": _at(hour), "Average": 2.0, "Maximum": 3.0, "Unit": "Count"}
    [ext] = client.get_metric_statistics(
        Namespace=NAMESPACE, MetricName="Wire", Dimensions=[{"Name": "D", "Value": "v"}], StartTime=_at(hour),
        EndTime=_at(hour + 60), Period=60, ExtendedStatistics=["p50"])["Datapoints"]
    assert ext["ExtendedStatistics"] == {"p50": 1.0}
    listed = client.list_metrics(Namespace=NAMESPACE)["Metrics"]
    assert listed == [{"Namespace": NAMESPACE, "MetricName": "Wire", "Dimensions": [{"Name": "D", "Value": "v"}]}]
    assert error_of(client.put_metric_data, Namespace="AWS/X", MetricData=[{"MetricName": "M", "Value": 1.0}]) == (
        "InvalidParameterValue", "The value AWS/X for parameter Namespace is invalid.", 400)
