"""Checks on the Resource/NotResource strings of a policy, with IAM's messages."""

from __future__ import annotations

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f")
IAM_PATH_STARTS = (
    "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
    "server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/",
    "report/", "access-report/",
)


def format_error(resource: str) -> str | None:
    """IAM's message for a resource string it refuses, or None when it is acceptable."""
    if resource == "*":
        return None
    parts = resource.split(":")
    if len(parts) < 2 or parts[0] != "arn":
        return f'Resource {resource} must be in ARN format or "*".'
    partition = parts[1]
    if partition not in PARTITIONS:
        rest = parts[2:]
        fields = [
            rest[0] if rest and (rest[0] or len(rest) > 1) else "*",
            rest[1] if len(rest) > 1 else "*",
            rest[2] if len(rest) > 2 else "*",
            ":".join(rest[3:]) if len(rest) > 3 else "*",
        ]
        return (
            f'Partition "{partition}" is not valid for resource '
            f'"arn:{partition}:{fields[0]}:{fields[1]}:{fields[2]}:{fields[3]}".'
        )
    if len(parts) < 3 or not parts[2] or any(char in parts[2] for char in "*?"):
        return "Resource vendor must be fully qualified and cannot contain regexes."
    service = parts[2]
    region = parts[3] if len(parts) > 3 else ""
    if service == "iam" and region:
        return f"IAM resource {resource} cannot contain region information."
    if service == "s3" and region:
        return f"Resource {resource} can not contain region information."
    if service == "iam":
        path = ":".join(parts[5:]) if len(parts) > 5 else ""
        # "root" (the account's root user) is accepted as a resource too.
        if path not in ("*", "root") and not path.startswith(IAM_PATH_STARTS):
            starts = ", ".join(IAM_PATH_STARTS)
            return f'IAM resource path must either be "*" or start with {starts}.'
    return None


def passes_legacy_parsing(resource: str) -> bool:
    """IAM's older parser refuses ARNs that use "::" but have fewer than six fields."""
    if resource == "*" or format_error(resource) is not None:
        return True  # format errors are reported later, with their own message
    parts = resource.split(":")
    if "::" in resource and resource.count(":") < 5:
        return False
    return len(parts) > 2 and parts[2] != ""
