"""The dispatch concern's table: the deliveries waiting to reach their targets.

``event_deliveries``: one row per (event, rule, target) that matched, written in one
transaction before PutEvents (or a schedule, a replay, a service event) is answered, so an
accepted event reaches its targets after a ``kill -9``. ``event`` is the envelope as the
target receives it by default (compact JSON); ``kind`` the sender kind from the target's ARN
(``sqs``, ``sns``, ``logs``, ``lambda``, ``event-bus``, ``api-destination``, ``archive``...);
``ingested`` the cloud time the event was accepted (its age for MaximumEventAgeInSeconds and
``<aws.events.event.ingestion-time>``); ``due`` the cloud time of the next attempt (``PARKED``
while no sender of that kind is registered: Lambda until that service exists); ``attempts``
the attempts already made. ``trace`` is the PutEvents entry's TraceHeader, passed on to the
targets that carry one.
"""

DISPATCH_SCHEMA = """
CREATE TABLE event_deliveries (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    rule_id INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    event TEXT NOT NULL,
    trace TEXT,
    replay_name TEXT,
    ingested REAL NOT NULL,
    due REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX event_deliveries_due ON event_deliveries (due, id);
"""

# ``route``: the buses (ARNs, comma-separated) an event forwarded bus to bus went through, so it
# is never put back on one of them (the loop guard); NULL for an event on its first bus.
ROUTE_COLUMN = "ALTER TABLE event_deliveries ADD COLUMN route TEXT;"

MIGRATIONS = (DISPATCH_SCHEMA, ROUTE_COLUMN)
