"""Tables of the versions helper's concerns (aliases, function policies, reserved
concurrency, layers); published versions themselves are ``function_versions`` rows (core).

``function_aliases``: one row per alias of a function; ``routing`` is RoutingConfig's
AdditionalVersionWeights as JSON (NULL: none).

``function_policies``: the resource policy of a function ('' qualifier: the unqualified
function), of one of its versions or of an alias (AddPermission), as the JSON GetPolicy answers.

``function_concurrency``: ReservedConcurrentExecutions of a function (PutFunctionConcurrency).

A function's rows go with it, and a version's policy with the version (the triggers: a
function id may be given again to a later function).

``layers`` / ``layer_versions``: a layer is its name in an account and region;
``last_version`` keeps counting after deletions, as AWS never reuses a layer version number.
``policy`` is the layer version's resource policy (AddLayerVersionPermission). A deleted layer
version keeps its row (``deleted``): functions that use it keep their copy, as on AWS.
"""

VERSIONS_SCHEMA = """
CREATE TABLE function_aliases (
    function_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    function_version TEXT NOT NULL,
    description TEXT NOT NULL,
    routing TEXT,
    revision_id TEXT NOT NULL,
    PRIMARY KEY (function_id, name)
);
CREATE TABLE function_policies (
    function_id INTEGER NOT NULL,
    qualifier TEXT NOT NULL,
    policy TEXT NOT NULL,
    PRIMARY KEY (function_id, qualifier)
);
CREATE TABLE function_concurrency (
    function_id INTEGER PRIMARY KEY,
    reserved INTEGER NOT NULL
);
CREATE TABLE layers (
    layer_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    last_version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account, region, name)
);
CREATE TABLE layer_versions (
    layer_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    description TEXT NOT NULL,
    license_info TEXT,
    compatible_runtimes TEXT,
    compatible_architectures TEXT,
    code_blob TEXT NOT NULL,
    code_sha256 TEXT NOT NULL,
    code_size INTEGER NOT NULL,
    policy TEXT,
    policy_revision TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    PRIMARY KEY (layer_id, version)
);
CREATE TRIGGER versions_of_deleted_function AFTER DELETE ON functions
BEGIN
    DELETE FROM function_aliases WHERE function_id = OLD.function_id;
    DELETE FROM function_policies WHERE function_id = OLD.function_id;
    DELETE FROM function_concurrency WHERE function_id = OLD.function_id;
END;
CREATE TRIGGER policy_of_deleted_version AFTER DELETE ON function_versions
BEGIN
    DELETE FROM function_policies WHERE function_id = OLD.function_id AND qualifier = OLD.version;
END;
"""

MIGRATIONS = (VERSIONS_SCHEMA,)
