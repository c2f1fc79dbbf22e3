"""The model behind ANOMALY_DETECTION_BAND: the expected value of a metric at each timestamp
and a band of ``deviations`` standard deviations around it.

Overcast's model (AWS does not publish its own): for a point at time t, the training values are
the metric's values of the two weeks before t, outside the detector's excluded time ranges. When
at least three of them fall at the same time of day (daily seasonality), those are used;
otherwise all of them. With no history before t, the values of the queried range stand in. The
expected value is their mean, the spread their standard deviation (never less than 1% of the
mean's magnitude, so a flat metric still has a visible band)."""

from __future__ import annotations

import bisect
import math
import statistics

TRAINING_WINDOW = 14 * 86400
DAY = 86400
MIN_SEASONAL_SAMPLES = 3


def expected_band(timestamps: list[float], history: dict[float, float], deviations: float,
                  excluded: list[tuple[float, float]] = ()) -> tuple[dict[float, float], dict[float, float]]:
    """(lower, upper) points at each of ``timestamps`` from ``history`` (timestamp -> value).
    Prefix sums make each point O(log n): a day of minutes over two weeks of history is cheap."""
    usable = {t: v for t, v in history.items() if not any(s <= t < e for s, e in excluded)}
    ordered = sorted(usable)
    sums, squares = [0.0], [0.0]
    for stamp in ordered:
        sums.append(sums[-1] + usable[stamp])
        squares.append(squares[-1] + usable[stamp] ** 2)
    in_range = [usable[t] for t in timestamps if t in usable] or list(usable.values())
    lower: dict[float, float] = {}
    upper: dict[float, float] = {}
    for t in timestamps:
        seasonal = [usable[t - k * DAY] for k in range(1, TRAINING_WINDOW // DAY + 1) if t - k * DAY in usable]
        if len(seasonal) >= MIN_SEASONAL_SAMPLES:
            mean, spread = statistics.fmean(seasonal), statistics.pstdev(seasonal)
        else:
            first, last = bisect.bisect_left(ordered, t - TRAINING_WINDOW), bisect.bisect_left(ordered, t)
            count = last - first
            if count:
                mean = (sums[last] - sums[first]) / count
                spread = math.sqrt(max(0.0, (squares[last] - squares[first]) / count - mean * mean))
            elif in_range:
                mean, spread = statistics.fmean(in_range), statistics.pstdev(in_range)
            else:
                continue
        spread = max(spread, abs(mean) * 0.01, 1e-9)
        lower[t] = mean - deviations * spread
        upper[t] = mean + deviations * spread
    return lower, upper
