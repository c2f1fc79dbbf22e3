"""Every Overcast setting, its environment variable and its default, in one place.

A setting is resolved in this order: command-line flag, then ``OVERCAST_<NAME>``
environment variable, then the default below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

DEFAULT_ACCOUNT = "000000000000"


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass
class Settings:
    """The settings of one Overcast process."""

    host: str = field(default="127.0.0.1", metadata={"env": "OVERCAST_HOST", "help": "address to bind"})
    port: int = field(default=4566, metadata={"env": "OVERCAST_PORT", "help": "port of the AWS endpoint"})
    data_dir: str = field(
        default="./.overcast", metadata={"env": "OVERCAST_DATA_DIR", "help": "where state is kept"}
    )
    region: str = field(
        default="us-east-1", metadata={"env": "OVERCAST_REGION", "help": "region when a request names none"}
    )
    strict: bool = field(
        default=False,
        metadata={"env": "OVERCAST_STRICT", "help": "verify signatures (and, later, authorize with IAM)"},
    )
    fsync: bool = field(
        default=False,
        metadata={"env": "OVERCAST_FSYNC", "help": "fsync writes for power-loss durability (slower)"},
    )
    # Extra root access keys, ``KEY:SECRET[:ACCOUNT]`` comma-separated (strict mode checks
    # their secrets); IAM users' keys and STS credentials are registered at run time instead.
    access_keys: str = field(
        default="", metadata={"env": "OVERCAST_ACCESS_KEYS", "help": "extra root keys: KEY:SECRET[:ACCOUNT],..."}
    )
    default_secret_key: str = field(
        default="test",
        metadata={"env": "OVERCAST_DEFAULT_SECRET_KEY", "help": "secret of the 'test' key and of 12-digit account keys"},
    )
    log_level: str = field(
        default="info", metadata={"env": "OVERCAST_LOG_LEVEL", "help": "debug, info, warning or error"}
    )
    # Requests larger than this (other than streamed uploads) are refused with a 4xx before
    # being read: no AWS JSON/query API accepts a body anywhere near it.
    max_body_bytes: int = field(
        default=64 * 1024 * 1024,
        metadata={"env": "OVERCAST_MAX_BODY_BYTES", "help": "largest non-streamed request body"},
    )
    # Cloud-time seconds a RestoreObject of a GLACIER / DEEP_ARCHIVE object takes to complete
    # (AWS: minutes to hours by tier); short by default so restores are testable.
    s3_restore_seconds: float = field(
        default=5.0,
        metadata={"env": "OVERCAST_S3_RESTORE_SECONDS", "help": "seconds until an S3 restore completes"},
    )
    # Cloud-time seconds between a write and its replication by a bucket's replication rules
    # (AWS: usually seconds, 99.99% within 15 minutes with Replication Time Control).
    s3_replication_seconds: float = field(
        default=1.0,
        metadata={"env": "OVERCAST_S3_REPLICATION_SECONDS", "help": "seconds until an S3 write is replicated"},
    )
    # Cloud-time seconds between deliveries of S3 server access log objects (AWS batches
    # records and delivers within hours, best effort; minutes here so tests can move to it).
    s3_access_log_seconds: float = field(
        default=300.0,
        metadata={"env": "OVERCAST_S3_ACCESS_LOG_SECONDS", "help": "seconds between S3 access log deliveries"},
    )

    # The EC2 instance metadata service (IMDS) listens on its own port; 0 turns it off.
    imds_port: int = field(
        default=1338, metadata={"env": "OVERCAST_IMDS_PORT", "help": "port of the instance metadata service (0: off)"}
    )
    # False: IMDSv2 only (a GET without a session token is 401, as with HttpTokens=required).
    imds_v1: bool = field(
        default=True, metadata={"env": "OVERCAST_IMDS_V1", "help": "answer IMDSv1 (tokenless) requests"}
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Build settings from the environment, then apply explicit (non-None) overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is not None and raw != "":
                values[f.name] = _convert(f.type, raw)
        for name, value in overrides.items():
            if value is not None:
                values[name] = value
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment variables that reproduce these settings (for child processes)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.metadata["env"]] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return out


def _convert(type_name, raw: str):
    if type_name in (bool, "bool"):
        return _bool(raw)
    if type_name in (int, "int"):
        return int(raw)
    if type_name in (float, "float"):
        return float(raw)
    return raw
