"""SSE-KMS: the data keys of objects come from KMS, asked on the requester's behalf.

A write in an ``aws:kms`` (or ``aws:kms:dsse``) mode calls KMS GenerateDataKey with the key the
request or the bucket's default rule names (without one, the account's AWS managed key
``aws/s3``, created on first use) and an encryption context of the caller's (the
``x-amz-server-side-encryption-context`` header) merged with S3's own: the object's ARN,
or the bucket's with an S3 Bucket Key. The plaintext data key wraps the blob's own data key
(``at_rest.py``); KMS's ciphertext blob of it is kept in the blob's envelope. A read calls KMS
Decrypt with that blob and the same context. Both calls are made as the requester (in strict
mode they need kms:GenerateDataKey / kms:Decrypt, through ``kms:ViaService`` = S3's endpoint),
and a KMS error comes back as S3 words it: ``KMS.<KMS's code>`` with KMS's text, 400, or
AccessDenied (403) with KMS's text for a denial.

S3 Bucket Keys: with ``BucketKeyEnabled`` S3 asks KMS for one data key per bucket (and key and
context) and uses it for the writes of a while instead of calling KMS for each object: the
same here, for ``BUCKET_KEY_SECONDS`` of the cloud clock, remembered for at most
``_BUCKET_KEYS`` buckets and requesters (each requester's first write of a while goes to KMS,
so strict mode still authorizes it; like AWS's bucket-level key, one generated before the key
was disabled serves writes until it expires). Reads still call KMS Decrypt (the key's state
and the requester's permission are checked on every GET).

Over plain HTTP: S3 refuses SSE-KMS requests that are not made over TLS with SigV4. Overcast
serves HTTP on localhost and accepts them there, as it does SSE-C (``customer_keys.py``).
"""

from __future__ import annotations

import base64
import json

from overcast.errors import AwsError
from overcast.services.kms.managed_keys import ensure_managed_key

from .at_rest import kms_blob

KMS_MODES = ("aws:kms", "aws:kms:dsse")
BUCKET_KEY_SECONDS = 300
_BUCKET_KEYS = 1024
_S3_CONTEXT = "aws:s3:arn"
_SIGV4_REQUIRED = "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4."
UPLOAD_KMS_BLOB = "kms_blob"  # the upload's attrs member: base64 of its KMS data key's blob


def is_kms_encrypted(sse: dict | None) -> bool:
    return bool(sse) and sse.get("ServerSideEncryption") in KMS_MODES


def _s3_error(error: AwsError) -> AwsError:
    """A KMS error as S3 answers it."""
    if error.code in ("AccessDeniedException", "AccessDenied"):
        return AwsError("AccessDenied", error.message, 403)
    return AwsError(f"KMS.{error.code}", error.message, 400)


def encryption_context(sse: dict, partition: str, bucket: str, key: str) -> dict:
    """The context KMS binds the object's data key to: the caller's, plus S3's ARN member."""
    given = sse.get("SSEKMSEncryptionContext")
    context = json.loads(base64.b64decode(given)) if given else {}
    arn = f"arn:{partition}:s3:::{bucket}" if sse.get("BucketKeyEnabled") else f"arn:{partition}:s3:::{bucket}/{key}"
    context[_S3_CONTEXT] = arn
    return context


class KmsEncryptionMixin:
    # (principal, bucket, created, key, context) -> (expires, plaintext, blob, key ARN)
    _bucket_keys: dict | None = None
    _managed_keys: dict | None = None  # (account, region) -> the aws/s3 key's ARN

    async def _call_kms(self, ctx, operation: str, params: dict, as_requester: bool = True) -> dict:
        """``operation`` of KMS for the requester of ``ctx``; ``as_requester`` False: S3's own
        work (replication), with S3's own rights. KMS takes no anonymous request: S3 refuses
        an unsigned one before asking."""
        if as_requester and not ctx.access_key:
            raise AwsError("InvalidArgument", _SIGV4_REQUIRED, 400,
                           fields={"ArgumentName": "Authorization", "ArgumentValue": "null"})
        extra = {**ctx.extra, "kms_via_service": f"s3.{ctx.region}.amazonaws.com"}
        try:
            return await ctx.services.call("kms", operation, params, authorize=as_requester, extra=extra)
        except AwsError as error:
            raise _s3_error(error) from None

    async def kms_data_key(self, ctx, bucket, key: str, sse: dict, as_requester: bool = True) -> tuple[bytes, bytes]:
        """(plaintext, KMS blob) of a new object's (or upload's) data key; records the key's
        ARN as KMS answered it in ``sse`` (what S3 reports: an alias resolves to its key)."""
        key_id = sse.get("SSEKMSKeyId")
        if key_id is None:
            key_id = await self._managed_key_arn(ctx)
        context = encryption_context(sse, bucket.partition, bucket.name, key)
        slot = None
        if sse.get("BucketKeyEnabled"):
            # per requester too: each principal's first write of a while is authorized by KMS
            slot = (ctx.account, ctx.principal_arn, bucket.partition, bucket.name, bucket.created, key_id,
                    tuple(sorted(context.items())))
            cached = (self._bucket_keys or {}).get(slot)
            if cached is not None and cached[0] > self.clock.now():
                sse["SSEKMSKeyId"] = cached[3]
                return cached[1], cached[2]
        out = await self._call_kms(ctx, "GenerateDataKey",
                                   {"KeyId": key_id, "KeySpec": "AES_256", "EncryptionContext": context}, as_requester)
        sse["SSEKMSKeyId"] = out["KeyId"]
        if slot is not None:
            if self._bucket_keys is None or len(self._bucket_keys) >= _BUCKET_KEYS:
                self._bucket_keys = {}
            self._bucket_keys[slot] = (self.clock.now() + BUCKET_KEY_SECONDS, out["Plaintext"],
                                       out["CiphertextBlob"], out["KeyId"])
        return out["Plaintext"], out["CiphertextBlob"]

    async def _managed_key_arn(self, ctx) -> str:
        """The account's aws/s3 key, created on first use (as DescribeKey of its alias does).
        Remembered: an AWS managed key can be neither deleted, disabled nor re-aliased, and
        every write without a key named asks."""
        known = self._managed_keys
        if known is None:
            known = self._managed_keys = {}
        arn = known.get((ctx.account, ctx.region))
        if arn is None:
            arn = ensure_managed_key(await ctx.registry.started("kms"), ctx.account, ctx.region, "s3").arn
            known[(ctx.account, ctx.region)] = arn
        return arn

    async def part_sealer(self, ctx, bucket, upload, given):
        """The sealer of a new part of ``upload``: under the upload's KMS data key (KMS Decrypt
        as the requester: S3 needs kms:Decrypt for a multipart upload), the customer key
        ``given`` (SSE-C), or the service key."""
        stored = upload.attrs.get(UPLOAD_KMS_BLOB)
        if stored is None:
            return self.at_rest.sealer(given.key if given is not None else None)
        blob = base64.b64decode(stored)
        context = encryption_context(upload.attrs["sse"], bucket.partition, bucket.name, upload.key)
        out = await self._call_kms(ctx, "Decrypt", {"CiphertextBlob": blob, "EncryptionContext": context})
        return self.at_rest.sealer(out["Plaintext"], blob)

    def bucket_keys_changed(self) -> None:
        """Forget the bucket-level data keys and the aws/s3 keys (a reset)."""
        self._bucket_keys = self._managed_keys = None

    async def kms_wrapping_key(self, ctx, sse: dict | None, envelope: str | None, partition: str, bucket: str,
                               key: str, as_requester: bool = True) -> bytes | None:
        """The plaintext KMS data key opening ``envelope`` of an SSE-KMS object (KMS Decrypt as
        the requester); None for an object of another mode or written before SSE-KMS was."""
        blob = kms_blob(envelope)
        if not is_kms_encrypted(sse) or blob is None:
            return None
        out = await self._call_kms(ctx, "Decrypt", {"CiphertextBlob": blob,
                                                    "EncryptionContext": encryption_context(sse, partition, bucket,
                                                                                            key)}, as_requester)
        return out["Plaintext"]


def first_envelope(version) -> str | None:
    """The envelope of a version's first blob (every blob of an SSE-KMS object has the same
    KMS data key: one per object, or per multipart upload)."""
    envelope = version.attrs.get("enc")
    if envelope is None and version.blob is None:
        segments = version.sealed_segments()
        envelope = segments[0][2] if segments else None
    return envelope

