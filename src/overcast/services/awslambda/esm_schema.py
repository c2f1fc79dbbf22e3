"""The event source mappings' table (esm).

``event_source_mappings``: one row per mapping, by its UUID. ``function_arn`` is the function
ARN the mapping invokes (qualified when the mapping names a version or an alias), ``config``
the mapping's settings as the API answers them (BatchSize, FilterCriteria, ScalingConfig...,
JSON). ``state`` is the settled state, ``Enabled`` or ``Disabled``: the transitional states
(Creating, Updating, Deleting...) are what the changing calls answer. Times are epoch
seconds, as Lambda answers LastModified for a mapping.
"""

MIGRATIONS = (
    """
CREATE TABLE event_source_mappings (
    uuid TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_arn TEXT NOT NULL,
    event_source_arn TEXT NOT NULL,
    config TEXT NOT NULL,
    state TEXT NOT NULL,
    last_modified REAL NOT NULL
);
CREATE INDEX event_source_mappings_by_scope ON event_source_mappings (account, region, uuid);
""",
)
