"""Amazon CloudWatch: the provider is composed of one class per concern, each in its own module.

| module | operations |
|---|---|
| ``metrics.py`` (``MetricOperations``) | PutMetricData, GetMetricStatistics, ListMetrics |
| ``metric_data.py`` (``MetricDataOperations``) | GetMetricData, GetMetricWidgetImage |
| ``alarms.py`` (``AlarmOperations``) | the alarm operations |
| ``anomaly_detectors.py`` (``AnomalyDetectorOperations``) | Put/Describe/DeleteAnomalyDetector |
| ``dashboards.py`` (``DashboardOperations``) | PutDashboard, GetDashboard, ListDashboards, DeleteDashboards |
| ``tags.py`` (``TagOperations``) | TagResource, UntagResource, ListTagsForResource |

``metric_store`` (``metric_store.MetricStore``) holds the datapoints; ``authority.py`` is
CloudWatch's side of strict-mode authorization.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.cloudwatch.alarms import AlarmOperations
from overcast.services.cloudwatch.anomaly_detectors import AnomalyDetectorOperations
from overcast.services.cloudwatch.authority import CloudWatchAuthority
from overcast.services.cloudwatch.dashboards import DashboardOperations
from overcast.services.cloudwatch.metric_data import MetricDataOperations
from overcast.services.cloudwatch.metric_store import MetricStore
from overcast.services.cloudwatch.metrics import MetricOperations
from overcast.services.cloudwatch.request_checks import CHECKS as REQUEST_CHECKS
from overcast.services.cloudwatch.schema import MIGRATIONS
from overcast.services.cloudwatch.tags import TagOperations


class Provider(MetricOperations, MetricDataOperations, AlarmOperations, AnomalyDetectorOperations,
               DashboardOperations, TagOperations, CloudWatchAuthority, BaseProvider):
    service_name = "cloudwatch"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        super().__init__(cloud)
        self._metric_store: MetricStore | None = None

    @property
    def metric_store(self) -> MetricStore:
        """The datapoints (opened on first use)."""
        if self._metric_store is None:
            self._metric_store = MetricStore(self.db, self.clock)
        return self._metric_store

    def validate_request(self, ctx, params: dict) -> None:
        """Strict mode: a request's own parameters are checked before it is authorized, as
        CloudWatch orders them (the operations check them again in open mode)."""
        check = REQUEST_CHECKS.get(ctx.operation)
        if check is not None:
            check(params, self.clock.now(), ctx.region)

    def reset(self) -> None:
        super().reset()
        if self._metric_store is not None:
            self._metric_store.forget_cache()
