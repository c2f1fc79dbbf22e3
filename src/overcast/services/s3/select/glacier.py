"""Glacier Select: RestoreObject with ``Type: SELECT`` runs a query on an archived (GLACIER)
object and writes what it returns to ``OutputLocation.S3``, laid out as S3 lays it out under
``<Prefix>/<job id>/``:

- ``job.txt``: the job (its id, the object, the query and where the results go);
- ``results/<name>``: the query's output, in one or more objects;
- ``result_manifest.txt``: the result objects, one ``s3://`` URI a line;
- ``errors.txt``: the error code and message, when the query fails.

As a restore, the job answers 202 Accepted at once and runs after the restore delay of cloud
time (``OVERCAST_S3_RESTORE_SECONDS``), on a durable timer: it survives a restart and a test
moves it with ``POST /_overcast/clock``. The archived object must be CSV (S3 Glacier Select
reads uncompressed CSV only) and not SSE-C encrypted.
"""

from __future__ import annotations

import json
import logging
import uuid

from overcast.context import RequestContext
from overcast.errors import AwsError

from ..customer_keys import key_for_read
from ..kms_encryption import first_envelope, is_kms_encrypted
from . import errors
from .events import in_worker
from .glacier_output import GlacierOutputMixin, malformed, output_put_params
from .pipeline import prepare_select, range_opener, select_events
from .source import Counts

log = logging.getLogger(__name__)

_JOB = "s3.select_restore"
RESULT_OBJECT_BYTES = 16 * 1024 * 1024  # results are split into objects of about this size
_TIERS = ("Standard", "Bulk", "Expedited")


def _select_params(parameters: dict) -> dict:
    """SelectParameters as a SelectObjectContent request (the checks and the query are the same)."""
    return {key: parameters.get(key) for key in ("Expression", "ExpressionType", "InputSerialization",
                                                 "OutputSerialization")}


class GlacierSelectMixin(GlacierOutputMixin):
    def __init__(self, cloud):
        super().__init__(cloud)
        cloud.scheduler.on(_JOB, self._run_select_job)

    async def start_select_restore(self, ctx, bucket, version, request: dict) -> dict:
        """Check a RestoreObject of type SELECT and queue its job; 202 with the output path."""
        parameters, output = request.get("SelectParameters"), (request.get("OutputLocation") or {}).get("S3")
        if not parameters or not output or not output.get("BucketName"):
            raise malformed()
        tier = request.get("Tier") or (request.get("GlacierJobParameters") or {}).get("Tier") or "Standard"
        if tier not in _TIERS:
            raise malformed()
        select, _ = prepare_select(_select_params(parameters))
        if select.input_kind != "csv" or select.compression != "NONE":
            raise errors.invalid_parameter()  # S3 Glacier Select reads uncompressed CSV only
        job = uuid.uuid4().hex
        path = "/".join(part for part in ((output.get("Prefix") or "").rstrip("/"), job) if part)
        put, authorized = await self.check_output_location(ctx, bucket, output, path)
        if version.storage_class != "GLACIER":
            raise AwsError("InvalidObjectState", "Restore is not allowed for the object's current storage class",
                           403, fields={"StorageClass": version.storage_class})
        key_for_read(version.attrs.get("sse"), None)  # an SSE-C archive cannot be queried
        # the job writes as the requester (its KMS calls too), with the rights checked above
        payload = {"where": [bucket.partition, bucket.name, version.key, version.version], "job": job,
                   "path": path, "account": ctx.account, "region": ctx.region, "tier": tier,
                   "select": _select_params(parameters), "output": output, "put": put,
                   "requester": [ctx.access_key, ctx.principal_arn, ctx.user_id], "authorized": authorized}
        delay = float(self.cloud.settings.s3_restore_seconds)
        self.cloud.scheduler.schedule(self.clock.now() + delay, _JOB, payload)
        return {"__status__": 202, "RestoreOutputPath": path}

    async def _run_select_job(self, payload: dict) -> None:
        partition, bucket_name, key, version_id = payload["where"]
        output = payload["output"]
        access_key, principal_arn, user_id = payload.get("requester") or ("", "", "")
        ctx = RequestContext(account=payload["account"], region=payload["region"], service="s3",
                             operation="PutObject", access_key=access_key, principal_arn=principal_arn,
                             user_id=user_id, credential=self.cloud.credentials.lookup(access_key) if access_key
                             else None, registry=self.cloud.services,
                             extra={"authorized": True} if payload.get("authorized") else {})
        try:  # a job queued before its PutObject members were kept (and checked) with it
            put = payload["put"] if "put" in payload else output_put_params(output)
        except AwsError as error:
            log.warning("Glacier Select job %s: output location refused: %s", payload["job"], error.message)
            return
        target, path = output["BucketName"], payload["path"]

        async def write(name: str, body: bytes, content_type: str = "binary/octet-stream") -> str:
            object_key = f"{path}/{name}"
            await self.put_object(ctx, {"Bucket": target, "Key": object_key, "Body": body,
                                        "ContentType": content_type, **put})
            return object_key

        try:
            job = {"JobId": payload["job"], "Bucket": bucket_name, "Key": key, "VersionId": version_id,
                   "Tier": payload["tier"], "SelectParameters": payload["select"],
                   "OutputLocation": {"S3": output}}
            await write("job.txt", json.dumps(job, indent=2).encode(), "text/plain")
            version = self.store.version(partition, bucket_name, key, version_id)
            if version is None:
                raise AwsError("NoSuchKey", "The specified key does not exist.", 404)
            request, query = prepare_select(payload["select"])
            # an SSE-KMS archive: its data key from KMS, as S3 itself (the job runs with no requester)
            wrapping = await self.kms_wrapping_key(ctx, version.attrs.get("sse"), first_envelope(version),
                                                   partition, bucket_name, key, as_requester=False) \
                if is_kms_encrypted(version.attrs.get("sse")) else None
            counts = Counts()
            events = select_events(request, query, range_opener(self.store, version, wrapping), version.size, counts)
            results, pending, held = [], [], 0
            async for event in in_worker(events, counts, False):
                if "Records" not in event:
                    continue
                pending.append(event["Records"]["Payload"])
                held += len(pending[-1])
                if held >= RESULT_OBJECT_BYTES:
                    results.append(await write(f"results/{uuid.uuid4().hex}", b"".join(pending)))
                    pending, held = [], 0
            if pending:
                results.append(await write(f"results/{uuid.uuid4().hex}", b"".join(pending)))
            manifest = "".join(f"s3://{target}/{name}\n" for name in results)
            await write("result_manifest.txt", manifest.encode(), "text/plain")
        except AwsError as error:
            try:
                await write("errors.txt", f"{error.code}: {error.message}\n".encode(), "text/plain")
            except AwsError:
                log.warning("Glacier Select job %s: results bucket %s unwritable", payload["job"], target)
        except Exception:  # noqa: BLE001 - a broken job must not stop the scheduler
            log.exception("Glacier Select job %s failed", payload["job"])
