"""The value distribution a rollup keeps for percentiles and the trimmed statistics.

A bucket keeps its values exactly, as (value, count) pairs, while it holds at most
``EXACT_LIMIT`` distinct values. Beyond that it becomes a logarithmic sketch: each value is
replaced by the representative of its bucket ``k = ceil(log_gamma |v|)``, which is within
``RELATIVE_ERROR`` (1%) of every value of the bucket; zero keeps a bucket of its own and
negative values mirror the positive ones. AWS computes its percentiles from a sketch too, so
a percentile of a busy bucket may differ from the exact one by that much; the minimum,
maximum, sum and sample count are always exact (they are kept beside the distribution).

Mapping a representative again gives the same representative, so merging sketches (a minute
into its hour, two PutMetricData calls into one minute) never drifts.

Stored as a BLOB of native doubles, value and count interleaved, sorted by value.
"""

from __future__ import annotations

import math
from array import array

EXACT_LIMIT = 256
RELATIVE_ERROR = 0.01
_GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)
_LOG_GAMMA = math.log(_GAMMA)
_MID = 2 * _GAMMA / (_GAMMA + 1)  # representative of bucket k: gamma**(k-1) * this (its midpoint)


def _representative(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    magnitude = abs(value)
    key = math.ceil(math.log(magnitude) / _LOG_GAMMA)
    rep = _GAMMA ** (key - 1) * _MID
    return rep if value > 0 else -rep


class Distribution(dict):
    """{value: count}, and whether it is a sketch already (then new values go straight to
    their bucket, and no pass over the whole distribution is ever made again)."""

    __slots__ = ("sketched",)

    def __init__(self, *args):
        super().__init__(*args)
        self.sketched = False


def add(counts: Distribution, values, weights=None) -> None:
    """Add values (with counts, 1 each by default) to a distribution."""
    get = counts.get
    if weights is None:
        weights = (1.0 for _ in values)
    if counts.sketched:
        for value, weight in zip(values, weights):
            rep = _representative(value)
            counts[rep] = get(rep, 0.0) + weight
        return
    for value, weight in zip(values, weights):
        counts[value] = get(value, 0.0) + weight
    if len(counts) > EXACT_LIMIT:
        compress(counts)


def compress(counts: Distribution) -> None:
    """Turn an exact distribution into the sketch (in place)."""
    sketched: dict[float, float] = {}
    for value, weight in counts.items():
        rep = _representative(value)
        sketched[rep] = sketched.get(rep, 0.0) + weight
    counts.clear()
    counts.update(sketched)
    counts.sketched = True


# a sketch's blob ends with this pair (a NaN value never occurs: PutMetricData refuses NaN)
_SKETCH_MARK = (math.nan, 0.0)


def encode(counts: Distribution) -> bytes:
    flat = [x for value in sorted(counts) for x in (value, counts[value])]
    if counts.sketched:
        flat.extend(_SKETCH_MARK)
    return array("d", flat).tobytes()


def _pairs(blob: bytes) -> tuple[array, array, bool]:
    flat = array("d")
    flat.frombytes(blob)
    sketched = len(flat) >= 2 and math.isnan(flat[-2])
    if sketched:
        del flat[-2:]
    return flat[0::2], flat[1::2], sketched


def decode(blob: bytes) -> Distribution:
    values, weights, sketched = _pairs(blob)
    out = Distribution(zip(values, weights))
    out.sketched = sketched
    return out


def merge_into(counts: Distribution, blob: bytes) -> None:
    """Add a stored distribution into ``counts``."""
    values, weights, sketched = _pairs(blob)
    if sketched and not counts.sketched:
        compress(counts)
    add(counts, values, weights)
