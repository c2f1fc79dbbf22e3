"""Message bodies and message attributes encrypted at rest, as a queue's server-side
encryption says: SSE-SQS (``SqsManagedSseEnabled``, the default) or SSE-KMS (``KmsMasterKeyId``).

What is stored in the ``body`` / ``attributes`` columns of ``sqs_messages`` tells how to read
it (the format marker of each row is SQLite's own type of the value): TEXT is a message
written in plain text (before this module, or on a queue without encryption); a BLOB is
sealed, AES-256-GCM, and its first byte says under what:

- ``1`` SSE-SQS: ``1 | nonce | ciphertext+tag`` under SQS's service key, 32 random bytes in
  ``<data-dir>/sqs-service.key`` (made like S3's). One AESGCM object serves every message:
  no key is generated per message, so the default costs a nonce and one AES-GCM call.
- ``2`` SSE-KMS: ``2 | len | KMS ciphertext blob of the data key | len | queue ARN | nonce |
  ciphertext+tag``. The data key comes from KMS GenerateDataKey called with the sender's
  permissions (in strict mode the producer needs kms:GenerateDataKey, the consumer
  kms:Decrypt, as AWS documents), with the encryption context ``aws:sqs:arn`` = the queue's
  ARN as SQS sends it; the blob carries that ARN because a message moved to a dead-letter
  queue keeps its ciphertext. SQS reuses a data key for ``KmsDataKeyReusePeriodSeconds``
  (on the cloud clock) before it calls KMS again, for encrypting and for decrypting; the
  caches here are per principal, so strict mode never lends one principal's KMS access to
  another, and bounded.

KMS's refusals become the SQS errors SQS answers with (``KMS.DisabledException``...).
"""

from __future__ import annotations

import os
import struct
from typing import Callable, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from overcast.errors import AwsError
from overcast.services.kms.key_store import own_alias_name
from overcast.services.kms.managed_keys import managed_key
from overcast.services.s3.at_rest import load_service_key

KEY_FILE = "sqs-service.key"
MANAGED_ALIAS = "alias/aws/sqs"
_SQS_MANAGED, _KMS = 1, 2
_NONCE = 12
_CACHED = 1024  # data keys held per cache; past that the cache starts over
_LENGTH = struct.Struct(">H")

# KMS's error code -> the SQS error shape SQS answers with (its query code is KMS.*).
_KMS_ERRORS = {
    "DisabledException": "KmsDisabled",
    "NotFoundException": "KmsNotFound",
    "KMSInvalidStateException": "KmsInvalidState",
    "AccessDeniedException": "KmsAccessDenied",
    "InvalidKeyUsageException": "KmsInvalidKeyUsage",
    "KeyUnavailableException": "KmsInvalidState",
    "ThrottlingException": "KmsThrottled",
}


class _DataKey(NamedTuple):
    seal: Callable[[str | None], bytes | None]
    expires: float


def _sealer(aead: AESGCM, prefix: bytes) -> Callable[[str | None], bytes | None]:
    urandom, encrypt = os.urandom, aead.encrypt

    def seal(text: str | None) -> bytes | None:
        if text is None:
            return None
        nonce = urandom(_NONCE)
        return prefix + nonce + encrypt(nonce, text.encode("utf-8", "surrogatepass"), None)

    return seal


def _as_sqs_error(error: AwsError) -> AwsError:
    shape = _KMS_ERRORS.get(error.code)
    if shape is None:
        return error
    return AwsError(shape, error.message)


class MessageSealing:
    """The SQS provider's sealing and opening of stored messages (``provider.sealing``)."""

    def __init__(self, provider):
        self._provider = provider
        self._managed: AESGCM | None = None
        self._managed_seal = None
        # (queue key, KmsMasterKeyId, principal) -> _DataKey for sending
        self._encrypting: dict[tuple, _DataKey] = {}
        # (KMS ciphertext blob, principal) -> (AESGCM, expires) for receiving
        self._decrypting: dict[tuple, tuple[AESGCM, float]] = {}

    def reset(self) -> None:
        self._encrypting.clear()
        self._decrypting.clear()

    def _service_aead(self) -> AESGCM:
        if self._managed is None:
            self._managed = AESGCM(load_service_key(self._provider.cloud.storage.data_dir, KEY_FILE))
            self._managed_seal = _sealer(self._managed, bytes((_SQS_MANAGED,)))
        return self._managed

    # -- sending ---------------------------------------------------------------------------

    async def sealer(self, ctx, queue) -> Callable[[str | None], bytes | None] | None:
        """How a message sent now to ``queue`` is stored (None: as plain text); raises the
        KMS error SQS answers when an SSE-KMS queue's key cannot give a data key."""
        if queue.kms_master_key_id:
            return (await self._data_key(ctx, queue)).seal
        if queue.sqs_managed_sse_enabled:
            if self._managed_seal is None:
                self._service_aead()
            return self._managed_seal
        return None

    async def _data_key(self, ctx, queue) -> _DataKey:
        cache_key = (queue.key, queue.kms_master_key_id, ctx.principal_arn)
        now = self._provider.clock.now()
        found = self._encrypting.get(cache_key)
        if found is not None and found.expires > now:
            return found
        arn = queue.arn
        if own_alias_name(ctx, queue.kms_master_key_id) == MANAGED_ALIAS:
            # SQS creates the account's AWS managed key on its first use, as AWS does
            await ctx.registry.started("kms")
            managed_key(ctx, "sqs")
        answer = await self._kms(ctx, "GenerateDataKey", {
            "KeyId": queue.kms_master_key_id, "KeySpec": "AES_256", "EncryptionContext": {"aws:sqs:arn": arn}})
        blob, encoded_arn = answer["CiphertextBlob"], arn.encode()
        prefix = (bytes((_KMS,)) + _LENGTH.pack(len(blob)) + blob + _LENGTH.pack(len(encoded_arn)) + encoded_arn)
        key = _DataKey(_sealer(AESGCM(answer["Plaintext"]), prefix), now + queue.kms_data_key_reuse_period_seconds)
        if len(self._encrypting) >= _CACHED:
            self._encrypting.clear()
        self._encrypting[cache_key] = key
        return key

    async def _kms(self, ctx, operation: str, params: dict) -> dict:
        try:
            return await ctx.services.call("kms", operation, params, authorize=True,
                                           extra={"kms_via_service": f"sqs.{ctx.region}.amazonaws.com"})
        except AwsError as error:
            raise _as_sqs_error(error) from None

    # -- receiving -------------------------------------------------------------------------

    async def open_all(self, ctx, queue, received: list) -> list:
        """Received messages (engine.Received) with their bodies and attributes in plain text.
        A row's attributes are sealed under the same key as its body."""
        keys: dict[bytes, tuple[AESGCM, int]] = {}
        for item in received:
            body = item.stored.body
            if body.__class__ is bytes and body[0] == _KMS:
                blob, arn, offset = _kms_header(body)
                if blob not in keys:
                    keys[blob] = (await self._kms_key(ctx, queue, blob, arn), offset)
        managed = self._service_aead()
        return [item if item[1][2].__class__ is str else _received(item, managed, keys) for item in received]

    async def _kms_key(self, ctx, queue, blob: bytes, arn: str) -> AESGCM:
        cache_key = (blob, ctx.principal_arn)
        now = self._provider.clock.now()
        found = self._decrypting.get(cache_key)
        if found is not None and found[1] > now:
            return found[0]
        answer = await self._kms(ctx, "Decrypt", {"CiphertextBlob": blob, "EncryptionContext": {"aws:sqs:arn": arn}})
        aead = AESGCM(answer["Plaintext"])
        if len(self._decrypting) >= _CACHED:
            self._decrypting.clear()
        self._decrypting[cache_key] = (aead, now + queue.kms_data_key_reuse_period_seconds)
        return aead


def _received(item, managed: AESGCM, keys: dict):
    """``item`` (engine.Received) with its stored body and attributes opened; built as plain
    tuples because NamedTuple._replace costs more than the decryption itself."""
    stored = item[1]
    body, attributes = stored[2], stored[4]
    if body[0] == _SQS_MANAGED:
        aead, offset = managed, 1
    elif body[0] == _KMS:
        aead, offset = keys[_kms_header(body)[0]]
    else:
        raise _unreadable()
    fields = list(stored)
    fields[2] = _decrypt(aead, body, offset)
    if attributes is not None:
        fields[4] = _decrypt(aead, attributes, offset)
    return tuple.__new__(type(item), (item[0], tuple.__new__(type(stored), fields), item[2]))


def _kms_header(sealed: bytes) -> tuple[bytes, str, int]:
    """(KMS ciphertext blob, queue ARN, offset of the nonce) of a row sealed under SSE-KMS."""
    (blob_length,) = _LENGTH.unpack_from(sealed, 1)
    (arn_length,) = _LENGTH.unpack_from(sealed, 3 + blob_length)
    arn_at = 5 + blob_length
    return sealed[3:3 + blob_length], sealed[arn_at:arn_at + arn_length].decode(), arn_at + arn_length


def _decrypt(aead: AESGCM, sealed: bytes, offset: int) -> str:
    try:
        return aead.decrypt(sealed[offset:offset + _NONCE], sealed[offset + _NONCE:], None).decode(
            "utf-8", "surrogatepass")
    except InvalidTag:
        raise _unreadable() from None


def _unreadable() -> AwsError:
    # a row sealed under a service key this data dir no longer has (the key file was replaced)
    return AwsError("InternalFailure", "The message could not be read.", 500, sender_fault=False)
