"""Sampling rules: Create/Update/Delete/GetSamplingRules.

Every account and region has the rule ``Default`` (priority 10000, reservoir 1 per second,
fixed rate 5%, matching everything, created at epoch 0); only its FixedRate and ReservoirSize
can change, and it cannot be deleted. At most 25 rules besides it (X-Ray quota "Sampling
rules: 25 per Region"). The SDKs fetch the rules and match requests themselves (service
name/type, host, method, URL path, attributes, highest priority first)."""

from __future__ import annotations

import json

from overcast.services.xray.arns import sampling_rule_arn
from overcast.services.xray.errors import InvalidRequest, RuleLimitExceeded
from overcast.services.xray.tagging import checked_tags
from overcast.services.xray.validation import check_input

DEFAULT_RULE_NAME = "Default"
MAX_RULES = 25
_DEFAULT_RULE = {
    "RuleName": DEFAULT_RULE_NAME, "ResourceARN": "*", "Priority": 10000, "FixedRate": 0.05,
    "ReservoirSize": 1, "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*",
    "URLPath": "*", "Version": 1, "Attributes": {},
}
# What an update may change, besides the rule's identity
_UPDATABLE = ("ResourceARN", "Priority", "FixedRate", "ReservoirSize", "Host", "ServiceName",
              "ServiceType", "HTTPMethod", "URLPath", "Attributes", "SamplingRateBoost")


class SamplingRuleStore:
    """The rules of every account and region (``sampling_rules`` table)."""

    def __init__(self, db):
        self.db = db

    def records(self, account: str, region: str) -> list[dict]:
        """Every rule as a SamplingRuleRecord (Default included), by priority then name."""
        rows = self.db.query(
            "SELECT body, created, modified FROM sampling_rules WHERE account = ? AND region = ?",
            (account, region))
        records = [{"SamplingRule": json.loads(b), "CreatedAt": c, "ModifiedAt": m} for b, c, m in rows]
        if not any(r["SamplingRule"]["RuleName"] == DEFAULT_RULE_NAME for r in records):
            records.append(_default_record(account, region))
        records.sort(key=lambda r: (r["SamplingRule"]["Priority"], r["SamplingRule"]["RuleName"]))
        return records

    def find(self, account: str, region: str, name: str) -> dict | None:
        for record in self.records(account, region):
            if record["SamplingRule"]["RuleName"] == name:
                return record
        return None

    def save(self, account: str, region: str, record: dict) -> None:
        rule = record["SamplingRule"]
        self.db.execute(
            "INSERT INTO sampling_rules (account, region, name, arn, body, created, modified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET "
            "body = excluded.body, modified = excluded.modified",
            (account, region, rule["RuleName"], rule["RuleARN"], json.dumps(rule),
             record["CreatedAt"], record["ModifiedAt"]))

    def delete(self, account: str, region: str, name: str) -> None:
        self.db.execute("DELETE FROM sampling_rules WHERE account = ? AND region = ? AND name = ?",
                        (account, region, name))

    def last_modification(self, account: str, region: str) -> float:
        row = self.db.query_one("SELECT MAX(modified) FROM sampling_rules WHERE account = ? AND region = ?",
                                (account, region))
        return float(row[0]) if row and row[0] is not None else 0.0


def _default_record(account: str, region: str) -> dict:
    rule = dict(_DEFAULT_RULE, RuleARN=sampling_rule_arn(region, account, DEFAULT_RULE_NAME))
    return {"SamplingRule": rule, "CreatedAt": 0.0, "ModifiedAt": 0.0}


def _rule_name_from(params: dict, name_key: str, arn_key: str) -> str:
    """The rule a request names by RuleName or by RuleARN (the ARN wins when both are given
    and agree; they must not disagree)."""
    name, arn = params.get(name_key), params.get(arn_key)
    if not name and not arn:
        raise InvalidRequest(message="RuleName or RuleARN must be provided")
    if arn:
        from_arn = arn.rsplit("sampling-rule/", 1)[-1] if "sampling-rule/" in arn else None
        if not from_arn or (name and name != from_arn):
            raise InvalidRequest(message="Sampling rule does not exist")
        return from_arn
    return name


class SamplingRuleOperations:
    def create_sampling_rule(self, ctx, params: dict) -> dict:
        check_input("CreateSamplingRule", params)
        rule = dict(params["SamplingRule"])
        tags = checked_tags(params.get("Tags"))
        name = rule.get("RuleName")
        if not name:
            raise InvalidRequest(message="RuleName is required")
        if rule.get("Version") != 1:
            raise InvalidRequest(message="Version must be 1")
        rules = self.sampling_rules
        if name == DEFAULT_RULE_NAME or rules.find(ctx.account, ctx.region, name) is not None:
            raise InvalidRequest(message="RuleName already exists")
        if len(rules.records(ctx.account, ctx.region)) - 1 >= MAX_RULES:
            raise RuleLimitExceeded(message="You have reached the maximum number of sampling rules.")
        rule.pop("RuleARN", None)
        rule["RuleARN"] = sampling_rule_arn(ctx.region, ctx.account, name)
        rule.setdefault("Attributes", {})
        now = self.clock.now()
        record = {"SamplingRule": rule, "CreatedAt": now, "ModifiedAt": now}
        with self.db.transaction():
            rules.save(ctx.account, ctx.region, record)
            if tags:
                self.tags.put(rule["RuleARN"], tags)
        return {"SamplingRuleRecord": record}

    def update_sampling_rule(self, ctx, params: dict) -> dict:
        check_input("UpdateSamplingRule", params)
        update = params["SamplingRuleUpdate"]
        name = _rule_name_from(update, "RuleName", "RuleARN")
        record = self.sampling_rules.find(ctx.account, ctx.region, name)
        if record is None:
            raise InvalidRequest(message="Sampling rule does not exist")
        if name == DEFAULT_RULE_NAME and any(
                key in update for key in _UPDATABLE if key not in ("FixedRate", "ReservoirSize")):
            raise InvalidRequest(message="Invalid update request for default sampling rule")
        rule = dict(record["SamplingRule"])
        for key in _UPDATABLE:
            if key in update:
                rule[key] = update[key]
        record = {"SamplingRule": rule, "CreatedAt": record["CreatedAt"], "ModifiedAt": self.clock.now()}
        self.sampling_rules.save(ctx.account, ctx.region, record)
        return {"SamplingRuleRecord": record}

    def delete_sampling_rule(self, ctx, params: dict) -> dict:
        check_input("DeleteSamplingRule", params)
        name = _rule_name_from(params, "RuleName", "RuleARN")
        if name == DEFAULT_RULE_NAME:
            raise InvalidRequest(message="Cannot delete the default sampling rule")
        record = self.sampling_rules.find(ctx.account, ctx.region, name)
        if record is None:
            raise InvalidRequest(message="Sampling rule does not exist")
        with self.db.transaction():
            self.sampling_rules.delete(ctx.account, ctx.region, name)
            self.tags.drop(record["SamplingRule"]["RuleARN"])
        return {"SamplingRuleRecord": record}

    def get_sampling_rules(self, ctx, params: dict) -> dict:
        check_input("GetSamplingRules", params)
        return {"SamplingRuleRecords": self.sampling_rules.records(ctx.account, ctx.region)}
