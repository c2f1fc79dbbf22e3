"""Bucket policies: the checks S3 makes on PutBucketPolicy, and whether a policy is public.

S3 refuses a policy it cannot read with ``MalformedPolicy`` and a message naming the first
problem found; a policy that grants access to everyone (``Principal: "*"`` without a
condition that pins the caller down) is *public* (GetBucketPolicyStatus, BlockPublicPolicy).
"""

from __future__ import annotations

import fnmatch
import json

from overcast.errors import AwsError

# S3's limit on a bucket policy document: 20 KB
MAX_POLICY_BYTES = 20 * 1024
VERSIONS = ("2012-10-17", "2008-10-17")
_STATEMENT_FIELDS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                     "NotResource", "Condition"}
# Condition keys that restrict a wildcard principal to known callers: such a statement is
# not public (as S3's "public" definition for block public access lists them).
_PINNING_KEYS = {"aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceaccount", "aws:sourceowner",
                 "aws:principalorgid", "aws:principalaccount", "aws:userid", "aws:principalarn",
                 "aws:principalorgpaths", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceip"}


def malformed(message: str) -> AwsError:
    return AwsError("MalformedPolicy", message, 400)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _is_object_action(action: str) -> bool:
    name = action.split(":", 1)[-1].lower()
    return "object" in name or "multipartupload" in name


def _is_bucket_action(action: str) -> bool:
    name = action.split(":", 1)[-1].lower()
    return not _is_object_action(action) and "*" not in name


def parse_policy(text: str, bucket: str) -> dict:
    """The policy document, or ``MalformedPolicy`` as S3 words it."""
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise malformed("Policy exceeds the maximum allowed document size.")
    stripped = text.lstrip()
    try:
        document = json.loads(stripped) if stripped.startswith("{") else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise malformed("Policies must be valid JSON and the first byte must be '{'")
    for name in document:
        if name not in ("Version", "Id", "Statement"):
            raise malformed(f"Unknown field {name}")
    if "Version" in document and document["Version"] not in VERSIONS:
        raise malformed("The policy must contain a valid version string")
    if "Statement" not in document:
        raise malformed("Missing required field Statement")
    statements = _as_list(document["Statement"])
    if not statements or not all(isinstance(s, dict) for s in statements):
        raise malformed("Missing required field Statement")
    for statement in statements:
        _check_statement(statement, bucket)
    return document


def _check_statement(statement: dict, bucket: str) -> None:
    for name in statement:
        if name not in _STATEMENT_FIELDS:
            raise malformed(f"Unknown field {name}")
    if "Effect" not in statement:
        raise malformed("Missing required field Effect")
    if statement["Effect"] not in ("Allow", "Deny"):
        raise malformed(f"Invalid effect: {statement['Effect']}")
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise malformed("Missing required field Principal")
    principal = statement.get("Principal", statement.get("NotPrincipal"))
    if principal != "*" and not (isinstance(principal, dict) and principal
                                 and set(principal) <= {"AWS", "Service", "CanonicalUser", "Federated"}):
        raise malformed("Invalid principal in policy")
    if "Action" not in statement and "NotAction" not in statement:
        raise malformed("Missing required field Action")
    actions = _as_list(statement.get("Action", statement.get("NotAction")))
    for action in actions:
        if not isinstance(action, str) or not (action == "*" or action.lower().startswith("s3:")):
            raise malformed("Policy has invalid action")
    if "Resource" not in statement and "NotResource" not in statement:
        raise malformed("Missing required field Resource")
    resources = _as_list(statement.get("Resource", statement.get("NotResource")))
    for resource in resources:
        if not isinstance(resource, str) or not _names_bucket(resource, bucket):
            raise malformed("Policy has invalid resource")
    if "Action" in statement and "Resource" in statement:
        # an action only applies to the resource kind it is for (object actions to keys)
        has_object = any("/" in r or r == "*" for r in resources)
        has_bucket = any("/" not in r for r in resources)
        if not any((not _is_object_action(a) or has_object) and (not _is_bucket_action(a) or has_bucket)
                   for a in actions):
            raise malformed("Action does not apply to any resource(s) in statement")


def _names_bucket(resource: str, bucket: str) -> bool:
    if resource == "*":
        return True
    for prefix in ("arn:aws:s3:::", "arn:aws-cn:s3:::", "arn:aws-us-gov:s3:::"):
        if resource.startswith(prefix):
            name = resource[len(prefix):].split("/", 1)[0]
            return _glob_match(name, bucket)
    return False


def _glob_match(pattern: str, text: str) -> bool:
    return fnmatch.fnmatchcase(text, pattern.replace("[", "[[]"))


def is_public(document: dict) -> bool:
    """Whether an Allow statement grants everyone access without a pinning condition."""
    for statement in _as_list(document.get("Statement") or []):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        wildcard = principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS", [])))
        if not wildcard:
            continue
        condition = statement.get("Condition") or {}
        keys = {key.lower() for block in condition.values() if isinstance(block, dict) for key in block}
        if not keys & _PINNING_KEYS:
            return True
    return False
