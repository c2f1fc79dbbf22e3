"""The bus columns added after the core schema: ``log_config``, the bus's LogConfig
(IncludeDetail, Level) as JSON. Logs of a bus flow only through a CloudWatch Logs delivery
(vended logs), which Overcast's Logs does not offer, so the setting is kept and answered, as
AWS keeps it for a bus with no delivery."""

MIGRATIONS = ("ALTER TABLE event_buses ADD COLUMN log_config TEXT;",)
