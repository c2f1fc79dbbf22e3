"""GetIndexingRules / UpdateIndexingRule: the share of trace ids Transaction Search indexes as
trace summaries. Every account has one rule, ``Default``, probabilistic at 1% (X-Ray's
default, the free tier) until updated; the percentage is 0 to 100.

The rule governs spans that go through the CloudWatchLogs destination, which Overcast cannot
select yet (see ``segment_destination.py``): with the XRay destination every trace is kept
and searchable, so the rule is stored and answered but changes nothing else.
"""

from __future__ import annotations

import json
import math

from overcast.services.xray.errors import InvalidRequest, ResourceNotFound
from overcast.services.xray.validation import check_input

DEFAULT_RULE = "Default"
DEFAULT_PERCENTAGE = 1.0


def _rule(name: str, percentage: float, modified: float | None) -> dict:
    rule = {"Name": name}
    if modified is not None:
        rule["ModifiedAt"] = modified
    rule["Rule"] = {"Probabilistic": {"DesiredSamplingPercentage": percentage,
                                      "ActualSamplingPercentage": percentage}}
    return rule


class IndexingRuleOperations:
    def _indexing_rules(self, ctx) -> list[dict]:
        rows = self.db.query("SELECT body FROM indexing_rules WHERE account = ? AND region = ?",
                             (ctx.account, ctx.region))
        stored = {rule["Name"]: rule for rule in (json.loads(r[0]) for r in rows)}
        return [stored.get(DEFAULT_RULE) or _rule(DEFAULT_RULE, DEFAULT_PERCENTAGE, None)]

    def get_indexing_rules(self, ctx, params: dict) -> dict:
        check_input("GetIndexingRules", params)
        if params.get("NextToken"):  # one page holds every rule, so no token was ever given out
            raise InvalidRequest(message="The NextToken provided is invalid.")
        return {"IndexingRules": self._indexing_rules(ctx)}

    def update_indexing_rule(self, ctx, params: dict) -> dict:
        check_input("UpdateIndexingRule", params)
        name = params["Name"]
        probabilistic = params["Rule"].get("Probabilistic")
        if probabilistic is None:
            raise InvalidRequest(message="Rule must contain a Probabilistic rule value.")
        percentage = probabilistic["DesiredSamplingPercentage"]
        if not isinstance(percentage, (int, float)) or math.isnan(percentage) or not 0 <= percentage <= 100:
            raise InvalidRequest(message="DesiredSamplingPercentage must be between 0 and 100.")
        if name not in {rule["Name"] for rule in self._indexing_rules(ctx)}:
            raise ResourceNotFound(message=f"Indexing rule {name} not found.")
        rule = _rule(name, float(percentage), self.clock.now())
        self.db.execute(
            "INSERT INTO indexing_rules (account, region, name, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (account, region, name) DO UPDATE SET body = excluded.body",
            (ctx.account, ctx.region, name, json.dumps(rule)))
        return {"IndexingRule": rule}
