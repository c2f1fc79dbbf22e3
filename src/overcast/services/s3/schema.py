"""The S3 database schema, as versioned migrations (the tuple only ever grows).

- ``buckets``: one row per bucket (unique per partition), with its versioning state.
- ``versions``: every stored version of every object, delete markers included. The current
  version of a key has ``latest = 1`` (at most one per key, a partial unique index); an
  unversioned bucket keeps exactly one row per key, with version id ``null``. ``seq`` grows
  with every write, so the versions of a key sort newest first by ``seq DESC``.
  ``blob`` holds the object's bytes; a multipart object has no ``blob`` but ``attrs.parts``
  (one blob per part, read in order). ``attrs`` (JSON) carries everything that is not
  queried: checksum, tags, ACL, restore status, encryption, owner, parts.
- ``uploads`` / ``parts``: multipart uploads in progress and their parts (one blob each).
- ``bucket_configs``: a bucket's configurations (policy, CORS, lifecycle, tagging...), one
  row per kind, the value as the operation's parameters in JSON.
- ``parts.enc`` (V4): the envelope of a part's blob, encrypted at rest (``at_rest.py``); NULL
  for a part written before encryption (plain bytes).
- ``versions.body`` (V6): the sealed bytes of a small object, held in its own row (``store.py``,
  ``ROW_BODY_LIMIT``); ``blob`` still names it. NULL where the bytes are in the blob store under
  ``blob``: bigger objects, and every object written before V6 (read there as before).
- ``replication_queue``: object versions and delete markers waiting to be replicated, one row
  per destination, with the rule that selected them (``replication_runner.py``).
"""

from __future__ import annotations

V1 = """
CREATE TABLE buckets (partition TEXT NOT NULL, name TEXT NOT NULL, account TEXT NOT NULL,
                      region TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (partition, name));
CREATE TABLE objects (partition TEXT NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL,
                      blob TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
                      modified REAL NOT NULL, headers TEXT NOT NULL, meta TEXT NOT NULL,
                      checksum TEXT, PRIMARY KEY (partition, bucket, key));
"""

V2 = """
ALTER TABLE buckets ADD COLUMN versioning TEXT;
CREATE TABLE versions (
    partition TEXT NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL,
    seq INTEGER NOT NULL, latest INTEGER NOT NULL, marker INTEGER NOT NULL DEFAULT 0,
    blob TEXT, size INTEGER NOT NULL, etag TEXT NOT NULL, modified REAL NOT NULL,
    headers TEXT NOT NULL, meta TEXT NOT NULL, storage_class TEXT NOT NULL DEFAULT 'STANDARD',
    attrs TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (partition, bucket, key, version));
CREATE UNIQUE INDEX versions_current ON versions (partition, bucket, key) WHERE latest = 1;
CREATE INDEX versions_by_seq ON versions (partition, bucket, key, seq);
INSERT INTO versions (partition, bucket, key, version, seq, latest, marker, blob, size, etag, modified,
                      headers, meta, attrs)
    SELECT partition, bucket, key, 'null', rowid, 1, 0, blob, size, etag, modified, headers, meta,
           CASE WHEN checksum IS NULL THEN '{}'
                ELSE json_object('checksum', json_object('algorithm', 'CRC32', 'value', checksum,
                                                         'type', 'FULL_OBJECT')) END
    FROM objects;
DROP TABLE objects;
CREATE TABLE uploads (
    upload_id TEXT PRIMARY KEY, partition TEXT NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL,
    initiated REAL NOT NULL, account TEXT NOT NULL, headers TEXT NOT NULL, meta TEXT NOT NULL,
    storage_class TEXT NOT NULL DEFAULT 'STANDARD', attrs TEXT NOT NULL DEFAULT '{}');
CREATE INDEX uploads_by_key ON uploads (partition, bucket, key, initiated);
CREATE TABLE parts (
    upload_id TEXT NOT NULL, number INTEGER NOT NULL, blob TEXT NOT NULL, size INTEGER NOT NULL,
    etag TEXT NOT NULL, modified REAL NOT NULL, checksum TEXT,
    PRIMARY KEY (upload_id, number));
CREATE TABLE bucket_configs (
    partition TEXT NOT NULL, bucket TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (partition, bucket, kind));
"""

V3 = """
CREATE TABLE replication_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partition TEXT NOT NULL, bucket TEXT NOT NULL,
    key TEXT NOT NULL, version TEXT NOT NULL, rule TEXT NOT NULL, due REAL NOT NULL);
CREATE INDEX replication_queue_by_version ON replication_queue (partition, bucket, key, version);
"""

# Encryption at rest (at_rest.py): a part's wrapped data key, kept with its row.
V4 = """
ALTER TABLE parts ADD COLUMN enc TEXT;
"""

# Server access log records waiting for delivery (access_log.py): each names its target, as
# configured when the request was logged, so a restart or a changed configuration loses none.
V5 = """
CREATE TABLE access_log_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partition TEXT NOT NULL, bucket TEXT NOT NULL,
    account TEXT NOT NULL, region TEXT NOT NULL, target_bucket TEXT NOT NULL, target_prefix TEXT NOT NULL,
    key_format TEXT NOT NULL, logged REAL NOT NULL, line TEXT NOT NULL);
"""

# A small object's bytes in its version row (store.py): an overwriting PUT dirties one page of
# one b-tree instead of that page plus a row and an index entry of the inline blobs' table.
V6 = """
ALTER TABLE versions ADD COLUMN body BLOB;
"""

MIGRATIONS = (V1, V2, V3, V4, V5, V6)
