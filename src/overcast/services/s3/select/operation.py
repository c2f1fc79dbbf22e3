"""SelectObjectContent: S3 Select over one object, answered as an event stream.

Before the stream: the request and its SQL are checked (``prepare_select``, called from the
provider's pre-authorization checks), then the bucket, the object, its storage class and
SSE-C key, each with the XML error S3 answers. After that everything runs in the stream
(``events.py``): reading, parsing, evaluating; a failure there is an error event.
"""

from __future__ import annotations

from overcast.errors import AwsError

from ..customer_keys import customer_key, key_for_read
from ..kms_encryption import first_envelope, is_kms_encrypted
from .events import in_worker
from .glacier import GlacierSelectMixin
from .pipeline import prepare_select, range_opener, select_events
from .source import Counts

_PREPARED = "s3.select"  # ctx.extra key: the request checked before authorization


def check_select_request(ctx, params: dict) -> None:
    """The checks S3 makes before it authorizes a SelectObjectContent."""
    ctx.extra[_PREPARED] = prepare_select(params)


class SelectMixin(GlacierSelectMixin):
    """SelectObjectContent, and RestoreObject of type SELECT (glacier.py)."""

    async def select_object_content(self, ctx, params: dict) -> dict:
        prepared = ctx.extra.pop(_PREPARED, None) or prepare_select(params)
        request, query = prepared
        if not ctx.principal_arn and ctx.extra.get("request") is not None:
            # "Amazon S3 Select does not support anonymous access" (SelectObjectContent reference)
            raise AwsError("AccessDenied", "Access Denied", 403)
        given = customer_key(params)  # SSE-C headers: their form before the object
        bucket = self.bucket_row(ctx, params["Bucket"])
        version = self._object_version(ctx, bucket, params["Key"], params, with_bytes=True)
        opener = key_for_read(version.attrs.get("sse"), given)
        self.check_readable(version)  # an archived object needs a restored copy (restore.py)
        wrapping = opener.key if opener else None
        if is_kms_encrypted(version.attrs.get("sse")):  # its data key from KMS, as the requester (as GET)
            wrapping = await self.kms_wrapping_key(ctx, version.attrs.get("sse"), first_envelope(version),
                                                   bucket.partition, bucket.name, version.key)
        counts = Counts()
        events = select_events(request, query, range_opener(self.store, version, wrapping), version.size, counts)
        return {"Payload": in_worker(events, counts, request.progress)}
