"""The function URLs' table (esm).

``function_urls``: one row per URL, by its 32-character id (the host's first label); a
function has at most one URL per qualifier (``qualifier`` is '' for the unqualified
function). ``config`` is AuthType, Cors and InvokeMode as the API answers them (JSON);
``created`` and ``modified`` are epoch seconds.
"""

MIGRATIONS = (
    """
CREATE TABLE function_urls (
    url_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    function_arn TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    config TEXT NOT NULL,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    UNIQUE (account, region, function_name, qualifier)
);
""",
)
