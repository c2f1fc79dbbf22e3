"""Unit tests of the metric store's pieces beside the server tests: the value distribution's
sketch, the extended statistics' syntax, the retention tiers' choice."""

from __future__ import annotations

import pytest

from overcast.services.cloudwatch import value_distribution as vd
from overcast.services.cloudwatch.metric_store import Aggregate
from overcast.services.cloudwatch.retention import DAY, align_start, serving_tier
from overcast.services.cloudwatch.statistics import check_extended_statistic, statistic_value


def test_exact_until_the_limit_then_a_one_percent_sketch():
    dist = vd.Distribution()
    vd.add(dist, [float(v) for v in range(vd.EXACT_LIMIT)])
    assert not dist.sketched and len(dist) == vd.EXACT_LIMIT
    vd.add(dist, [1000.0, 1001.0])
    assert dist.sketched
    assert sum(dist.values()) == vd.EXACT_LIMIT + 2
    for value in dist:
        assert value == 0 or any(abs(value - v) / v <= vd.RELATIVE_ERROR for v in range(1, 1002))


def test_sketches_survive_encoding_and_merging_without_drift():
    dist = vd.Distribution()
    vd.add(dist, [float(v) for v in range(1, 1000)])
    blob = vd.encode(dist)
    again = vd.decode(blob)
    assert again.sketched and dict(again) == dict(dist)
    exact = vd.Distribution({5.0: 1.0})
    vd.merge_into(exact, blob)
    assert exact.sketched and sum(exact.values()) == 1000.0
    twice = vd.decode(vd.encode(exact))
    vd.merge_into(twice, vd.encode(vd.Distribution()))
    assert dict(twice) == dict(exact)  # representatives map to themselves


@pytest.mark.parametrize("stat, ok", [
    ("p0", True), ("p100", True), ("p99.99", True), ("p100.1", False), ("tm99", True), ("TM(2%:98%)", True),
    ("tm(:95%)", True), ("wm(10%:)", True), ("TC(150:1000)", True), ("ts(5:)", True), ("PR(:300)", True),
    ("PR(100:2000)", True), ("PR(10%:)", False), ("tm(1%:5)", False), ("tm(:)", False), ("IQM", True),
    ("iqm", False), ("tm(90%:10%)", False), ("Average", False)])
def test_extended_statistic_syntax(stat, ok):
    assert check_extended_statistic(stat) is ok


def test_trimmed_statistics_split_a_sample_at_a_boundary():
    agg = Aggregate(0.0, 4.0, 10.0, 1.0, 4.0, "None", [(1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0)])
    assert statistic_value(agg, "tc(10%:90%)") == pytest.approx(3.2)
    assert statistic_value(agg, "tm(25%:75%)") == pytest.approx(2.5)
    assert statistic_value(agg, "PR(1:3)") == 50.0
    assert statistic_value(Aggregate(0.0, 1.0, 1.0, 1.0, 1.0, "None", []), "p50") is None


def test_tiers_by_age_and_alignment():
    now = 1_000_000_800.0  # on the hour
    assert align_start(now - 5 * DAY + 34, 60, now) == now - 5 * DAY
    assert serving_tier(now - 3600, 3600, int(now - 3600), now) == 3600
    assert serving_tier(now - 3600, 3600, int(now - 3600 + 60), now) == 60  # start not on the hour
    assert serving_tier(now - 20 * DAY, 60, int(now - 20 * DAY), now) is None  # minutes gone after 15 days
    assert serving_tier(now - 2 * 3600, 10, int(now - 2 * 3600), now) == 1
    assert serving_tier(now - 4 * 3600, 10, int(now - 4 * 3600), now) is None
