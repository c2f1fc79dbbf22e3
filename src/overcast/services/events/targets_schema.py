"""The targets of rules (PutTargets): one row per (rule, target Id). ``spec`` is the Target as
PutTargets took it (JSON, every member kept so ListTargetsByRule answers it as stored);
``position`` keeps the order targets were first added in (an update keeps its place); ``arn``
is indexed for ListRuleNamesByTarget. A rule's rows go with it (the trigger: a managed rule
is deleted by its service without RemoveTargets, and a rule id may be given again later)."""

TARGETS_SCHEMA = """
CREATE TABLE targets (
    rule_id INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    arn TEXT NOT NULL,
    spec TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (rule_id, target_id)
);
CREATE INDEX targets_by_arn ON targets (arn, rule_id);
CREATE TRIGGER targets_of_deleted_rule AFTER DELETE ON rules
BEGIN
    DELETE FROM targets WHERE rule_id = OLD.rule_id;
END;
"""

MIGRATIONS = (TARGETS_SCHEMA,)
