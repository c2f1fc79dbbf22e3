"""CloudWatch's errors, with AWS's codes (all 400 but InternalServiceError, 500)."""

from __future__ import annotations

from overcast.errors import AwsError


def _error(code: str, status: int = 400):
    def make(message: str) -> AwsError:
        return AwsError(code, message, status)

    make.__name__ = code
    return make


InvalidParameterValue = _error("InvalidParameterValue")
InvalidParameterCombination = _error("InvalidParameterCombination")
MissingParameter = _error("MissingParameter")
InvalidNextToken = _error("InvalidNextToken")
ResourceNotFoundException = _error("ResourceNotFoundException", 404)
ResourceNotFound = _error("ResourceNotFound", 404)
InvalidFormat = _error("InvalidFormat")
LimitExceeded = _error("LimitExceeded")
ConcurrentModificationException = _error("ConcurrentModificationException", 429)
