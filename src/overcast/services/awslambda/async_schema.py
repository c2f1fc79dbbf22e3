"""The async concern's tables: the queue of Event invocations and the event invoke configs.

``async_invocations``: one row per accepted Event invocation (Invoke with InvocationType
Event, InvokeAsync, and what SNS, EventBridge, S3 and Logs send), written in one transaction
before the 202 is answered, so an accepted event runs after a ``kill -9``. ``qualifier`` is
the version or alias the caller named (NULL: unqualified, ``$LATEST``), resolved again at
each attempt (an alias's weights apply per attempt, as on AWS). ``received`` is the cloud
time the event was accepted (its age for MaximumEventAgeInSeconds), ``due`` the cloud time of
the next attempt, ``attempts`` the attempts the function ran and failed, ``throttles`` the
attempts refused for concurrency (retried on their own backoff, not counted as retries).

``event_invoke_configs``: PutFunctionEventInvokeConfig's settings per function and qualifier
(``$LATEST``, a version or an alias). NULL limits mean AWS's defaults (2 retries, 6 hours);
``destination_config`` is the DestinationConfig as AWS answers it (JSON).
"""

ASYNC_SCHEMA = """
CREATE TABLE async_invocations (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    qualifier TEXT,
    request_id TEXT NOT NULL,
    payload BLOB NOT NULL,
    trace TEXT,
    received REAL NOT NULL,
    due REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    throttles INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX async_invocations_due ON async_invocations (due, id);
CREATE TABLE event_invoke_configs (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    maximum_retry_attempts INTEGER,
    maximum_event_age INTEGER,
    destination_config TEXT NOT NULL,
    last_modified REAL NOT NULL,
    PRIMARY KEY (account, region, function_name, qualifier)
);
"""

MIGRATIONS = (ASYNC_SCHEMA,)
