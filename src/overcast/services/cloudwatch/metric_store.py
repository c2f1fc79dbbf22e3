"""The metric store: datapoints in, per-period aggregates out.

Every datapoint is folded at ingestion into one rollup row per resolution tier it is kept at
(``retention.py``): the 1 s tier for high-resolution data, then 60 s, 300 s and 3600 s for
all data. A query reads the coarsest tier that serves its period, so GetMetricStatistics over
a year of data reads at most one row per period and unit, however many points were put.

The write path keeps the rows it last wrote in memory (``_open``), so a PutMetricData turns
into one ``executemany`` upsert without reading the rows back; a row not in memory is read
once. Rows are written inside the caller's request, so the group commit covers them: a
datapoint acknowledged is committed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field

from overcast.services.cloudwatch import value_distribution as vd
from overcast.services.cloudwatch.retention import RETENTION, align_start, serving_tier

# ListMetrics only lists metrics with a datapoint in the past two weeks (AWS).
LISTING_WINDOW = 14 * 86400
# A metric's last_put is rewritten at most this often (ListMetrics' RecentlyActive is PT3H).
_LAST_PUT_GRANULARITY = 60.0
_OPEN_ROWS_LIMIT = 50_000
_PRUNE_EVERY = 60.0

_UPSERT = (
    "INSERT INTO rollups (metric_id, resolution, bucket, unit, high_res, sample_count, total, minimum,"
    " maximum, distribution) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (metric_id, resolution, bucket, unit, high_res) DO UPDATE SET"
    " sample_count = excluded.sample_count, total = excluded.total, minimum = excluded.minimum,"
    " maximum = excluded.maximum, distribution = excluded.distribution"
)


@dataclass
class Aggregate:
    """One period's statistics of one metric (for one unit)."""

    timestamp: float  # start of the period (epoch s, aligned as AWS aligns)
    sample_count: float
    total: float
    minimum: float
    maximum: float
    unit: str | None
    # (value, count) pairs sorted by value; empty when percentiles are unavailable (a
    # statistic set that is not a repeated single value) or when not asked for
    distribution: list[tuple[float, float]] = field(default_factory=list)


def canonical_dimensions(dimensions: dict[str, str]) -> str:
    """A dimension set's identity: order does not matter to CloudWatch."""
    return json.dumps(sorted(dimensions.items()), separators=(",", ":"))


def metric_id(scope, namespace: str, name: str, dimensions: dict[str, str]) -> int:
    """A 63-bit id of the metric within its scope (fits SQLite's and PostgreSQL's INTEGER)."""
    key = json.dumps([scope[0], scope[1], namespace, name, canonical_dimensions(dimensions)])
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1


class _Bucket:
    """A rollup row being written: the exact statistics and the distribution (None: no
    percentiles for this bucket)."""

    __slots__ = ("count", "total", "minimum", "maximum", "dist")

    def __init__(self, count=0.0, total=0.0, minimum=math.inf, maximum=-math.inf, dist=None):
        self.count, self.total, self.minimum, self.maximum, self.dist = count, total, minimum, maximum, dist

    def row(self, key) -> tuple:
        blob = vd.encode(self.dist) if self.dist is not None else None
        return (*key, self.count, self.total, self.minimum, self.maximum, blob)


class MetricStore:
    """The metrics of every scope, in the CloudWatch provider's database."""

    def __init__(self, db, clock):
        self.db = db
        self.clock = clock
        self._open: dict[tuple, _Bucket] = {}
        self._last_put: dict[int, float] = {}
        self._pruned_at = -math.inf

    def forget_cache(self) -> None:
        self._open.clear()
        self._last_put.clear()
        self._pruned_at = -math.inf

    # -- writing ---------------------------------------------------------------------------

    def put(self, scope, namespace, name, dimensions: dict[str, str], timestamp, values: list[float],
            counts: list[float], unit, storage_resolution, statistic_values: dict | None = None) -> None:
        """Store one datum: ``values`` with their ``counts`` (or a statistic set)."""
        self.put_many(scope, [(namespace, name, dimensions, timestamp, values, counts, unit, storage_resolution,
                               statistic_values)])

    def put_many(self, scope, data) -> None:
        """Store several data at once (tuples of ``put``'s arguments after scope), in one
        transaction and one upsert."""
        now = self.clock.now()
        touched: dict[tuple, _Bucket] = {}
        metrics = []
        try:
            for namespace, name, dimensions, timestamp, values, counts, unit, resolution, stats in data:
                mid = metric_id(scope, namespace, name, dimensions)
                if self._last_put.get(mid, -math.inf) < now - _LAST_PUT_GRANULARITY:
                    metrics.append((*scope, mid, namespace, name, canonical_dimensions(dimensions), now))
                self._fold(mid, float(timestamp), values, counts, unit or "None", resolution == 1, stats, now,
                           touched)
            self._write(metrics, touched, now)
        except Exception:
            self.forget_cache()  # the rows in memory may hold what was not written
            raise
        for row in metrics:
            self._last_put[row[2]] = now
        if len(self._open) > _OPEN_ROWS_LIMIT:
            self._open.clear()

    def _write(self, metrics, touched, now) -> None:
        with self.db.transaction():
            if metrics:
                self.db.executemany(
                    "INSERT INTO metrics (account, region, metric_id, namespace, name, dimensions, last_put)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, metric_id)"
                    " DO UPDATE SET last_put = excluded.last_put", metrics)
            self.db.executemany(_UPSERT, [bucket.row(key) for key, bucket in touched.items()])
            if now - self._pruned_at >= _PRUNE_EVERY:
                self.prune(now)

    def _fold(self, mid, timestamp, values, counts, unit, high_res, stats, now, touched) -> None:
        if stats is not None:
            n, total = float(stats["SampleCount"]), float(stats["Sum"])
            low, high = float(stats["Minimum"]), float(stats["Maximum"])
            # AWS: percentiles of a statistic set exist only when it is one value repeated
            single = n > 0 and low == high and math.isclose(total, low * n, rel_tol=1e-9, abs_tol=1e-9)
            dist = vd.Distribution({low: n}) if single else None
        else:
            dist = vd.Distribution()
            vd.add(dist, values, counts)
            n = sum(dist.values())
            total = math.fsum(v * c for v, c in dist.items())
            low, high = min(dist), max(dist)
            if low < 0:
                dist = None  # AWS: no percentiles for a metric with negative values
        for tier in ((1, 60, 300, 3600) if high_res else (60, 300, 3600)):
            bucket_start = int(timestamp // tier) * tier
            if bucket_start < now - RETENTION[tier] - tier:
                continue  # already older than the tier keeps
            key = (mid, tier, bucket_start, unit, 1 if high_res and tier <= 60 else 0)
            bucket = touched.get(key) or self._open.get(key) or self._load(key)
            bucket.count += n
            bucket.total += total
            bucket.minimum = min(bucket.minimum, low)
            bucket.maximum = max(bucket.maximum, high)
            if dist is None or bucket.dist is None:
                bucket.dist = None
            else:
                if dist.sketched and not bucket.dist.sketched:
                    vd.compress(bucket.dist)
                vd.add(bucket.dist, dist.keys(), dist.values())
            touched[key] = bucket
            self._open[key] = bucket

    def _load(self, key) -> _Bucket:
        row = self.db.query_one(
            "SELECT sample_count, total, minimum, maximum, distribution FROM rollups WHERE metric_id = ?"
            " AND resolution = ? AND bucket = ? AND unit = ? AND high_res = ?", key)
        if row is None:
            return _Bucket(dist=vd.Distribution())
        return _Bucket(row[0], row[1], row[2], row[3], vd.decode(row[4]) if row[4] is not None else None)

    def prune(self, now: float) -> None:
        """Drop what each tier no longer keeps (on the cloud clock), and metrics with no
        datapoint left at all."""
        self._pruned_at = now
        for tier, keep in RETENTION.items():
            self.db.execute("DELETE FROM rollups WHERE resolution = ? AND bucket < ?", (tier, now - keep - tier))
        self.db.execute("DELETE FROM metrics WHERE last_put < ?", (now - RETENTION[3600],))
        self._open.clear()

    # -- reading ---------------------------------------------------------------------------

    def aggregates(self, scope, namespace, name, dimensions: dict[str, str], start, end, period,
                   unit: str | None = None, need_distribution: bool = True) -> list[Aggregate]:
        """Each period's statistics between ``start`` (aligned as GetMetricStatistics aligns it)
        and ``end`` (exclusive), one Aggregate per period and unit that has data, ascending by
        timestamp. ``need_distribution=False`` skips the distributions (faster)."""
        now = self.clock.now()
        period = int(period)
        first = align_start(float(start), period, now)
        mid = metric_id(scope, namespace, name, dimensions)
        # consecutive periods served by the same tier are read with one query
        runs: list[list] = []
        t = first
        while t < end:
            tier = serving_tier(t, period, first, now)
            if tier is not None:
                if runs and runs[-1][0] == tier and runs[-1][2] == t:
                    runs[-1][2] = t + period
                else:
                    runs.append([tier, t, t + period])
            t += period
        folded: dict[tuple[int, str], _Bucket] = {}
        for tier, lo, hi in runs:
            hi = min(hi, end)
            for row in self._rows(mid, tier, lo, hi, unit, need_distribution, now):
                bucket_start, row_unit, count, total, low, high, blob = row
                index = first + ((bucket_start - first) // period) * period
                acc = folded.get((index, row_unit))
                if acc is None:
                    acc = folded[(index, row_unit)] = _Bucket(dist=vd.Distribution() if need_distribution else None)
                acc.count += count
                acc.total += total
                acc.minimum = min(acc.minimum, low)
                acc.maximum = max(acc.maximum, high)
                if need_distribution:
                    if blob is None or acc.dist is None:
                        acc.dist = None
                    else:
                        vd.merge_into(acc.dist, blob)
        out = []
        for (stamp, row_unit), acc in sorted(folded.items()):
            dist = sorted(acc.dist.items()) if acc.dist else []
            out.append(Aggregate(float(stamp), acc.count, acc.total, acc.minimum, acc.maximum, row_unit, dist))
        return out

    def _rows(self, mid, tier, lo, hi, unit, need_distribution, now):
        blob = "distribution" if need_distribution else "NULL"
        columns = f"bucket, unit, sample_count, total, minimum, maximum, {blob}"
        unit_clause, unit_args = (" AND unit = ?", (unit,)) if unit is not None else ("", ())
        if tier != 1:
            return self.db.query(
                f"SELECT {columns} FROM rollups WHERE metric_id = ? AND resolution = ? AND bucket >= ?"
                f" AND bucket < ?{unit_clause}", (mid, tier, lo, hi, *unit_args))
        # sub-minute periods: high-resolution data from the 1 s tier, the rest from the 60 s
        # tier (standard-resolution datapoints are minute datapoints)
        high = self.db.query(
            f"SELECT {columns} FROM rollups WHERE metric_id = ? AND resolution = 1 AND bucket >= ?"
            f" AND bucket < ?{unit_clause}", (mid, lo, hi, *unit_args))
        standard = self.db.query(
            f"SELECT {columns} FROM rollups WHERE metric_id = ? AND resolution = 60 AND high_res = 0"
            f" AND bucket >= ? AND bucket < ?{unit_clause}", (mid, lo, hi, *unit_args))
        return high + standard

    # -- listing ---------------------------------------------------------------------------

    def list_metrics(self, scope, namespace=None, name=None, dimension_filters=None,
                     recently_active_since=None) -> list[tuple[str, str, dict[str, str]]]:
        """The metrics with a datapoint put in the past two weeks (or since
        ``recently_active_since``), filtered as ListMetrics filters, sorted by namespace, name
        and dimensions."""
        now = self.clock.now()
        since = max(now - LISTING_WINDOW, recently_active_since or -math.inf)
        sql = "SELECT namespace, name, dimensions FROM metrics WHERE account = ? AND region = ? AND last_put >= ?"
        args: list = [*scope, since]
        if namespace is not None:
            sql += " AND namespace = ?"
            args.append(namespace)
        if name is not None:
            sql += " AND name = ?"
            args.append(name)
        wanted = [(f["Name"], f.get("Value")) for f in dimension_filters or ()]
        out = []
        for row_namespace, row_name, dims_json in self.db.query(sql, args):
            dims = dict(json.loads(dims_json))
            if all(key in dims and (value is None or dims[key] == value) for key, value in wanted):
                out.append((row_namespace, row_name, dims))
        out.sort(key=lambda m: (m[0], m[1], sorted(m[2].items())))
        return out
