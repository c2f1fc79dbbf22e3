"""CloudWatch Logs' errors, with AWS's codes (the model's error shapes; all 400 but
ServiceUnavailableException, 500)."""

from __future__ import annotations

from overcast.errors import AwsError


def _error(code: str, status: int = 400):
    def make(message: str) -> AwsError:
        return AwsError(code, message, status)

    make.__name__ = code
    return make


InvalidParameterException = _error("InvalidParameterException")
ResourceNotFoundException = _error("ResourceNotFoundException")
ResourceAlreadyExistsException = _error("ResourceAlreadyExistsException")
LimitExceededException = _error("LimitExceededException")
OperationAbortedException = _error("OperationAbortedException")
InvalidSequenceTokenException = _error("InvalidSequenceTokenException")
DataAlreadyAcceptedException = _error("DataAlreadyAcceptedException")
UnrecognizedClientException = _error("UnrecognizedClientException")
MalformedQueryException = _error("MalformedQueryException")
ValidationException = _error("ValidationException")
ConflictException = _error("ConflictException")
AccessDeniedException = _error("AccessDeniedException")
InvalidOperationException = _error("InvalidOperationException")
ServiceUnavailableException = _error("ServiceUnavailableException", 500)

GROUP_NOT_FOUND = "The specified log group does not exist."
STREAM_NOT_FOUND = "The specified log stream does not exist."


def group_not_found() -> AwsError:
    return ResourceNotFoundException(GROUP_NOT_FOUND)


def stream_not_found() -> AwsError:
    return ResourceNotFoundException(STREAM_NOT_FOUND)


def backend_suffix(code: str, request_id: str) -> str:
    """The tail some Logs Insights errors carry in their message on AWS: the Insights backend's
    own exception text, passed through unchanged (StartQuery's unknown log group answers
    "Log group 'x' does not exist for account ID '1' (Service: AWSLogs; ...; Proxy: null)")."""
    return f" (Service: AWSLogs; Status Code: 400; Error Code: {code}; Request ID: {request_id}; Proxy: null)"
