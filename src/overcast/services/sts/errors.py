"""STS's errors (codes as the STS model and AWS name them)."""

from __future__ import annotations

from overcast.errors import AwsError


class AccessDenied(AwsError):
    code = "AccessDenied"
    status = 403


class MalformedPolicyDocument(AwsError):
    code = "MalformedPolicyDocument"


class PackedPolicyTooLarge(AwsError):
    code = "PackedPolicyTooLarge"


class InvalidIdentityToken(AwsError):
    code = "InvalidIdentityToken"


class IDPRejectedClaim(AwsError):
    code = "IDPRejectedClaim"
    status = 403


class IDPCommunicationError(AwsError):
    code = "IDPCommunicationError"


class ExpiredTokenException(AwsError):
    code = "ExpiredTokenException"


class InvalidAuthorizationMessage(AwsError):
    code = "InvalidAuthorizationMessageException"


class InvalidParameterValue(AwsError):
    code = "InvalidParameterValue"
