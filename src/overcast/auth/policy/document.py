"""Policy documents: ``parse_policy`` reads the JSON, checks it the way IAM does (answering
IAM's own ``MalformedPolicyDocument`` texts) and returns a ``Policy`` of normalised statements.

The order of the checks follows IAM's: JSON and element syntax first ("Syntax errors in
policy."), then the version rule for managed policies, then the "legacy" parser (Effect case,
date values, resource shapes), then Sid uniqueness, actions, resources, principals.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy import principals as principal_rules
from overcast.auth.policy import resources as resource_rules
from overcast.auth.policy.dates import parse_date

VERSIONS = ("2012-10-17", "2008-10-17")
# Absent Version = the 2008-10-17 language (no policy variables).
DEFAULT_VERSION = "2008-10-17"
KINDS = ("identity", "managed", "resource", "trust", "boundary", "session")
# Kinds whose documents IAM itself stores (Sid rules, Principal forbidden or trust-only).
_IAM_KINDS = ("identity", "managed", "trust", "boundary", "session")
_NO_PRINCIPAL_KINDS = ("identity", "managed", "boundary", "session")

TOP_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
    "Principal", "NotPrincipal", "Condition",
)
OPERATORS = (
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
    "DateGreaterThan", "DateGreaterThanEquals",
    "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
    "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
)
SET_PREFIXES = ("ForAnyValue:", "ForAllValues:")
_SID = re.compile(r"[0-9A-Za-z]*")


@dataclass(frozen=True)
class Condition:
    """One key under one operator: ``{"StringEquals": {"aws:username": ["a", "b"]}}`` gives
    Condition("StringEquals", "aws:username", ("a", "b"))."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """A normalised statement; list-valued elements are tuples, absent ones None."""

    effect: str
    sid: str | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principal: principal_rules.PrincipalSpec | None = None
    not_principal: principal_rules.PrincipalSpec | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass
class Policy:
    """A parsed document. ``source`` labels it in decisions (policy name or ARN)."""

    statements: list[Statement]
    version: str
    text: str
    source: str = ""
    kind: str = "identity"
    id: str | None = None
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only in the 2012-10-17 language."""
        return self.version == "2012-10-17"


def policy_size(text: str) -> int:
    """Characters IAM counts against size quotas: everything but whitespace."""
    return sum(1 for char in text if not char.isspace())


def parse_policy(text: str, kind: str, source: str = "") -> Policy:
    """Parse and validate a policy document.

    ``kind`` is identity | managed | resource | trust | boundary | session ("managed" is an
    identity policy stored as a managed policy: IAM requires Version 2012-10-17 there).
    Raises PolicyDocumentError with IAM's message when IAM would refuse the document.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown policy kind {kind!r}")
    document = _load(text, kind)
    statements = _check_syntax(document)
    version = document.get("Version", DEFAULT_VERSION)
    if kind == "managed" and version != "2012-10-17":
        raise PolicyDocumentError("Policy document must be version 2012-10-17 or greater.")
    if kind in _NO_PRINCIPAL_KINDS and any(
        "Principal" in raw or "NotPrincipal" in raw for raw in statements
    ):
        raise PolicyDocumentError("Policy document should not specify a principal.")
    # Resource policies belong to S3, SQS...: those services check their documents with their
    # own rules and texts first; the engine only needs what it evaluates, so value formats
    # (Sid, ARNs, vendors, dates) are IAM's checks alone.
    iam_document = kind != "resource"
    if iam_document and any(not _passes_legacy_parsing(raw) for raw in statements):
        raise PolicyDocumentError("The policy failed legacy parsing")
    if iam_document:
        _check_sids(statements, kind)
    for raw in statements:
        _check_actions(raw, kind)
    for raw in statements:
        _check_resources(raw, kind)
    for raw in statements:
        _check_principals(raw, kind)
    return Policy(
        statements=[_normalise(raw) for raw in statements],
        version=version,
        text=text,
        source=source,
        kind=kind,
        id=document.get("Id"),
        raw=document,
    )


def _reject_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key}")
        result[key] = value
    return result


def _reject_constant(name):
    raise ValueError(f"not JSON: {name}")


def _load(text, kind: str = "identity") -> dict:
    # CreateRole/UpdateAssumeRolePolicy answer unparseable JSON with their own text.
    unparseable = "This policy contains invalid Json" if kind == "trust" else "Syntax errors in policy."
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise PolicyDocumentError(unparseable) from None
    if not isinstance(text, str):
        raise PolicyDocumentError(unparseable)
    try:
        # json.loads already refuses trailing garbage after the document.
        # IAM refuses a document that names a key twice; the services that own resource
        # policies read them as plain JSON (the last value wins), and so does the engine.
        hook = _reject_duplicates if kind != "resource" else None
        document = json.loads(text, object_pairs_hook=hook, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise PolicyDocumentError(unparseable) from None
    if not isinstance(document, dict):
        raise PolicyDocumentError("Syntax errors in policy.")
    return document


def _syntax(ok: bool) -> None:
    if not ok:
        raise PolicyDocumentError("Syntax errors in policy.")


def _string_or_strings(value) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _condition_scalar(value) -> bool:
    return isinstance(value, (str, bool, int, float))


def _check_syntax(document: dict) -> list[dict]:
    _syntax(all(key in TOP_ELEMENTS for key in document))
    _syntax("Version" not in document or document["Version"] in VERSIONS)
    _syntax("Id" not in document or isinstance(document["Id"], str))
    _syntax("Statement" in document)
    raw = document["Statement"]
    statements = [raw] if isinstance(raw, dict) else raw
    _syntax(isinstance(statements, list) and len(statements) > 0)
    for statement in statements:
        _check_statement_syntax(statement)
    return statements


def _check_statement_syntax(statement) -> None:
    _syntax(isinstance(statement, dict))
    _syntax(all(key in STATEMENT_ELEMENTS for key in statement))
    _syntax(not ("Action" in statement and "NotAction" in statement))
    _syntax(not ("Resource" in statement and "NotResource" in statement))
    _syntax(not ("Principal" in statement and "NotPrincipal" in statement))
    effect = statement.get("Effect")
    _syntax(isinstance(effect, str) and effect.lower() in ("allow", "deny"))
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        _syntax(key not in statement or _string_or_strings(statement[key]))
    _syntax("Sid" not in statement or isinstance(statement["Sid"], str))
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            _syntax(principal_rules.well_formed(statement[key]))
    if "Condition" in statement:
        block = statement["Condition"]
        _syntax(isinstance(block, dict))
        for operator, keys in block.items():
            _syntax(isinstance(keys, dict))
            for values in keys.values():
                _syntax(
                    _condition_scalar(values)
                    or (isinstance(values, list) and all(map(_condition_scalar, values)))
                )
            _syntax(base_operator(operator) in OPERATORS or not keys)


def base_operator(operator: str) -> str:
    """``ForAnyValue:StringLikeIfExists`` -> ``StringLike``."""
    for prefix in SET_PREFIXES:
        if operator.startswith(prefix):
            operator = operator[len(prefix):]
            break
    if operator.endswith("IfExists"):
        operator = operator[: -len("IfExists")]
    return operator


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _passes_legacy_parsing(statement: dict) -> bool:
    if statement["Effect"] not in ("Allow", "Deny"):  # case-sensitive here
        return False
    for operator, keys in statement.get("Condition", {}).items():
        if base_operator(operator).startswith("Date"):
            for values in keys.values():
                if any(parse_date(value) is None for value in _as_list(values)):
                    return False
    for key in ("Resource", "NotResource"):
        for resource in _as_list(statement.get(key, [])):
            if not resource_rules.passes_legacy_parsing(resource):
                return False
    return True


def _check_sids(statements: list[dict], kind: str) -> None:
    seen = set()
    for statement in statements:
        sid = statement.get("Sid")
        if sid:
            if sid in seen:
                raise PolicyDocumentError("Statement IDs (SID) in a single policy must be unique.")
            seen.add(sid)
    if kind in _IAM_KINDS:
        for statement in statements:
            if not _SID.fullmatch(statement.get("Sid", "")):
                raise PolicyDocumentError(
                    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies"
                    " the regular expression [0-9A-Za-z]*"
                )


def _check_actions(statement: dict, kind: str) -> None:
    key = "Action" if "Action" in statement else "NotAction"
    actions = _as_list(statement.get(key, []))
    if not actions:
        raise PolicyDocumentError("Policy statement must contain actions.")
    if kind == "resource":
        return
    for action in actions:
        parts = action.split(":")
        if len(parts) == 1 and action != "*":
            raise PolicyDocumentError(
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
            )
        if len(parts) > 2:
            raise PolicyDocumentError("Actions/Condition can contain only one colon.")
        if action != "*" and re.search(r"[^a-zA-Z0-9\-.]", parts[0]):
            raise PolicyDocumentError(f"Vendor {parts[0]} is not valid")
    if kind == "trust" and key == "Action":
        for action in actions:
            low = action.lower()
            if not (low == "*" or low.startswith("sts:")):
                raise PolicyDocumentError(
                    "AssumeRole policy may only specify STS AssumeRole actions."
                )


def _check_resources(statement: dict, kind: str) -> None:
    present = [key for key in ("Resource", "NotResource") if key in statement]
    if kind == "trust":
        if present:
            raise PolicyDocumentError(f"Has prohibited field {present[0]}")
        return
    resources = _as_list(statement.get(present[0], [])) if present else []
    if not resources:
        raise PolicyDocumentError("Policy statement must contain resources.")
    for resource in sorted(resources, reverse=True) if kind != "resource" else ():
        message = resource_rules.format_error(resource)
        if message:
            raise PolicyDocumentError(message)


def _check_principals(statement: dict, kind: str) -> None:
    if kind not in ("trust", "resource"):
        return
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise PolicyDocumentError("Missing required field Principal")
    for key in ("Principal", "NotPrincipal"):
        if key in statement:
            message = principal_rules.validation_error(statement[key], kind)
            if message:
                raise PolicyDocumentError(message)


def _tuple(statement: dict, key: str) -> tuple[str, ...] | None:
    if key not in statement:
        return None
    return tuple(_as_list(statement[key]))


def condition_text(value) -> str:
    """Condition values as the engine compares them: JSON true/false -> "true"/"false"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _normalise(statement: dict) -> Statement:
    conditions = []
    for operator, keys in statement.get("Condition", {}).items():
        for key, values in keys.items():
            conditions.append(
                Condition(operator, key, tuple(condition_text(v) for v in _as_list(values)))
            )
    return Statement(
        # "deny" in a lenient (resource) document still denies.
        effect="Deny" if statement["Effect"].lower() == "deny" else "Allow",
        sid=statement.get("Sid"),
        actions=_tuple(statement, "Action"),
        not_actions=_tuple(statement, "NotAction"),
        resources=_tuple(statement, "Resource"),
        not_resources=_tuple(statement, "NotResource"),
        principal=principal_rules.spec(statement["Principal"]) if "Principal" in statement else None,
        not_principal=(
            principal_rules.spec(statement["NotPrincipal"]) if "NotPrincipal" in statement else None
        ),
        conditions=tuple(conditions),
    )
