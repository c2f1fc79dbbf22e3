"""The per-service action tables (``actions/<service>.json``): operation -> what to authorize.

Each table follows AWS's Service Authorization Reference. An operation maps to a list of
entries (an empty list: the operation needs no permission, as GetCallerIdentity):

``action``        the IAM action (``s3:GetObject``)
``resources``     names of the table's ``resources`` templates, each an ARN with ``${...}``
                  placeholders: a request parameter (dotted path), a derived value
                  (``derived.py``: Partition, Region, Account, QueueName, CopySourceBucket...),
                  ``${A|B}`` (A, else B) and ``${A|'text'}`` (A, else the literal)
``if``/``unless`` the entry applies only when a parameter is present (``if``: one of a list) /
                  absent
``each``          a list parameter: the entry is checked once per item (``${item}``,
                  ``${item.Key}``)
``conditions``    service condition key -> parameter path (``=text`` for a literal value)
``request_tags``  ``{"path", "format": map|list|query|tag-specifications}``: aws:RequestTag/*
                  and aws:TagKeys (or ``prefix``/``keys``) from the request's tags
``tag_keys``      a list parameter of tag keys: aws:TagKeys
``item_denials``  (with ``each``) a denied item does not fail the request: the service reports
                  it among the item results (S3 DeleteObjects answers AccessDenied per key)
``existing_object_tags``  S3: the object's tags are s3:ExistingObjectTag/<key> (read only when
                  a policy of the request names that key)
``probe``         decided but never refused: the outcome is left in ``ctx.extra["probes"][action]``
                  for the service (S3 answers a missing key 403 to a caller without s3:ListBucket)
``trust_checked_by_service``  the resource's own policy (a role's trust policy) is checked by
                  the service itself: only the caller's identity policies are evaluated here
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

_TABLES = Path(__file__).with_name("actions")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
# EC2 resource id prefix -> the resource type in its ARN (for CreateTags on any resource)
_EC2_TYPES = {"i": "instance", "ami": "image", "vol": "volume", "snap": "snapshot", "sg": "security-group",
              "subnet": "subnet", "vpc": "vpc", "eni": "network-interface", "igw": "internet-gateway",
              "rtb": "route-table", "acl": "network-acl", "eipalloc": "elastic-ip", "lt": "launch-template"}


@dataclass(frozen=True)
class Check:
    """One action on one or more resources, with the service condition keys of the request."""

    action: str
    resources: tuple[str, ...]
    conditions: dict = field(default_factory=dict)
    trust_checked_by_service: bool = False
    item: object = None  # the ``each`` item this check is for, when it reports denials per item
    probe: bool = False
    existing_object_tags: bool = False


@functools.lru_cache(maxsize=None)
def load_table(service: str) -> dict | None:
    """The parsed table of ``service``, or None when there is none."""
    path = _TABLES / f"{service}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def table_services() -> list[str]:
    return sorted(p.stem for p in _TABLES.glob("*.json"))


def checks_for(service: str, operation: str, params: dict, derived: dict) -> list[Check] | None:
    """The checks an operation call needs, or None when the table has no entry for it."""
    table = load_table(service)
    if table is None:
        return None
    entries = table["operations"].get(operation)
    if entries is None:
        return None
    templates = table["resources"]
    out: list[Check] = []
    for entry in entries:
        items = [None]
        if "each" in entry:
            found = lookup(entry["each"], params, derived, None)
            items = found if isinstance(found, list) else []
        for item in items:
            if "if" in entry and all(_absent(lookup(path, params, derived, item)) for path in _paths(entry["if"])):
                continue
            if "unless" in entry and not _absent(lookup(entry["unless"], params, derived, item)):
                continue
            resources = tuple(render(templates[name], params, derived, item) for name in entry["resources"])
            conditions = {}
            for key, path in entry.get("conditions", {}).items():
                value = path[1:] if path.startswith("=") else lookup(path, params, derived, item)
                if not _absent(value):
                    conditions[key] = _context_value(value)
            if "request_tags" in entry:
                conditions.update(request_tags(entry["request_tags"], params))
            if "tag_keys" in entry:
                keys = params.get(entry["tag_keys"])
                if isinstance(keys, list):
                    conditions["aws:TagKeys"] = [str(k) for k in keys]
            out.append(Check(entry["action"], resources, conditions, bool(entry.get("trust_checked_by_service")),
                             item if entry.get("item_denials") else None, bool(entry.get("probe")),
                             bool(entry.get("existing_object_tags"))))
    return out


# derived values (derived.py) read from a request parameter that may travel in the body
_DERIVED_FROM = {"LockRetainUntilDate": "Retention", "LockRemainingDays": "Retention"}


@functools.lru_cache(maxsize=None)
def parameters_read(service: str, operation: str, structural_only: bool = False) -> frozenset[str]:
    """The top-level request parameters the table entries of an operation read (resources,
    conditions, tags, items), so the gateway knows whether a decision needs the body; with
    ``structural_only``, those that choose the checks themselves (resources, items, if/unless),
    not the ones that only fill condition keys."""
    table = load_table(service)
    entries = (table or {}).get("operations", {}).get(operation) or []
    paths: list[str] = []
    for entry in entries:
        for name in entry.get("resources", []):
            for placeholder in _PLACEHOLDER.findall(table["resources"].get(name, "")):
                paths.extend(choice for choice in placeholder.split("|") if not choice.startswith("'"))
        for key in ("each", "if", "unless") if structural_only else ("each", "if", "unless", "tag_keys"):
            if key in entry:
                paths.extend(_paths(entry[key]))
        if structural_only:
            continue
        paths.extend(path for path in entry.get("conditions", {}).values() if not path.startswith("="))
        if "request_tags" in entry:
            paths.append(entry["request_tags"]["path"])
    roots = {path.split(".", 1)[0] for path in paths if path != "item" and not path.startswith("item.")}
    return frozenset(_DERIVED_FROM.get(root, root) for root in roots)


def lookup(path: str, params: dict, derived: dict, item):
    """A dotted parameter path (``Delete.Objects``, ``item.Key``), or a derived value."""
    if path == "item":
        return item
    if path.startswith("item."):
        name = path[5:]
        if isinstance(item, dict):
            return item.get(name)
        if name == "ec2type" and isinstance(item, str):
            return _EC2_TYPES.get(item.split("-", 1)[0], "*")
        return None
    if path in derived:
        return derived[path]
    value = params
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def render(template: str, params: dict, derived: dict, item) -> str:
    """A resource template with its placeholders filled (a missing value renders empty)."""

    def fill(match: re.Match) -> str:
        for choice in match.group(1).split("|"):
            if choice.startswith("'") and choice.endswith("'"):
                return choice[1:-1]
            value = lookup(choice, params, derived, item)
            if not _absent(value):
                return str(value)
        return ""

    return _PLACEHOLDER.sub(fill, template)


def request_tags(spec: dict, params: dict) -> dict:
    """aws:RequestTag/<key> and aws:TagKeys (or the service's own names) from the request's tags."""
    raw = lookup(spec["path"], params, {}, None)
    pairs: list[tuple[str, str]] = []
    kind = spec.get("format", "list")
    if kind == "map" and isinstance(raw, dict):
        pairs = [(str(k), str(v)) for k, v in raw.items()]
    elif kind == "list" and isinstance(raw, list):
        pairs = [(str(t.get("Key")), str(t.get("Value", ""))) for t in raw if isinstance(t, dict)]
    elif kind == "query" and isinstance(raw, str):  # S3's x-amz-tagging header: k1=v1&k2=v2
        pairs = [(k, v) for k, v in parse_qsl(raw, keep_blank_values=True)]
    elif kind == "tag-specifications" and isinstance(raw, list):
        for spec_entry in raw:
            for tag in (spec_entry or {}).get("Tags") or []:
                pairs.append((str(tag.get("Key")), str(tag.get("Value", ""))))
    if not pairs:
        return {}
    prefix = spec.get("prefix", "aws:RequestTag/")
    out: dict = {f"{prefix}{k}": v for k, v in pairs}
    out[spec.get("keys", "aws:TagKeys")] = [k for k, _ in pairs]
    return out


def _paths(value) -> list[str]:
    return value if isinstance(value, list) else [value]


def _absent(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _context_value(value):
    """Context values are strings or lists of strings (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_context_value(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)
