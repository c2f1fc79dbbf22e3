"""The quotas data file: read and checked once at start (a bad file refuses to start)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources

SCOPES = ("account", "prefix", "queue")
_KEYS = {"name", "service", "operations", "methods", "scope", "shared", "fifo_only", "fifo_throughput_limit",
         "key_specs", "rate", "regions", "burst", "source", "comment"}
FIFO_THROUGHPUT_LIMITS = ("perQueue", "perMessageGroupId")


class QuotasFileError(ValueError):
    """The data file cannot be used; the message (one line) says where and why."""


@dataclass(frozen=True)
class Quota:
    """One entry of the data file."""

    index: int
    name: str
    service: str
    scope: str
    rate: float
    burst: float | None = None
    operations: frozenset[str] | None = None  # None: every operation
    methods: frozenset[str] | None = None
    shared: bool = False
    fifo_only: bool = False
    fifo_throughput_limit: str | None = None  # SQS: the queue's mode (perMessageGroupId: high throughput)
    key_specs: tuple[str, ...] = ()
    regions: dict[str, float] = field(default_factory=dict)

    def rate_in(self, region: str) -> float:
        return self.regions.get(region, self.rate)

    def burst_in(self, region: str) -> float:
        # one second's worth unless the file says otherwise, never less than one request
        return self.burst if self.burst is not None else max(1.0, self.rate_in(region))

    def covers_key_spec(self, spec: str) -> bool:
        return any(spec == s or (s.endswith("_") and spec.startswith(s)) for s in self.key_specs)


def load(setting: str) -> dict[str, list[Quota]]:
    """The quotas of ``setting`` (``aws`` or a file's path), by service, in the file's order."""
    if setting == "aws":
        text = resources.files("overcast.quotas").joinpath("aws.json").read_text("utf-8")
        where = "the shipped aws.json"
    else:
        try:
            with open(setting, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise QuotasFileError(f"{setting} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
        where = setting
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise QuotasFileError(f"{where} is not JSON: {exc}") from None
    entries = document.get("quotas") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise QuotasFileError(f"{where} has no \"quotas\" list")
    by_service: dict[str, list[Quota]] = {}
    for index, entry in enumerate(entries):
        quota = _quota(index, entry, f"{where}: quotas[{index}]")
        by_service.setdefault(quota.service, []).append(quota)
    return by_service


def _quota(index: int, entry, where: str) -> Quota:
    if not isinstance(entry, dict):
        raise QuotasFileError(f"{where} is not an object")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise QuotasFileError(f"{where} has unknown field {unknown[0]!r}")
    service = entry.get("service")
    if service not in _service_names():
        raise QuotasFileError(f"{where}: service {service!r} is not an AWS service name (like s3, kms, sqs)")
    scope = entry.get("scope", "account")
    if scope not in SCOPES or (scope == "prefix" and service != "s3") or (scope == "queue" and service != "sqs"):
        raise QuotasFileError(f"{where}: scope {scope!r} is not one of account, prefix (s3), queue (sqs)")
    rate = _positive(entry.get("rate"), f"{where}: rate")
    burst = entry.get("burst")
    throughput = entry.get("fifo_throughput_limit")
    if throughput is not None and (service != "sqs" or throughput not in FIFO_THROUGHPUT_LIMITS):
        raise QuotasFileError(f"{where}: fifo_throughput_limit must be perQueue or perMessageGroupId (sqs)")
    regions = entry.get("regions", {})
    if not isinstance(regions, dict):
        raise QuotasFileError(f"{where}: regions must map a region to a rate")
    operations = _names(entry.get("operations"), f"{where}: operations")
    unknown_operations = sorted((operations or set()) - _operation_names(service))
    if unknown_operations:  # a misspelt name would silently never match
        raise QuotasFileError(f"{where}: {unknown_operations[0]!r} is not an operation of {service}")
    return Quota(
        index=index,
        name=str(entry.get("name", f"quotas[{index}]")),
        service=service,
        scope=scope,
        rate=rate,
        burst=None if burst is None else max(1.0, _positive(burst, f"{where}: burst")),
        operations=operations,
        methods=_names(entry.get("methods"), f"{where}: methods", upper=True),
        shared=_flag(entry.get("shared", False), f"{where}: shared"),
        fifo_only=_flag(entry.get("fifo_only", False), f"{where}: fifo_only") or throughput is not None,
        fifo_throughput_limit=throughput,
        key_specs=tuple(_names(entry.get("key_specs"), f"{where}: key_specs") or ()),
        regions={str(k): _positive(v, f"{where}: regions.{k}") for k, v in regions.items()},
    )


def _positive(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise QuotasFileError(f"{where} must be a positive number")
    return float(value)


def _flag(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise QuotasFileError(f"{where} must be true or false")
    return value


def _names(value, where: str, upper: bool = False) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise QuotasFileError(f"{where} must be a non-empty list of names")
    return frozenset(v.upper() if upper else v for v in value)


def _service_names() -> set[str]:
    import botocore.session

    return set(botocore.session.get_session().get_available_services())


def _operation_names(service: str) -> set[str]:
    import botocore.session

    return set(botocore.session.get_session().get_service_model(service).operation_names)
