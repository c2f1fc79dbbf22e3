"""PutTelemetryRecords: the daemon's and SDKs' own health counters, kept as sent (30 days,
like traces) so they can be inspected; X-Ray exposes no read API for them."""

from __future__ import annotations

import json


class TelemetryStore:
    def __init__(self, db):
        self.db = db

    def add(self, account: str, region: str, params: dict, received: float) -> None:
        source = {k: params[k] for k in ("EC2InstanceId", "Hostname", "ResourceARN") if params.get(k)}
        records = [{**r, "Timestamp": _seconds(r.get("Timestamp"))} for r in params["TelemetryRecords"]]
        self.db.execute(
            "INSERT INTO telemetry_records (account, region, received, source, records) VALUES (?, ?, ?, ?, ?)",
            (account, region, received, json.dumps(source), json.dumps(records)),
        )

    def count(self, account: str, region: str) -> int:
        """How many records are kept for ``account`` and ``region``."""
        rows = self.db.query("SELECT records FROM telemetry_records WHERE account = ? AND region = ?",
                             (account, region))
        return sum(len(json.loads(r[0])) for r in rows)

    def expire(self, before: float) -> int:
        return self.db.execute("DELETE FROM telemetry_records WHERE received < ?", (before,))


def _seconds(value):
    """A timestamp parameter (datetime from the parser, or a number) as epoch seconds."""
    if hasattr(value, "timestamp"):
        return value.timestamp()
    return value
