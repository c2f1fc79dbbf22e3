"""PutMetricData, GetMetricStatistics, ListMetrics, and the internal writes of AWS/ metrics."""

from __future__ import annotations

from overcast.services.cloudwatch import query_checks
from overcast.services.cloudwatch.listing import list_metrics_page
from overcast.services.cloudwatch.request_checks import check_put_metric_data
from overcast.services.cloudwatch.statistics import statistic_value
from overcast.services.cloudwatch.validation import check_datum
from overcast.storage.scope import Scope


class MetricOperations:
    """The metric operations of the CloudWatch provider."""

    def put_metric_data(self, ctx, params: dict) -> dict:
        self.metric_store.put_many(Scope.of(ctx), check_put_metric_data(params, self.clock.now()))
        return {}

    def put_service_metrics(self, scope, namespace: str, datum_list: list[dict]) -> None:
        """Overcast's own services publish their AWS/ metrics here (no reservation check)."""
        now = self.clock.now()
        data = [check_datum(datum, f"MetricData.member.{i}", now) for i, datum in enumerate(datum_list, 1)]
        self.metric_store.put_many(scope, [(namespace, *datum) for datum in data])

    def get_metric_statistics(self, ctx, params: dict) -> dict:
        query = query_checks.check_statistics_query(params, self.clock.now())
        aggregates = self.metric_store.aggregates(
            Scope.of(ctx), query.namespace, query.name, query.dimensions, query.start, query.end, query.period,
            unit=query.unit, need_distribution=bool(query.extended))
        datapoints = []
        for aggregate in aggregates:
            point = {"Timestamp": aggregate.timestamp, "Unit": aggregate.unit}
            for stat in query.statistics:
                value = statistic_value(aggregate, stat)
                if value is not None:
                    point[stat] = value
            if query.extended:
                extended = {}
                for stat in query.extended:
                    value = statistic_value(aggregate, stat)
                    if value is not None:
                        extended[stat] = value
                point["ExtendedStatistics"] = extended
            datapoints.append(point)
        # AWS returns the datapoints in no particular order; Overcast sorts them by time
        return {"Label": query.name, "Datapoints": datapoints}

    def list_metrics(self, ctx, params: dict) -> dict:
        return list_metrics_page(self.metric_store, Scope.of(ctx), ctx.account, params, self.clock.now())

