"""EventBridge's errors, with AWS's codes (the model's error shapes: all 400 but
InternalException, 500) and the texts several concerns answer."""

from __future__ import annotations

from overcast.errors import AwsError


def _error(code: str, status: int = 400):
    def make(message: str) -> AwsError:
        return AwsError(code, message, status)

    make.__name__ = code
    return make


ValidationException = _error("ValidationException")
ResourceNotFoundException = _error("ResourceNotFoundException")
ResourceAlreadyExistsException = _error("ResourceAlreadyExistsException")
LimitExceededException = _error("LimitExceededException")
InvalidEventPatternException = _error("InvalidEventPatternException")
ManagedRuleException = _error("ManagedRuleException")
ConcurrentModificationException = _error("ConcurrentModificationException")
PolicyLengthExceededException = _error("PolicyLengthExceededException")
IllegalStatusException = _error("IllegalStatusException")
OperationDisabledException = _error("OperationDisabledException")
InvalidStateException = _error("InvalidStateException")
AccessDeniedException = _error("AccessDeniedException")
InternalException = _error("InternalException", 500)


def bus_not_found(name: str) -> AwsError:
    return ResourceNotFoundException(f"Event bus {name} does not exist.")


def rule_not_found(rule: str, bus: str) -> AwsError:
    return ResourceNotFoundException(f"Rule {rule} does not exist on EventBus {bus}.")


def managed_unchangeable(name: str) -> AwsError:
    """The refusal of PutRule, Enable/DisableRule and tagging on a managed rule, which take no
    Force ("You cannot modify these managed rules by using DisableRule, EnableRule, PutTargets,
    PutRule, TagResource, or UntagResource")."""
    return ManagedRuleException(f"{name} is a managed rule.")
