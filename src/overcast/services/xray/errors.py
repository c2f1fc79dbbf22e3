"""X-Ray's errors, as its service model names them (rest-json: the code is the shape name)."""

from __future__ import annotations

from overcast.errors import AwsError


class InvalidRequest(AwsError):
    code = "InvalidRequestException"
    status = 400


class ResourceNotFound(AwsError):
    code = "ResourceNotFoundException"
    status = 404


class RuleLimitExceeded(AwsError):
    code = "RuleLimitExceededException"
    status = 400


class TooManyTags(AwsError):
    code = "TooManyTagsException"
    status = 400


class MalformedPolicyDocument(AwsError):
    code = "MalformedPolicyDocumentException"
    status = 400


class InvalidPolicyRevisionId(AwsError):
    code = "InvalidPolicyRevisionIdException"
    status = 400


class PolicyCountLimitExceeded(AwsError):
    code = "PolicyCountLimitExceededException"
    status = 400


class PolicySizeLimitExceeded(AwsError):
    code = "PolicySizeLimitExceededException"
    status = 400


class LockoutPrevention(AwsError):
    code = "LockoutPreventionException"
    status = 400
