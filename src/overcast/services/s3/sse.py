"""Server-side encryption modes: which one a write chooses, and the headers that report it.

Since January 2023 S3 encrypts every new object: with the mode the request names
(``x-amz-server-side-encryption``: AES256, aws:kms, aws:kms:dsse), else the bucket's default
encryption rule, else SSE-S3 (AES256). Each write and read of an object answers the mode its
write chose: ``x-amz-server-side-encryption``, and for the KMS modes the key's ARN
(``x-amz-server-side-encryption-aws-kms-key-id``; without one named, the account's
``aws/s3`` managed key), the bucket key flag, and on writes the encryption context given.

What is recorded here is the mode, on the version (``attrs["sse"]``) and on a multipart
upload (its ``attrs["sse"]``): SSE-S3 is recorded by recording nothing, so the common write
stores no extra bytes. The bytes are encrypted at rest by ``at_rest.py`` whatever the mode;
SSE-KMS objects under a data key KMS generates (``kms_encryption.py``). SSE-C (customer keys, ``customer_keys.py``) records
``{"SSECustomerAlgorithm": "AES256", "SSECustomerKeyHash": <salted HMAC>}`` and answers the
algorithm and key MD5 instead of an SSE header.
"""

from __future__ import annotations

import base64
import binascii
import json

from overcast.errors import AwsError

from .customer_keys import customer_key, is_customer_encrypted, write_mode
from .kms_encryption import KmsEncryptionMixin, is_kms_encrypted

SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
SSE_S3 = {"ServerSideEncryption": "AES256"}
SSE_HEADER = "x-amz-server-side-encryption"
KEY_HEADER = "x-amz-server-side-encryption-aws-kms-key-id"
CONTEXT_HEADER = "x-amz-server-side-encryption-context"
_KMS_REQUIRED = ("Server Side Encryption with AWS KMS managed key requires HTTP header "
                 "x-amz-server-side-encryption : aws:kms")
# the members a read reports (GetObject/HeadObject have no encryption context member)
_READ_MEMBERS = ("ServerSideEncryption", "SSEKMSKeyId", "BucketKeyEnabled")


def _invalid(message: str, name: str, value: str | None) -> AwsError:
    fields = {"ArgumentName": name}
    if value is not None:
        fields["ArgumentValue"] = value
    return AwsError("InvalidArgument", message, 400, fields=fields)


def _check_context(context: str) -> None:
    """The encryption context header: base64 of a JSON object of strings."""
    try:
        value = json.loads(base64.b64decode(context, validate=True).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _invalid("The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string "
                       "holding JSON which represents a string-string map", CONTEXT_HEADER, None)


def check_requested_encryption(params: dict) -> None:
    """The SSE headers of a write, checked as S3 checks them (before anything is stored)."""
    algorithm, key_id = params.get("ServerSideEncryption"), params.get("SSEKMSKeyId")
    if algorithm is not None and algorithm not in SSE_ALGORITHMS:
        raise _invalid("The encryption method specified is not supported", SSE_HEADER, algorithm)
    if algorithm is not None and params.get("SSECustomerAlgorithm") is not None:
        raise _invalid("Server Side Encryption with Customer provided key is incompatible with the encryption "
                       "method specified", SSE_HEADER, algorithm)
    if key_id is not None and (algorithm is None or algorithm == "AES256"):
        raise _invalid(_KMS_REQUIRED, KEY_HEADER, key_id)
    context = params.get("SSEKMSEncryptionContext")
    if context is not None:
        if algorithm is None or algorithm == "AES256":
            raise _invalid(_KMS_REQUIRED, CONTEXT_HEADER, None)
        _check_context(context)


def reported(sse: dict | None, write: bool = False) -> dict:
    """The response members of a stored mode (``attrs["sse"]``; None is SSE-S3). A read
    answers no encryption context; a write answers the one it was given."""
    if sse is None:
        return SSE_S3
    if write:
        return sse if "SSECustomerAlgorithm" not in sse else {}
    return {name: sse[name] for name in _READ_MEMBERS if name in sse}


_HEADERS = {"ServerSideEncryption": SSE_HEADER, "SSEKMSKeyId": KEY_HEADER, "SSEKMSEncryptionContext": CONTEXT_HEADER,
            "BucketKeyEnabled": "x-amz-server-side-encryption-bucket-key-enabled",
            "SSECustomerAlgorithm": "x-amz-server-side-encryption-customer-algorithm",
            "SSECustomerKeyMD5": "x-amz-server-side-encryption-customer-key-MD5"}


def sse_headers(members: dict) -> dict:
    """Response members as raw headers (for the POST upload, which has no output shape)."""
    return {_HEADERS[name]: ("true" if value is True else value) for name, value in members.items()
            if name in _HEADERS}


class EncryptionMixin(KmsEncryptionMixin):
    _default_encryption: dict | None = None  # (partition, bucket, created) -> the bucket's rule

    async def sealer_for_write(self, ctx, bucket, key: str, sse: dict | None, params: dict):
        """(the sealer encrypting a new blob at rest, the customer key of an SSE-C write or
        None), for a write of ``key`` whose mode ``write_encryption`` chose (and checked) from
        ``params``. An SSE-KMS write asks KMS for its data key here (``kms_encryption.py``)."""
        if is_kms_encrypted(sse):
            plaintext, blob = await self.kms_data_key(ctx, bucket, key, sse)
            return self.at_rest.sealer(plaintext, blob), None
        given = customer_key(params, write=True) if is_customer_encrypted(sse) else None
        return self.at_rest.sealer(given.key if given is not None else None), given

    def encryption_changed(self) -> None:
        """Forget the remembered default encryption rules (after Put/DeleteBucketEncryption,
        a reset), and the bucket-level KMS data keys with them."""
        self._default_encryption = None
        self.bucket_keys_changed()

    def _bucket_default_encryption(self, bucket) -> dict | None:
        """The bucket's ApplyServerSideEncryptionByDefault + BucketKeyEnabled, or None when no
        rule is stored (SSE-S3). Remembered: every object write asks."""
        cache = self._default_encryption
        if cache is None:
            cache = self._default_encryption = {}
        key = (bucket.partition, bucket.name, bucket.created)
        if key in cache:
            return cache[key]
        stored = self.configs.get(bucket, "encryption")
        rule = None
        if stored:
            first = (stored.get("Rules") or [{}])[0]
            default = dict(first.get("ApplyServerSideEncryptionByDefault") or {})
            rule = {**default, "BucketKeyEnabled": bool(first.get("BucketKeyEnabled"))}
        if len(cache) >= 1024:
            cache.clear()
        cache[key] = rule
        return rule

    def write_encryption(self, bucket, params: dict) -> dict | None:
        """The mode a write (PutObject, POST upload, CopyObject, CreateMultipartUpload) stores:
        the request's, else the bucket's default rule; None means SSE-S3. Validates the
        request's SSE headers first."""
        check_requested_encryption(params)
        algorithm = params.get("ServerSideEncryption")
        given = customer_key(params, write=True)
        if given is not None:
            return write_mode(given)
        rule = None
        if algorithm is None:
            rule = self._bucket_default_encryption(bucket)
            if rule is None:
                return None
            algorithm = rule.get("SSEAlgorithm", "AES256")
        if algorithm == "AES256":
            return None
        # a request naming aws:kms without a key gets the aws/s3 key (S3 API reference, PutObject):
        # the key as named until KMS answers its ARN (``kms_encryption.kms_data_key``)
        key_id = params.get("SSEKMSKeyId") or (rule or {}).get("KMSMasterKeyID")
        sse = {"ServerSideEncryption": algorithm}
        if key_id:
            sse["SSEKMSKeyId"] = key_id
        bucket_key = params.get("BucketKeyEnabled")
        if bucket_key is None:  # the bucket's setting, unless the request says otherwise
            bucket_key = (rule or self._bucket_default_encryption(bucket) or {}).get("BucketKeyEnabled")
        if bucket_key and algorithm == "aws:kms":  # S3 Bucket Keys do not apply to DSSE-KMS
            sse["BucketKeyEnabled"] = True
        if params.get("SSEKMSEncryptionContext") is not None:
            sse["SSEKMSEncryptionContext"] = params["SSEKMSEncryptionContext"]
        return sse
