"""GetSamplingTargets and GetSamplingStatisticSummaries: the reservoir X-Ray shares out.

Each SDK (a ``ClientID``) reports per rule, every 10 seconds, how many requests it saw,
sampled and borrowed; the answer gives it a ``ReservoirQuota`` (its share of the rule's
``ReservoirSize`` per second, split evenly among the clients that reported for the rule in
the last two intervals, the remainder to the first of them), valid until
``ReservoirQuotaTTL``, the rule's ``FixedRate`` beyond it, and when to report next
(``Interval``). ``LastRuleModification`` tells the SDK to fetch the rules again when they
changed. The statistics are kept per rule in 10-second windows for
GetSamplingStatisticSummaries."""

from __future__ import annotations

import math

from overcast.services.xray.validation import check_input

INTERVAL = 10  # seconds between reports the SDKs are told to keep (X-Ray answers 10)
_ACTIVE_FOR = 2 * INTERVAL


class SamplingTargetOperations:
    def _record_statistics(self, ctx, doc: dict, window: float) -> None:
        self.db.execute(
            "INSERT INTO sampling_statistics (account, region, rule_name, window_start, request_count, "
            "sampled_count, borrow_count) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account, region, rule_name, window_start) DO UPDATE SET "
            "request_count = request_count + excluded.request_count, "
            "sampled_count = sampled_count + excluded.sampled_count, "
            "borrow_count = borrow_count + excluded.borrow_count",
            (ctx.account, ctx.region, doc["RuleName"], window, doc["RequestCount"], doc["SampledCount"],
             doc["BorrowCount"]))

    def _quota(self, ctx, rule: dict, client_id: str, now: float) -> int:
        """This client's share of the rule's reservoir per second."""
        clients = self.sampling_clients.setdefault((ctx.account, ctx.region, rule["RuleName"]), {})
        clients[client_id] = now
        for other, seen in list(clients.items()):
            if now - seen > _ACTIVE_FOR:
                del clients[other]
        active = sorted(clients)
        share, remainder = divmod(int(rule["ReservoirSize"]), len(active))
        return share + (1 if active.index(client_id) < remainder else 0)

    def get_sampling_targets(self, ctx, params: dict) -> dict:
        check_input("GetSamplingTargets", params)
        now = self.clock.now()
        window = math.floor(now / INTERVAL) * INTERVAL
        rules = {r["SamplingRule"]["RuleName"]: r["SamplingRule"]
                 for r in self.sampling_rules.records(ctx.account, ctx.region)}
        targets, unprocessed = [], []
        with self.db.transaction():
            for doc in params["SamplingStatisticsDocuments"]:
                rule = rules.get(doc["RuleName"])
                if rule is None:
                    unprocessed.append({"RuleName": doc["RuleName"], "ErrorCode": "400",
                                        "Message": "Unknown rule"})
                    continue
                self._record_statistics(ctx, doc, window)
                targets.append({
                    "RuleName": rule["RuleName"],
                    "FixedRate": rule["FixedRate"],
                    "ReservoirQuota": self._quota(ctx, rule, doc["ClientID"], now),
                    "ReservoirQuotaTTL": now + INTERVAL,
                    "Interval": INTERVAL,
                })
        return {
            "SamplingTargetDocuments": targets,
            "LastRuleModification": self.sampling_rules.last_modification(ctx.account, ctx.region),
            "UnprocessedStatistics": unprocessed,
        }

    def get_sampling_statistic_summaries(self, ctx, params: dict) -> dict:
        check_input("GetSamplingStatisticSummaries", params)
        rows = self.db.query(
            "SELECT s.rule_name, s.window_start, s.request_count, s.borrow_count, s.sampled_count "
            "FROM sampling_statistics s JOIN (SELECT rule_name, MAX(window_start) AS latest FROM sampling_statistics "
            "WHERE account = ? AND region = ? GROUP BY rule_name) l "
            "ON s.rule_name = l.rule_name AND s.window_start = l.latest "
            "WHERE s.account = ? AND s.region = ? ORDER BY s.rule_name",
            (ctx.account, ctx.region, ctx.account, ctx.region))
        return {"SamplingStatisticSummaries": [
            {"RuleName": r[0], "Timestamp": r[1], "RequestCount": r[2], "BorrowCount": r[3], "SampledCount": r[4]}
            for r in rows]}

    def expire_sampling_statistics(self, before: float) -> None:
        self.db.execute("DELETE FROM sampling_statistics WHERE window_start < ?", (before,))
