"""IAM's errors, with the codes the service model declares and the messages IAM writes."""

from __future__ import annotations

from overcast.errors import AwsError

__all__ = ["AwsError"]  # re-exported for modules raising a code without a helper


def no_such_entity(message: str) -> AwsError:
    return AwsError("NoSuchEntity", message)


def entity_exists(message: str) -> AwsError:
    return AwsError("EntityAlreadyExists", message)


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceeded", message)


def quota(name: str, value: int) -> AwsError:
    """IAM's wording for a service quota: ``Cannot exceed quota for AccessKeysPerUser: 2``."""
    return AwsError("LimitExceeded", f"Cannot exceed quota for {name}: {value}")


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInput", message)


def validation(message: str) -> AwsError:
    return AwsError("ValidationError", message)


def malformed_policy(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocument", message)


def unmodifiable(message: str) -> AwsError:
    return AwsError("UnmodifiableEntity", message)


def user_not_found(name: str) -> AwsError:
    return no_such_entity(f"The user with name {name} cannot be found.")


def group_not_found(name: str) -> AwsError:
    return no_such_entity(f"The group with name {name} cannot be found.")


def role_not_found(name: str) -> AwsError:
    return no_such_entity(f"The role with name {name} cannot be found.")


def profile_not_found(name: str) -> AwsError:
    return no_such_entity(f"Instance Profile {name} cannot be found.")


def policy_not_found(arn: str) -> AwsError:
    return no_such_entity(f"Policy {arn} was not found.")


def policy_not_attachable(arn: str) -> AwsError:
    """Attaching (or naming as a boundary) a policy that does not exist."""
    return no_such_entity(f"Policy {arn} does not exist or is not attachable.")
