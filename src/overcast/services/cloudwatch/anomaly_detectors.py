"""PutAnomalyDetector, DescribeAnomalyDetectors, DeleteAnomalyDetector, and the detectors'
configuration for the ANOMALY_DETECTION_BAND model (``provider.anomaly_detector_config``).

A detector is identified by its metric and statistic (single metric) or its queries (metric
math); putting it again replaces its configuration (excluded time ranges, time zone, periodic
spikes). Its StateValue is PENDING_TRAINING until its metric has data of the last two weeks
(the training window of ``metric_math/anomaly_band.py``), TRAINED after.
"""

from __future__ import annotations

import json
from datetime import datetime

from overcast.errors import AwsError
from overcast.services.cloudwatch.alarm_paging import page
from overcast.services.cloudwatch.metric_math.anomaly_band import TRAINING_WINDOW
from overcast.storage.scope import Scope

MAX_EXCLUDED_RANGES = 10  # "You can specify as many as 10 time ranges" (AnomalyDetectorConfiguration)
SINGLE, MATH = "SINGLE_METRIC", "METRIC_MATH"


def _error(code: str, message: str, status: int = 400) -> AwsError:
    return AwsError(code, message, status)


def _epoch(value) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _dimension_list(dimensions) -> list[dict]:
    if isinstance(dimensions, dict):
        return [{"Name": k, "Value": v} for k, v in sorted(dimensions.items())]
    return sorted(({"Name": d["Name"], "Value": d["Value"]} for d in dimensions or []), key=lambda d: d["Name"])


def single_identity(namespace, name, dimensions, stat) -> str:
    return json.dumps(["single", namespace, name, [[d["Name"], d["Value"]] for d in _dimension_list(dimensions)], stat],
                      separators=(",", ":"))


class AnomalyDetectorOperations:
    """The anomaly detector operations of the CloudWatch provider."""

    def _detector_target(self, params: dict, verb: str) -> tuple[str, dict]:
        """(identity, the detector's SingleMetricAnomalyDetector/MetricMathAnomalyDetector part)."""
        legacy = {k: params[k] for k in ("Namespace", "MetricName", "Dimensions", "Stat") if params.get(k) is not None}
        single, math = params.get("SingleMetricAnomalyDetector"), params.get("MetricMathAnomalyDetector")
        if sum(1 for part in (legacy, single, math) if part) > 1:
            raise _error("InvalidParameterCombination", "Exactly one of the parameter sets Namespace/MetricName/"
                         "Dimensions/Stat, SingleMetricAnomalyDetector and MetricMathAnomalyDetector must be "
                         "specified.")
        if math:
            queries = math.get("MetricDataQueries") or []
            if not queries:
                raise _error("MissingParameter", "The parameter MetricMathAnomalyDetector.MetricDataQueries is "
                             "required.")
            shown = {"MetricDataQueries": queries}
            return json.dumps(["math", queries], sort_keys=True, default=str, separators=(",", ":")), shown
        part = single or legacy
        for key in ("Namespace", "MetricName", "Stat"):
            if not part.get(key):
                path = f"SingleMetricAnomalyDetector.{key}" if single else key
                raise _error("MissingParameter", f"The parameter {path} is required.")
        shown = {k: part[k] for k in ("AccountId", "Namespace", "MetricName") if part.get(k) is not None}
        shown["Dimensions"] = _dimension_list(part.get("Dimensions"))
        shown["Stat"] = part["Stat"]
        return single_identity(part["Namespace"], part["MetricName"], part.get("Dimensions"), part["Stat"]), shown

    def put_anomaly_detector(self, ctx, params: dict) -> dict:
        identity, target = self._detector_target(params, "put")
        configuration = params.get("Configuration") or {}
        ranges = configuration.get("ExcludedTimeRanges") or []
        if len(ranges) > MAX_EXCLUDED_RANGES:
            raise _error("InvalidParameterValue", f"The collection Configuration.ExcludedTimeRanges must not have a "
                         f"size greater than {MAX_EXCLUDED_RANGES}.")
        for i, time_range in enumerate(ranges, 1):
            if _epoch(time_range["StartTime"]) >= _epoch(time_range["EndTime"]):
                raise _error("InvalidParameterValue", f"The parameter Configuration.ExcludedTimeRanges.member.{i}."
                             "EndTime must be after the StartTime.")
        stored = {"Configuration": {
            "ExcludedTimeRanges": [{"StartTime": _epoch(r["StartTime"]), "EndTime": _epoch(r["EndTime"])}
                                   for r in ranges]}}
        if configuration.get("MetricTimezone") is not None:
            stored["Configuration"]["MetricTimezone"] = configuration["MetricTimezone"]
        characteristics = params.get("MetricCharacteristics")
        if characteristics is not None:
            stored["MetricCharacteristics"] = {"PeriodicSpikes": bool(characteristics.get("PeriodicSpikes"))}
        key = "MetricMathAnomalyDetector" if "MetricDataQueries" in target else "SingleMetricAnomalyDetector"
        stored[key] = target
        scope = Scope.of(ctx)
        self.db.execute("INSERT INTO anomaly_detectors (account, region, identity, config) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (account, region, identity) DO UPDATE SET config = excluded.config",
                        (*scope, identity, json.dumps(stored)))
        return {}

    def delete_anomaly_detector(self, ctx, params: dict) -> dict:
        identity, _ = self._detector_target(params, "delete")
        deleted = self.db.execute("DELETE FROM anomaly_detectors WHERE account = ? AND region = ? AND identity = ?",
                                  (*Scope.of(ctx), identity))
        if not deleted:
            raise _error("ResourceNotFoundException", "This anomaly detection model does not exist", 404)
        return {}

    def describe_anomaly_detectors(self, ctx, params: dict) -> dict:
        size = params.get("MaxResults") or 100
        if not 1 <= size <= 100:
            raise _error("InvalidParameterValue", f"The value {size} for parameter MaxResults is invalid.")
        types = params.get("AnomalyDetectorTypes") or [SINGLE]
        for kind in types:
            if kind not in (SINGLE, MATH):
                raise _error("InvalidParameterValue", f"The parameter AnomalyDetectorTypes must be a value in the set "
                             f"[ {SINGLE}, {MATH} ].")
        scope = Scope.of(ctx)
        rows = self.db.query("SELECT identity, config FROM anomaly_detectors WHERE account = ? AND region = ? "
                             "ORDER BY identity", scope)
        wanted_dims = [(d["Name"], d["Value"]) for d in params.get("Dimensions") or []]
        detectors = []
        for _, text in rows:
            stored = json.loads(text)
            single = stored.get("SingleMetricAnomalyDetector")
            if (SINGLE if single else MATH) not in types:
                continue
            if single:
                if params.get("Namespace") and single["Namespace"] != params["Namespace"]:
                    continue
                if params.get("MetricName") and single["MetricName"] != params["MetricName"]:
                    continue
                dims = [(d["Name"], d["Value"]) for d in single["Dimensions"]]
                if wanted_dims and not all(d in dims for d in wanted_dims):
                    continue
            detectors.append(self._detector_view(scope, stored))
        fingerprint = json.dumps({k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")},
                                 sort_keys=True, default=str)
        chunk, token = page(detectors, params, size, fingerprint)
        out: dict = {"AnomalyDetectors": chunk}
        if token:
            out["NextToken"] = token
        return out

    def _detector_view(self, scope, stored: dict) -> dict:
        view: dict = {}
        single = stored.get("SingleMetricAnomalyDetector")
        if single:  # the deprecated top-level fields are still answered
            view.update({"Namespace": single["Namespace"], "MetricName": single["MetricName"],
                         "Dimensions": single["Dimensions"], "Stat": single["Stat"]})
        view["Configuration"] = stored["Configuration"]
        view["StateValue"] = self._training_state(scope, single)
        if "MetricCharacteristics" in stored:
            view["MetricCharacteristics"] = stored["MetricCharacteristics"]
        for key in ("SingleMetricAnomalyDetector", "MetricMathAnomalyDetector"):
            if key in stored:
                view[key] = stored[key]
        return view

    def _training_state(self, scope, single: dict | None) -> str:
        if not single:
            return "TRAINED"
        now = self.clock.now()
        dims = {d["Name"]: d["Value"] for d in single["Dimensions"]}
        data = self.metric_store.aggregates(scope, single["Namespace"], single["MetricName"], dims,
                                            now - TRAINING_WINDOW, now, 3600, need_distribution=False)
        return "TRAINED" if data else "PENDING_TRAINING"

    def anomaly_detector_config(self, scope, namespace, name, dimensions, stat) -> dict | None:
        """The stored detector of a metric and statistic (the band model reads its excluded
        time ranges), or None."""
        row = self.db.query_one("SELECT config FROM anomaly_detectors WHERE account = ? AND region = ? AND identity = ?",
                                (*scope, single_identity(namespace, name, dimensions, stat)))
        return json.loads(row[0]) if row else None
