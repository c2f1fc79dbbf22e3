"""Every Overcast setting, its environment variable and its default, in one place.

A setting is resolved in this order: command-line flag, then ``OVERCAST_<NAME>``
environment variable, then the default below.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, fields

DEFAULT_ACCOUNT = "000000000000"
LOG_LEVELS = ("debug", "info", "warning", "error")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SettingsError(ValueError):
    """A setting Overcast cannot run with; the message (one line) names it and says why."""


def _bool(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("is not a boolean (1/0, true/false, yes/no, on/off)")


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
        metadata={"env": "OVERCAST_STRICT", "help": "verify signatures and authorize every request with IAM policies"},
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

    # Connection limits (gateway/http_protocol.py). S3 refuses a request header section above
    # 8 KB (RequestHeaderSectionTooLarge); a client that does not finish its headers, or
    # stops sending a body, is disconnected so it cannot hold a connection forever.
    max_header_bytes: int = field(
        default=8192,
        metadata={"env": "OVERCAST_MAX_HEADER_BYTES", "help": "largest request header section (names and values)"},
    )
    header_timeout_seconds: float = field(
        default=20.0,
        metadata={"env": "OVERCAST_HEADER_TIMEOUT_SECONDS", "help": "seconds a connection has to send a request's headers"},
    )
    body_timeout_seconds: float = field(
        default=20.0,
        metadata={"env": "OVERCAST_BODY_TIMEOUT_SECONDS", "help": "seconds a request body may stop arriving"},
    )
    idle_timeout_seconds: float = field(
        default=60.0,
        metadata={"env": "OVERCAST_IDLE_TIMEOUT_SECONDS", "help": "seconds an idle keep-alive connection stays open"},
    )
    # On SIGTERM/SIGINT: stop accepting, answer waiting long polls, give requests in flight
    # this long to finish, then close what is left.
    shutdown_grace_seconds: float = field(
        default=5.0,
        metadata={"env": "OVERCAST_SHUTDOWN_GRACE_SECONDS", "help": "seconds requests in flight get at shutdown"},
    )

    # The EC2 instance metadata service (IMDS) listens on its own port; 0 turns it off.
    imds_port: int = field(
        default=1338, metadata={"env": "OVERCAST_IMDS_PORT", "help": "port of the instance metadata service (0: off)"}
    )
    # False: IMDSv2 only (a GET without a session token is 401, as with HttpTokens=required).
    imds_v1: bool = field(
        default=True, metadata={"env": "OVERCAST_IMDS_V1", "help": "answer IMDSv1 (tokenless) requests"}
    )

    # The X-Ray daemon's UDP (segments) and TCP (centralized sampling) port; 0 turns it off.
    xray_port: int = field(
        default=2000, metadata={"env": "OVERCAST_XRAY_PORT", "help": "port of the X-Ray daemon, UDP and TCP (0: off)"}
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Build settings from the environment, then apply explicit (non-None) overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is not None and raw != "":
                try:
                    values[f.name] = _convert(f.type, raw)
                except ValueError as exc:
                    reason = str(exc) if f.type in (bool, "bool") else f"is not {_KIND[f.type]}"
                    raise SettingsError(f"{f.metadata['env']}={raw!r} {reason}") from None
        for name, value in overrides.items():
            if value is not None:
                values[name] = value
        return cls(**values)

    def validate(self) -> None:
        """Raise ``SettingsError`` for the first setting Overcast cannot run with."""
        for name, low, high in (("port", 1, 65535), ("imds_port", 0, 65535), ("xray_port", 0, 65535), ("max_body_bytes", 1, None),
                                ("max_header_bytes", 1024, None)):
            value = getattr(self, name)
            if value < low or (high is not None and value > high):
                limit = f"{low}..{high}" if high is not None else f"at least {low}"
                raise SettingsError(f"{_env(name)}={value} is out of range ({limit})")
        for name in ("s3_restore_seconds", "s3_replication_seconds", "header_timeout_seconds",
                     "body_timeout_seconds", "idle_timeout_seconds", "shutdown_grace_seconds"):
            value = getattr(self, name)
            positive = name.endswith("timeout_seconds")
            if not math.isfinite(value) or value < 0 or (positive and value == 0):
                raise SettingsError(f"{_env(name)}={value} must be a {'positive' if positive else 'non-negative'} "
                                    "number of seconds")
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(f"{_env('log_level')}={self.log_level!r} is not one of {', '.join(LOG_LEVELS)}")
        if not self.host.strip():
            raise SettingsError(f"{_env('host')} is empty")
        if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d+", self.region):
            raise SettingsError(f"{_env('region')}={self.region!r} is not a region name (like us-east-1)")
        from overcast.auth.credentials import parse_static_keys

        try:
            parse_static_keys(self.access_keys)
        except ValueError:  # its message would repeat a secret
            raise SettingsError(f"{_env('access_keys')}: every entry must be KEY:SECRET or KEY:SECRET:ACCOUNT "
                                "(a 12-digit account)") from None

    def to_env(self) -> dict[str, str]:
        """The environment variables that reproduce these settings (for child processes)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.metadata["env"]] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return out


_KIND = {int: "an integer", "int": "an integer", float: "a number", "float": "a number", str: "text", "str": "text"}


def _env(name: str) -> str:
    return next(f.metadata["env"] for f in fields(Settings) if f.name == name)


def _convert(type_name, raw: str):
    if type_name in (bool, "bool"):
        return _bool(raw)
    if type_name in (int, "int"):
        return int(raw)
    if type_name in (float, "float"):
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(raw)
        return value
    return raw
