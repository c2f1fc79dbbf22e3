"""Scheduler's migrations, in order (a change is a new migration appended at the end).

``schedule_groups``: one row per group of an account and region; the ``default`` group gets
its row on the first use of a scope (``groups.py``). ``group_tags``: the groups' tags.

``schedules``: one row per schedule; ``spec`` is the schedule as CreateSchedule/UpdateSchedule
took it (JSON, the members GetSchedule answers but for the names, dates and state).
``nominal`` is the next run's scheduled time and ``due`` the instant within the flexible
window it fires at (NULL: no run left); ``generation`` grows with every change, so a timer
armed for an older version is recognised and ignored.

``invocations``: a run written down before its target is called, kept until the call
succeeds, is dead-lettered or is dropped (the retry policy's state: attempt and first
attempt). ``parked``: waiting for a service Overcast does not run yet (Lambda).
Times are epoch seconds of the cloud clock.
"""

CORE_SCHEMA = """
CREATE TABLE schedule_groups (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE TABLE group_tags (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    group_name TEXT NOT NULL,
    tag_key TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (account, region, group_name, tag_key)
);
CREATE TABLE schedules (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    group_name TEXT NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    start_date REAL,
    end_date REAL,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    client_token TEXT,
    nominal REAL,
    due REAL,
    generation INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, region, group_name, name)
);
CREATE INDEX schedules_due ON schedules (due) WHERE due IS NOT NULL;
CREATE TABLE invocations (
    invocation_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    group_name TEXT NOT NULL,
    schedule_name TEXT NOT NULL,
    target TEXT NOT NULL,
    scheduled REAL NOT NULL,
    first_attempt REAL NOT NULL,
    attempt INTEGER NOT NULL,
    due REAL NOT NULL,
    parked INTEGER NOT NULL DEFAULT 0
);
"""

# CreateScheduleGroup's ClientToken, so the same request again answers the group's ARN
GROUP_CLIENT_TOKEN = "ALTER TABLE schedule_groups ADD COLUMN client_token TEXT;"

MIGRATIONS: tuple[str, ...] = (CORE_SCHEMA, GROUP_CLIENT_TOKEN)
