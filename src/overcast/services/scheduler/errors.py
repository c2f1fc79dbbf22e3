"""EventBridge Scheduler's errors, with the status codes of the model's error shapes."""

from __future__ import annotations

from overcast.errors import AwsError


def _error(code: str, status: int):
    def make(message: str) -> AwsError:
        return AwsError(code, message, status)

    make.__name__ = code
    return make


ValidationException = _error("ValidationException", 400)
ConflictException = _error("ConflictException", 409)
ResourceNotFoundException = _error("ResourceNotFoundException", 404)
ServiceQuotaExceededException = _error("ServiceQuotaExceededException", 402)
AccessDeniedException = _error("AccessDeniedException", 403)


def group_not_found(name: str) -> AwsError:
    return ResourceNotFoundException(f"Schedule group {name} does not exist.")


def schedule_not_found(name: str) -> AwsError:
    return ResourceNotFoundException(f"Schedule {name} does not exist.")
