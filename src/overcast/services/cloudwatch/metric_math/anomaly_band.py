"""The model behind ANOMALY_DETECTION_BAND: the expected value of a metric at each timestamp
and a band of ``deviations`` standard deviations around it.

Overcast's model (AWS does not publish its own): for a point at time t, the training values are
the metric's values of the two weeks before t, outside the detector's excluded time ranges. When
at least three of them fall at the same time of day (daily seasonality), those are used;
otherwise all of them. With no history before t, the values of the queried range stand in. The
expected value is their mean, the spread their standard deviation (never less than 1% of the
mean's magnitude, so a flat metric still has a visible band)."""

from __future__ import annotations

import statistics

TRAINING_WINDOW = 14 * 86400
DAY = 86400
MIN_SEASONAL_SAMPLES = 3


def expected_band(timestamps: list[float], history: dict[float, float], deviations: float,
                  excluded: list[tuple[float, float]] = ()) -> tuple[dict[float, float], dict[float, float]]:
    """(lower, upper) points at each of ``timestamps`` from ``history`` (timestamp -> value)."""
    usable = {t: v for t, v in history.items() if not any(s <= t < e for s, e in excluded)}
    ordered = sorted(usable)
    lower: dict[float, float] = {}
    upper: dict[float, float] = {}
    in_range = [usable[t] for t in timestamps if t in usable] or list(usable.values())
    for t in timestamps:
        before = [s for s in ordered if t - TRAINING_WINDOW <= s < t]
        seasonal = [usable[s] for s in before if (t - s) % DAY == 0]
        sample = seasonal if len(seasonal) >= MIN_SEASONAL_SAMPLES else [usable[s] for s in before]
        if not sample:
            sample = in_range
        if not sample:
            continue
        mean = statistics.fmean(sample)
        spread = max(statistics.pstdev(sample), abs(mean) * 0.01, 1e-9)
        lower[t] = mean - deviations * spread
        upper[t] = mean + deviations * spread
    return lower, upper
