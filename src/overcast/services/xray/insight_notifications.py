"""Insight notifications: what X-Ray puts on EventBridge's default bus for a group with
InsightsConfiguration.NotificationsEnabled (source ``aws.xray``, detail-type ``AWS X-Ray
Insight Update``, delivered best effort; EventBridge events reference, "X-Ray events").

The detail is the insight as GetInsight shows it (InsightId, GroupName, RootCauseServiceId,
Categories, State, StartTime, EndTime once closed, Summary, the two impact statistics,
TopAnomalousServices) with the insight event that caused the notification under ``Event``;
times are epoch milliseconds. Overcast notifies when an insight opens and when it closes (the
minutes in between are recorded as insight events, not notified).
"""

from __future__ import annotations

SOURCE = "aws.xray"
DETAIL_TYPE = "AWS X-Ray Insight Update"
NOTIFIED = ("opened", "closed")
_INSIGHT_FIELDS = ("InsightId", "GroupName", "RootCauseServiceId", "Categories", "State", "StartTime", "EndTime",
                   "Summary", "ClientRequestImpactStatistics", "RootCauseServiceRequestImpactStatistics",
                   "TopAnomalousServices")
_TIMES = ("StartTime", "EndTime", "EventTime")


def insight_update(insight: dict, event: dict) -> dict:
    """The event's detail for ``insight`` after its insight event ``event``."""
    detail = {key: insight[key] for key in _INSIGHT_FIELDS if key in insight}
    detail["Event"] = dict(event)
    for part in (detail, detail["Event"]):
        for key in _TIMES:
            if key in part:
                part[key] = int(round(part[key] * 1000))
    return detail


def publish_insight_updates(cloud, scope, notices: list[tuple[dict, dict]]) -> None:
    """Publish the (insight, insight event) pairs a detection run collected."""
    for insight, event in notices:
        cloud.service_events.publish(scope, source=SOURCE, detail_type=DETAIL_TYPE,
                                     detail=insight_update(insight, event), resources=[insight["GroupARN"]],
                                     time=event["EventTime"])
