"""The errors a service operation raises; the protocol layer shapes them for the wire.

A service raises ``AwsError(code, message, status)``; ``code`` is the AWS error code as the
service model names it (``QueueDoesNotExist``, ``NoSuchBucket``...). The protocol layer looks
the code up among the model's error shapes to add what the protocol needs (the query-compatible
code of ``awsQueryCompatible`` services, the HTTP status declared by the model when none is
given...).
"""

from __future__ import annotations


class AwsError(Exception):
    """An error answered to the client in the AWS shape of the request's protocol."""

    code = "InternalFailure"
    status = 400
    sender_fault = True

    def __init__(
        self,
        code: str | None = None,
        message: str = "",
        status: int | None = None,
        *,
        sender_fault: bool | None = None,
        fields: dict | None = None,
        headers: dict | None = None,
    ):
        super().__init__(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if sender_fault is not None:
            self.sender_fault = sender_fault
        self.message = message
        # Extra members of the modelled error shape (S3's BucketName, Resource...).
        self.fields = fields or {}
        # Extra HTTP headers for the error response.
        self.headers = headers or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, {self.status})"


class ValidationError(AwsError):
    code = "ValidationError"


class SerializationError(AwsError):
    """The request body is not what its protocol says (bad JSON, XML, CBOR, form...)."""

    code = "SerializationException"


class MissingAction(AwsError):
    code = "MissingAction"


class InvalidAction(AwsError):
    code = "InvalidAction"


class UnknownOperation(AwsError):
    code = "UnknownOperationException"


class NotImplementedOperation(AwsError):
    """An operation (or a whole service) Overcast does not implement: 501, never a fake success."""

    code = "NotImplemented"
    status = 501
    sender_fault = False


class InternalFailure(AwsError):
    code = "InternalFailure"
    status = 500
    sender_fault = False


class RequestEntityTooLarge(AwsError):
    code = "RequestEntityTooLarge"
    status = 413
