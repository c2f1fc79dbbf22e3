"""KMS's errors, with AWS's texts. Every KMS error is a 400 in the JSON protocol but
``KMSInternalException`` (500)."""

from __future__ import annotations

from overcast.errors import AwsError


def _error(code: str):
    def make(message: str) -> AwsError:
        return AwsError(code, message, 400)

    make.__name__ = code
    return make


NotFoundException = _error("NotFoundException")
DisabledException = _error("DisabledException")
KMSInvalidStateException = _error("KMSInvalidStateException")
ValidationException = _error("ValidationException")
AlreadyExistsException = _error("AlreadyExistsException")
LimitExceededException = _error("LimitExceededException")
MalformedPolicyDocumentException = _error("MalformedPolicyDocumentException")
InvalidArnException = _error("InvalidArnException")
InvalidAliasNameException = _error("InvalidAliasNameException")
InvalidMarkerException = _error("InvalidMarkerException")
InvalidGrantIdException = _error("InvalidGrantIdException")
InvalidGrantTokenException = _error("InvalidGrantTokenException")
InvalidKeyUsageException = _error("InvalidKeyUsageException")
UnsupportedOperationException = _error("UnsupportedOperationException")
TagException = _error("TagException")
InvalidImportTokenException = _error("InvalidImportTokenException")
ExpiredImportTokenException = _error("ExpiredImportTokenException")
IncorrectKeyMaterialException = _error("IncorrectKeyMaterialException")


def invalid_state(arn: str, state: str) -> AwsError:
    """AWS's KMSInvalidStateException for a key whose state forbids the operation: the text
    names the state (``... is pending deletion.``)."""
    return KMSInvalidStateException(f"{arn} is {STATE_WORDS.get(state, state)}.")


# How AWS's messages spell each key state.
STATE_WORDS = {
    "Enabled": "enabled",
    "Disabled": "disabled",
    "PendingDeletion": "pending deletion",
    "PendingImport": "pending import",
    "PendingReplicaDeletion": "pending replica deletion",
    "Unavailable": "unavailable",
    "Creating": "creating",
    "Updating": "updating",
}
DryRunOperationException = _error("DryRunOperationException")


def dry_run_succeeded():
    """AWS's answer to a DryRun request that would have succeeded (HTTP 412)."""
    return AwsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.", 412)
