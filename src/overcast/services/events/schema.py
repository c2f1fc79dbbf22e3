"""EventBridge's migrations, in order. The order is fixed forever: a change is a new migration
appended at the end, so a data dir written by an older Overcast upgrades in place. Each
concern owns its own ``<x>_schema.py``; one line each here.

Core tables (binding names: ``events-contract``):

``event_buses``: one row per bus of an account and region, the default bus included (its
row is written on the first use of a scope, so every bus has a ``bus_id``). ``policy`` is the
bus's resource policy document (PutPermission), NULL when it has none. Times are epoch
seconds, as the EventBridge API answers them.

``rules``: one row per rule of a bus; ``arn`` is ``rule/<name>`` on the default bus and
``rule/<bus>/<name>`` on a custom bus. ``managed_by`` is the service principal of a managed
rule (archives' ``Events-Archive-<name>``), NULL for the caller's own rules.

``tags``: the tags of any taggable EventBridge resource, by ARN.
"""

CORE_SCHEMA = """
CREATE TABLE event_buses (
    bus_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    description TEXT,
    kms_key_identifier TEXT,
    dead_letter_arn TEXT,
    policy TEXT,
    created REAL NOT NULL,
    modified REAL,
    UNIQUE (account, region, name)
);
CREATE TABLE rules (
    rule_id INTEGER PRIMARY KEY,
    bus_id INTEGER NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    event_pattern TEXT,
    schedule_expression TEXT,
    state TEXT NOT NULL,
    description TEXT,
    role_arn TEXT,
    managed_by TEXT,
    created_by TEXT NOT NULL,
    created REAL NOT NULL,
    UNIQUE (bus_id, name)
);
CREATE TABLE tags (
    arn TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (arn, key)
);
"""

# one line per concern; the order is the order they were applied in and never changes
from overcast.services.events.targets_schema import MIGRATIONS as TARGETS  # noqa: E402
from overcast.services.events.dispatch_schema import MIGRATIONS as DISPATCH  # noqa: E402
from overcast.services.events.apidest_schema import MIGRATIONS as API_DESTINATIONS  # noqa: E402
from overcast.services.events.rule_schedules_schema import MIGRATIONS as RULE_SCHEDULES  # noqa: E402
from overcast.services.events.archives_schema import MIGRATIONS as ARCHIVES  # noqa: E402
from overcast.services.events.buses_schema import MIGRATIONS as BUS_SETTINGS  # noqa: E402

MIGRATIONS = (
    CORE_SCHEMA,
    *TARGETS,
    *DISPATCH,
    *API_DESTINATIONS,
    *RULE_SCHEDULES,
    *ARCHIVES,
    *BUS_SETTINGS,
)
