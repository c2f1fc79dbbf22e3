"""The insight detector: for every group with InsightsEnabled, each minute of the cloud clock,
the fault rate of each service among the group's traces is compared with that service's
baseline, and an abnormal rise held for a few minutes becomes an insight.

The rule (Overcast's; X-Ray's own model is not published):

- A minute is evaluated once it is over and ``LAG_SECONDS`` more have passed (segments reach
  X-Ray in batches). Its requests are the segments of the group's traces that ended in it,
  per service (segment ``name`` and ``origin``); its client requests are the traces' entry
  segments that ended in it.
- The baseline is the service's fault rate over the ``BASELINE_MINUTES`` before, counting
  only minutes that were not anomalous (none yet: 0).
- A minute is anomalous for a service with at least ``MIN_REQUESTS`` requests and
  ``MIN_FAULTS`` faults whose fault rate is ``RISE`` (10 points) or more above its baseline.
- ``OPEN_AFTER`` anomalous minutes in a row open an insight (category FAULT, state ACTIVE,
  starting with the first of them), the service as its root cause; each further anomalous
  minute updates it and records an event; ``CLOSE_AFTER`` minutes in a row that are not
  anomalous (no traffic counts as calm) close it (state CLOSED, ending with its last
  anomalous minute). Nothing anomalous, no insight.

A group with NotificationsEnabled also sends each insight's opening and closing to
EventBridge's default bus (``insight_notifications.py``), once the run's rows are committed.
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from types import SimpleNamespace

from overcast.services.xray.filters import parse_filter
from overcast.services.xray.insight_notifications import NOTIFIED, publish_insight_updates
from overcast.services.xray.trace_view import TraceView
from overcast.services.xray.windows import candidate_traces, load_traces

MINUTE = 60
LAG_SECONDS = 60
BASELINE_MINUTES = 30
MIN_REQUESTS = 5
MIN_FAULTS = 3
RISE = 0.10
OPEN_AFTER = 2
CLOSE_AFTER = 3
# A detector that was not running (server down, insights off) catches up at most this far,
# and at most this many minutes a run (the work runs on the event loop: later runs go on).
MAX_CATCH_UP_MINUTES = 360
MINUTES_PER_RUN = 60
log = logging.getLogger("overcast.xray.insights")

CLIENTS = ""  # the service key of the group's clients (the traces' entry points)


def _ended_in(doc: dict, minute: float) -> bool:
    end = doc.get("end_time")
    return (doc.get("in_progress") is not True and isinstance(end, (int, float))
            and minute <= end < minute + MINUTE)


def service_key(doc: dict) -> str:
    origin = doc.get("origin") if isinstance(doc.get("origin"), str) else None
    return json.dumps([str(doc.get("name")), origin])


def service_id(key: str, account: str) -> dict:
    name, type_ = json.loads(key)
    out = {"Name": name, "Names": [name], "AccountId": account}
    if type_:
        out["Type"] = type_
    return out


def minute_counts(views, minute: float) -> dict[str, list[int]]:
    """service key -> [requests, faults] of the segments that ended in the minute, and the
    clients' under ``CLIENTS``."""
    counts: dict[str, list[int]] = {}

    def count(key: str, doc: dict) -> None:
        entry = counts.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += 1 if doc.get("fault") is True else 0

    for view in views:
        for segment in view.segments:
            if _ended_in(segment, minute):
                count(service_key(segment), segment)
        if view.root is not None and _ended_in(view.root, minute):
            count(CLIENTS, view.root)
    return counts


def impact(total: int, faults: int) -> dict:
    return {"FaultCount": faults, "OkCount": total - faults, "TotalCount": total}


class InsightDetection:
    """The detector's periodic job, mixed into the provider (reads ``self.db``, the groups and
    the segment store)."""

    # Whether some group may have insights enabled: False only after a look found none and no
    # group changed since, so the job costs nothing (no query) while insights are off
    # everywhere, however far the clock moves.
    insights_maybe_enabled = True

    def groups_changed(self) -> None:
        self.insights_maybe_enabled = True

    def forget_group_insights(self, account: str, region: str, arn: str) -> None:
        """A deleted group takes its insights, their events and the detector's counts along."""
        ids = [r[0] for r in self.db.query("SELECT id FROM insights WHERE account = ? AND region = ? AND group_arn = ?",
                                           (account, region, arn))]
        for insight_id in ids:
            self.db.execute("DELETE FROM insight_events WHERE account = ? AND region = ? AND insight_id = ?",
                            (account, region, insight_id))
        for table in ("insights", "insight_minutes", "insight_state"):
            self.db.execute(f"DELETE FROM {table} WHERE account = ? AND region = ? AND group_arn = ?",
                            (account, region, arn))

    def detect_insights(self) -> None:
        if not self.insights_maybe_enabled:
            return
        now = self.clock.now()
        watched = [(account, region, group) for account, region, group in
                   ((a, r, json.loads(b)) for a, r, b in self.db.query("SELECT account, region, body FROM groups"))
                   if (group.get("InsightsConfiguration") or {}).get("InsightsEnabled")]
        self.insights_maybe_enabled = bool(watched)
        for account, region, group in watched:
            try:
                self._detect_for_group(account, region, group, now)
            except Exception:  # noqa: BLE001 - one group's failure must not stop the others' insights
                log.exception("insight detection failed for %s", group.get("GroupARN"))

    def _detect_for_group(self, account: str, region: str, group: dict, now: float) -> None:
        arn = group["GroupARN"]
        row = self.db.query_one("SELECT body FROM insight_state WHERE account = ? AND region = ? AND group_arn = ?",
                                (account, region, arn))
        last_due = math.floor((now - LAG_SECONDS) / MINUTE) * MINUTE - MINUTE  # the last minute that is over
        if row is None:  # first sight: read the baseline's minutes back from the stored segments
            state = {"last": last_due - BASELINE_MINUTES * MINUTE, "streaks": {}, "open": {}, "calm": {}}
        else:
            state = json.loads(row[0])
        minute = max(state["last"] + MINUTE, last_due - MAX_CATCH_UP_MINUTES * MINUTE)
        last_due = min(last_due, minute + (MINUTES_PER_RUN - 1) * MINUTE)
        if minute > last_due:
            return
        notify = bool((group.get("InsightsConfiguration") or {}).get("NotificationsEnabled"))
        # (insight, insight event) to notify, published once the transaction is committed
        ctx = SimpleNamespace(account=account, region=region, notices=[] if notify else None)
        tree = parse_filter(group["FilterExpression"]) if group.get("FilterExpression") else None
        evaluator = self._resolved_evaluator(ctx, tree) if tree is not None else None
        with self.db.transaction():
            while minute <= last_due:
                self._evaluate_minute(ctx, group, tree, evaluator, state, minute)
                state["last"] = minute
                minute += MINUTE
            self.db.execute("DELETE FROM insight_minutes WHERE account = ? AND region = ? AND group_arn = ? "
                            "AND minute < ?", (account, region, arn, state["last"] - 2 * BASELINE_MINUTES * MINUTE))
            self.db.execute(
                "INSERT INTO insight_state (account, region, group_arn, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (account, region, group_arn) DO UPDATE SET body = excluded.body",
                (account, region, arn, json.dumps(state)))
        if ctx.notices:
            publish_insight_updates(self.cloud, (account, region), ctx.notices)

    def _evaluate_minute(self, ctx, group: dict, tree, evaluator, state: dict, minute: float) -> None:
        account, region, arn = ctx.account, ctx.region, group["GroupARN"]
        trace_ids = [t for t, _ in candidate_traces(self.db, account, region, minute, minute + MINUTE - 1e-6,
                                                    "Service")]
        views = [TraceView(t, docs) for t, docs in load_traces(self.db, account, region, trace_ids).items()]
        if tree is not None:
            views = [v for v in views if evaluator.matches(tree, v)]
        counts = minute_counts(views, minute)
        anomalous: set[str] = set()
        for key, (total, faults) in counts.items():
            flagged = key != CLIENTS and self._is_anomalous(ctx, arn, key, minute, total, faults)
            if flagged:
                anomalous.add(key)
            self.db.execute(
                "INSERT OR REPLACE INTO insight_minutes (account, region, group_arn, minute, service, total, faults, "
                "anomalous) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (account, region, arn, minute, key, total, faults, 1 if flagged else 0))
        streaks = state["streaks"]
        for key in list(streaks) + [k for k in anomalous if k not in streaks]:
            streaks[key] = streaks.get(key, 0) + 1 if key in anomalous else 0
            if not streaks[key]:
                del streaks[key]
        for key in sorted(anomalous):
            if key in state["open"]:
                state["calm"][key] = 0
                self._update_insight(ctx, state["open"][key], minute, counts, "continues")
            elif streaks[key] >= OPEN_AFTER:
                insight_id = str(uuid.uuid4())
                state["open"][key], state["calm"][key] = insight_id, 0
                self._open_insight(ctx, group, insight_id, key, minute - (streaks[key] - 1) * MINUTE)
                self._update_insight(ctx, insight_id, minute, counts, "opened")
        for key, insight_id in list(state["open"].items()):
            if key in anomalous:
                continue
            state["calm"][key] = state["calm"].get(key, 0) + 1
            if state["calm"][key] >= CLOSE_AFTER:
                self._close_insight(ctx, insight_id, minute, counts)
                del state["open"][key], state["calm"][key]

    def _is_anomalous(self, ctx, arn: str, key: str, minute: float, total: int, faults: int) -> bool:
        if total < MIN_REQUESTS or faults < MIN_FAULTS:
            return False
        base_total, base_faults = self.db.query_one(
            "SELECT COALESCE(SUM(total), 0), COALESCE(SUM(faults), 0) FROM insight_minutes WHERE account = ? "
            "AND region = ? AND group_arn = ? AND service = ? AND minute >= ? AND minute < ? AND anomalous = 0",
            (ctx.account, ctx.region, arn, key, minute - BASELINE_MINUTES * MINUTE, minute))
        baseline = base_faults / base_total if base_total else 0.0
        return faults / total >= baseline + RISE

    # the insight rows ---------------------------------------------------------------------

    def _load_insight(self, ctx, insight_id: str) -> dict:
        row = self.db.query_one("SELECT body FROM insights WHERE account = ? AND region = ? AND id = ?",
                                (ctx.account, ctx.region, insight_id))
        return json.loads(row[0])

    def _save_insight(self, ctx, insight: dict) -> None:
        self.db.execute(
            "INSERT INTO insights (account, region, id, group_arn, start_time, body) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, id) DO UPDATE SET body = excluded.body",
            (ctx.account, ctx.region, insight["InsightId"], insight["GroupARN"], insight["StartTime"],
             json.dumps(insight)))

    def _impact_since(self, ctx, insight: dict, key: str, through: float) -> dict:
        total, faults = self.db.query_one(
            "SELECT COALESCE(SUM(total), 0), COALESCE(SUM(faults), 0) FROM insight_minutes WHERE account = ? "
            "AND region = ? AND group_arn = ? AND service = ? AND minute >= ? AND minute <= ?",
            (ctx.account, ctx.region, insight["GroupARN"], key, insight["StartTime"], through))
        return impact(total, faults)

    def _open_insight(self, ctx, group: dict, insight_id: str, key: str, start: float) -> None:
        root = service_id(key, ctx.account)
        kind = f" ({root['Type']})" if root.get("Type") else ""
        insight = {
            "InsightId": insight_id, "GroupARN": group["GroupARN"], "GroupName": group["GroupName"],
            "RootCauseServiceId": root, "Categories": ["FAULT"], "State": "ACTIVE", "StartTime": start,
            "Summary": f"The fault rate of {root['Name']}{kind} rose above its baseline",
            "TopAnomalousServices": [{"ServiceId": root}], "ServiceKey": key,
        }
        self._save_insight(ctx, insight)

    def _update_insight(self, ctx, insight_id: str, minute: float, counts: dict, what: str) -> None:
        insight = self._load_insight(ctx, insight_id)
        key = insight["ServiceKey"]
        through = min(minute, insight.get("EndTime", math.inf) - MINUTE)  # a closed one ends with its anomaly
        insight["ClientRequestImpactStatistics"] = self._impact_since(ctx, insight, CLIENTS, through)
        insight["RootCauseServiceRequestImpactStatistics"] = self._impact_since(ctx, insight, key, through)
        insight["LastUpdateTime"] = minute + MINUTE
        self._save_insight(ctx, insight)
        name = insight["RootCauseServiceId"]["Name"]
        summary = {"opened": f"Insight opened: the fault rate of {name} rose above its baseline",
                   "continues": f"The fault rate of {name} is still above its baseline",
                   "closed": f"Insight closed: the fault rate of {name} is back to its baseline"}[what]
        client, service = counts.get(CLIENTS, (0, 0)), counts.get(key, (0, 0))
        event = {"Summary": summary, "EventTime": minute + MINUTE,
                 "ClientRequestImpactStatistics": impact(*client),
                 "RootCauseServiceRequestImpactStatistics": impact(*service),
                 "TopAnomalousServices": insight["TopAnomalousServices"]}
        self.db.execute(
            "INSERT OR REPLACE INTO insight_events (account, region, insight_id, event_time, body) "
            "VALUES (?, ?, ?, ?, ?)", (ctx.account, ctx.region, insight_id, event["EventTime"], json.dumps(event)))
        if getattr(ctx, "notices", None) is not None and what in NOTIFIED:
            ctx.notices.append((insight, event))

    def _close_insight(self, ctx, insight_id: str, minute: float, counts: dict) -> None:
        insight = self._load_insight(ctx, insight_id)
        last_anomalous = minute - CLOSE_AFTER * MINUTE
        insight["State"] = "CLOSED"
        insight["EndTime"] = last_anomalous + MINUTE
        self._save_insight(ctx, insight)
        self._update_insight(ctx, insight_id, minute, counts, "closed")
