"""Session policies and session tags passed to AssumeRole*, GetFederationToken.

AWS packs the session policies and tags into the session token and reports how much of the
space they take as ``PackedPolicySize`` (a percentage); over 100% is ``PackedPolicyTooLarge``.
AWS does not publish its packing format. Overcast packs the minified policies and the tags with
zlib and measures them against a fixed budget, which gives the same shape of behaviour: a
plain policy uses a small share, very large or random policies and tag sets overflow.
"""

from __future__ import annotations

import json
import math
import zlib

from overcast.errors import ValidationError
from overcast.services.sts.errors import InvalidParameterValue, MalformedPolicyDocument, PackedPolicyTooLarge

# "The plaintext that you use for both inline and managed session policies can't exceed
# 2,048 characters" (AssumeRole API reference).
MAX_POLICY_CHARS = 2048
# At most 10 managed session policies (AssumeRole API reference: PolicyArns).
MAX_POLICY_ARNS = 10
# The packed budget, in zlib-compressed bytes (see the module docstring): a 2,048-character
# policy of random names uses about 60%, as do 50 short random tags; 50 long ones overflow.
PACKED_BUDGET_BYTES = 2048


async def session_policy_texts(ctx, params: dict) -> list[str]:
    """The documents of ``Policy`` and ``PolicyArns``, validated (JSON texts)."""
    texts = []
    policy = params.get("Policy")
    if policy is not None:
        if len(policy) > MAX_POLICY_CHARS:
            raise ValidationError(
                message="1 validation error detected: Value at 'policy' failed to satisfy constraint: "
                f"Member must have length less than or equal to {MAX_POLICY_CHARS}",
                status=400,
            )
        _check_policy(policy)
        texts.append(policy)
    arns = params.get("PolicyArns") or []
    if len(arns) > MAX_POLICY_ARNS:
        raise ValidationError(
            message="1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_POLICY_ARNS}",
            status=400,
        )
    for item in arns:
        texts.append(await _managed_policy_text(ctx, item.get("arn") or ""))
    return texts


def _check_policy(text: str) -> None:
    from overcast.auth.policy import PolicyDocumentError, parse_policy

    try:
        parse_policy(text, "session", "session policy")
    except PolicyDocumentError as exc:
        raise MalformedPolicyDocument(message=exc.message) from None


async def _managed_policy_text(ctx, arn: str) -> str:
    """A managed policy's default version, read through IAM's own API (GetPolicy/GetPolicyVersion)."""
    from overcast.errors import AwsError

    parts = arn.split(":")
    account = parts[4] if len(parts) > 5 and parts[4].isdigit() else ctx.account
    try:
        policy = (await ctx.services.call("iam", "GetPolicy", {"PolicyArn": arn}, account=account))["Policy"]
        version = (
            await ctx.services.call(
                "iam", "GetPolicyVersion", {"PolicyArn": arn, "VersionId": policy["DefaultVersionId"]}, account=account
            )
        )["PolicyVersion"]
    except AwsError:
        # What STS answers for a PolicyArns entry that names no policy it can read.
        raise MalformedPolicyDocument(message=f"The policy {arn} does not exist or is not attachable.") from None
    document = version["Document"]
    if isinstance(document, dict):
        return json.dumps(document)
    from urllib.parse import unquote

    return unquote(document)


def session_tags(params: dict) -> list[tuple[str, str]]:
    """``Tags`` as (key, value) pairs, checked as STS checks them: keys are unique ignoring case
    (as IAM tag keys are), and every ``TransitiveTagKeys`` entry names one of them (ignoring case)."""
    tags = [(tag["Key"], tag.get("Value", "")) for tag in params.get("Tags") or []]
    seen = set()
    for key, _ in tags:
        if key.lower() in seen:
            raise InvalidParameterValue(
                message="Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen.add(key.lower())
    for key in params.get("TransitiveTagKeys") or []:
        if key.lower() not in seen:
            raise InvalidParameterValue(
                message="The specified transitive tag key must be included in the requested tags.")
    return tags


def check_inherited_transitive(tags: list[tuple[str, str]], inherited: list[tuple[str, str]]) -> None:
    """A chained session may not set a tag whose key the calling session passes on as transitive."""
    taken = {key.lower() for key, _ in inherited}
    if any(key.lower() in taken for key, _ in tags):
        raise InvalidParameterValue(
            message="One of the specified transitive tag keys can't be set because it conflicts with a "
            "transitive tag key from the calling session.")


def packed_policy_size(policies: list[str], tags: list[tuple[str, str]]) -> int | None:
    """The share (percent) of the packed space the policies and tags use; None when both are empty.

    Raises ``PackedPolicyTooLarge`` above 100%.
    """
    if not policies and not tags:
        return None
    minified = [json.dumps(json.loads(text), separators=(",", ":"), sort_keys=True) for text in policies]
    packed = "\n".join(minified) + "\n" + "\n".join(f"{k}={v}" for k, v in tags)
    size = math.ceil(100 * len(zlib.compress(packed.encode("utf-8"), 9)) / PACKED_BUDGET_BYTES)
    if size > 100:
        raise PackedPolicyTooLarge(
            message=f"Packed policy consumes {size}% of allotted space, please use smaller policy."
        )
    return size
