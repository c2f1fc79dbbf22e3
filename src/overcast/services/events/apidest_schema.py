"""The tables of connections and API destinations (the apidest concern), one migration each.

``connections``: one row per connection of an account and region. ``auth`` is the
AuthParameters as given, secrets included, as JSON: EventBridge keeps a connection's secrets in
a Secrets Manager secret it manages (``SecretArn``); Overcast has no Secrets Manager service
yet, so the secret stays here in the events database, answered only as AWS answers it (the
ARN, never the values). ``token``/``token_expires`` hold an OAuth connection's access token and
when it expires (epoch seconds on the cloud clock; NULL: no expiry given). Times are epoch
seconds, as the EventBridge API answers them.

``api_destinations``: one row per API destination; ``connection_arn`` names its connection
(which may since have been deleted: the destination is then INACTIVE).
"""

CONNECTIONS = """
CREATE TABLE connections (
    connection_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    description TEXT,
    authorization_type TEXT NOT NULL,
    auth TEXT NOT NULL,
    secret_arn TEXT,
    kms_key_identifier TEXT,
    state TEXT NOT NULL,
    state_reason TEXT,
    token TEXT,
    token_expires REAL,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    last_authorized REAL,
    UNIQUE (account, region, name)
);
CREATE UNIQUE INDEX connections_by_arn ON connections (arn);
"""

API_DESTINATIONS = """
CREATE TABLE api_destinations (
    destination_id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    description TEXT,
    connection_arn TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    http_method TEXT NOT NULL,
    rate_limit INTEGER NOT NULL,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    UNIQUE (account, region, name)
);
CREATE UNIQUE INDEX api_destinations_by_arn ON api_destinations (arn);
"""

MIGRATIONS = (CONNECTIONS + API_DESTINATIONS,)
