"""Lambda's errors, with the status codes of the model's error shapes."""

from __future__ import annotations

from overcast.errors import AwsError


def _error(code: str, status: int, kind: str = "User"):
    # Lambda's error bodies carry ``Type``: "User" for the caller's fault, "Service" for Lambda's
    def make(message: str) -> AwsError:
        return AwsError(code, message, status, fields={"Type": kind})

    make.__name__ = code
    return make


InvalidParameterValueException = _error("InvalidParameterValueException", 400)
ValidationException = _error("ValidationException", 400)
ResourceNotFoundException = _error("ResourceNotFoundException", 404)
ResourceConflictException = _error("ResourceConflictException", 409)
PreconditionFailedException = _error("PreconditionFailedException", 412)
RequestTooLargeException = _error("RequestTooLargeException", 413)
UnsupportedMediaTypeException = _error("UnsupportedMediaTypeException", 415)
TooManyRequestsException = _error("TooManyRequestsException", 429)
ServiceException = _error("ServiceException", 500, "Service")
ResourceNotReadyException = _error("ResourceNotReadyException", 502, "Service")


def function_not_found(arn: str) -> AwsError:
    return ResourceNotFoundException(f"Function not found: {arn}")
