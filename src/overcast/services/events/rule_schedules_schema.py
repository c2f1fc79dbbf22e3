"""The schedules concern's table: when each scheduled rule runs next.

``rule_schedules``: one row per enabled rule with a ScheduleExpression. ``expression`` is the
expression the row was computed for (a rule whose expression changed is re-armed);
``anchor`` the cloud time a rate schedule counts from (the rule's creation, or the change or
re-enabling that restarted it: runs fall at ``anchor + k * period``); ``next_fire`` the cloud
time of the next run (NULL when the expression has none left: a cron whose years are past).
The row is the truth; the runtime timer that fires it is only a wake-up, re-armed from these
rows at start, so a run that fell due while the server was down happens once at start.
"""

RULE_SCHEDULES_SCHEMA = """
CREATE TABLE rule_schedules (
    rule_id INTEGER PRIMARY KEY,
    expression TEXT NOT NULL,
    anchor REAL NOT NULL,
    next_fire REAL
);
"""

MIGRATIONS = (RULE_SCHEDULES_SCHEMA,)
