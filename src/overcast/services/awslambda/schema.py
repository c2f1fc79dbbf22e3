"""Lambda's migrations, in order. The order is fixed forever: a change is a new migration
appended at the end. Each concern owns its own ``<x>_schema.py``; one line each here.

Core tables (binding names: ``lambda-contract``):

``functions``: one row per function of an account and region; ``arn`` is unqualified.
``last_version`` is the number of the newest published version (0: none yet).

``function_versions``: one row per version of a function, ``$LATEST`` included. ``config`` is
GetFunctionConfiguration's answer for the version (JSON); ``code_blob`` the zip in Lambda's
blob store, ``code_sha256`` (base64 SHA-256 of the zip, as AWS answers it) names the
directory it is extracted to once.

``tags``: the tags of a function, by unqualified ARN.
"""

CORE_SCHEMA = """
CREATE TABLE functions (
    function_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    last_version INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    UNIQUE (account, region, name)
);
CREATE TABLE function_versions (
    function_id INTEGER NOT NULL,
    version TEXT NOT NULL,
    config TEXT NOT NULL,
    code_blob TEXT NOT NULL,
    code_sha256 TEXT NOT NULL,
    code_size INTEGER NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (function_id, version)
);
CREATE TABLE tags (
    arn TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (arn, key)
);
"""

# one line per concern; the order is the order they were applied in and never changes
from overcast.services.awslambda.versions_schema import MIGRATIONS as VERSIONS  # noqa: E402
from overcast.services.awslambda.esm_schema import MIGRATIONS as EVENT_SOURCE_MAPPINGS  # noqa: E402
from overcast.services.awslambda.function_urls_schema import MIGRATIONS as FUNCTION_URLS  # noqa: E402
from overcast.services.awslambda.async_schema import MIGRATIONS as ASYNC_INVOCATIONS  # noqa: E402

MIGRATIONS = (
    CORE_SCHEMA,
    *VERSIONS,
    *EVENT_SOURCE_MAPPINGS,
    *FUNCTION_URLS,
    *ASYNC_INVOCATIONS,
)
