"""The errors of KMS's cryptographic operations, with the codes and texts KMS answers (the
codes both halves of the provider raise are in ``errors.py``).

AWS answers a bad ciphertext, a failed signature check and a failed MAC check without a message
(no ``message`` member in the JSON error; SDKs show ``None``), so those carry None.
"""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.services.kms.errors import InvalidKeyUsageException, ValidationException


def invalid_ciphertext() -> AwsError:
    return AwsError("InvalidCiphertextException", None, 400)


def incorrect_key() -> AwsError:
    return AwsError("IncorrectKeyException",
                    "The key ID in the request does not identify a KMS key that can perform this operation.", 400)


def invalid_signature() -> AwsError:
    return AwsError("KMSInvalidSignatureException", None, 400)


def invalid_mac() -> AwsError:
    return AwsError("KMSInvalidMacException", None, 400)


def usage_not_valid(key_arn: str, usage: str, operation: str) -> AwsError:
    """A key of another KeyUsage than the operation needs."""
    return InvalidKeyUsageException(f"{key_arn} key usage is {usage} which is not valid for {operation}.")


def algorithm_incompatible(algorithm: str, key_spec: str) -> AwsError:
    """An encryption, signing, MAC or key agreement algorithm the key's spec does not support."""
    return InvalidKeyUsageException(f"Algorithm {algorithm} is incompatible with key spec {key_spec}.")


def validation(message: str) -> AwsError:
    return ValidationException(message)


def unreadable_ciphertext_key() -> AwsError:
    """The key a symmetric ciphertext names is not here (deleted, another Region) or the caller
    may not use it: KMS does not say which."""
    return AwsError("AccessDeniedException",
                    "The ciphertext refers to a customer master key that does not exist, does not exist in this "
                    "region, or you are not allowed to access.", 400)


def dry_run() -> AwsError:
    return AwsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.",
                    412)


def custom_key_store_not_found() -> AwsError:
    return AwsError("CustomKeyStoreNotFoundException", None, 400)
