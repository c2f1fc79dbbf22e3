"""Export tasks: CreateExportTask, DescribeExportTasks, CancelExportTask (objects:
``export_writer.py``).

CreateExportTask checks, in order: the model's constraints, the time range, the group, one
active (PENDING or RUNNING) task per account and region ("Each account can only have one
active export task at a time"), then the bucket: it must exist in Overcast's S3 and be in the
caller's region, and Logs must be able to write there. In strict mode the bucket policy must
grant the Logs service principal of the region (``logs.<region>.amazonaws.com``)
s3:GetBucketAcl on the bucket and s3:PutObject with ``s3:x-amz-acl = bucket-owner-full-control``
(AWS's guide); open mode has no policies to check. Logs then writes
``<prefix>/aws-logs-write-test`` as AWS does.

A task starts PENDING; a durable timer on the cloud clock starts it ``START_DELAY`` seconds
later (RUNNING), and it ends COMPLETED, or FAILED with the reason, or CANCELLED when
CancelExportTask came first (a running task stops between slices of events). The timer
outlives a restart: a task interrupted by one runs again from the start (its objects are
overwritten whole).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import replace
from functools import partial

from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate
from overcast.auth.policy.model import AuthzRequest, PolicySet, Principal
from overcast.errors import AwsError
from overcast.services.logs.errors import (AccessDeniedException, InvalidOperationException,
                                           InvalidParameterException, LimitExceededException,
                                           ResourceNotFoundException)
from overcast.services.logs.export_writer import (WRITE_TEST_BODY, WRITE_TEST_KEY, BucketWriter, streams_in_range,
                                                  write_stream)
from overcast.services.logs.metric_filters import standard_only
from overcast.services.logs.paging import make_token, read_token
from overcast.services.logs.request_checks import CHECKS as REQUEST_CHECKS
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.logs.exports")

START_DELAY = 10.0  # cloud seconds between CreateExportTask and the task's start
TIMER_KIND = "logs.export_run"
WAIT_IN_TIMER = 5.0  # seconds the timer's handler waits for its export before leaving it in the background
DEFAULT_PREFIX = "exportedlogs"  # "If you don't specify a value, the default is exportedlogs."
ACTIVE = ("PENDING", "RUNNING")
PAGE = 50
# a PENDING task's status has no message (AWS's DescribeExportTasks answer right after creation)
MESSAGES = {"RUNNING": "Started successfully", "COMPLETED": "Completed successfully",
            "CANCELLED": "Cancelled by user"}
TASK_NOT_FOUND = "The specified export task does not exist."
BUCKET_MISSING = "The given bucket does not exist. Please make sure the bucket is valid."
ACL_CHECK_FAILED = ("GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been "
                    "granted permission to perform this operation.")
CALLER_CANNOT_WRITE = ("Please ensure that the CreateExportTask caller has been granted s3:PutObject access to the "
                       "bucket.")
PUT_CHECK_FAILED = ("PutObject call on the given bucket failed. Please check if CloudWatch Logs has been "
                    "granted permission to perform this operation.")


def check_create_export_task(params: dict) -> None:
    """CreateExportTask's own parameters (strict mode: before authorization)."""
    check_input("CreateExportTask", params)
    start, end = params["from"], params["to"]
    if start > end:
        raise InvalidParameterException(
            f"Specified time range of '{start}' and '{end}' is not valid. Please make sure the values are within "
            "the retention period of the log group and from value is less than the to values")


class ExportOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._export_tasks: dict[str, asyncio.Task] = {}  # task id -> its run in this process
        cloud.scheduler.on(TIMER_KIND, self._run_export)

    # -- the operations --------------------------------------------------------------------

    async def create_export_task(self, ctx, params: dict) -> dict:
        check_create_export_task(params)
        start, end = params["from"], params["to"]
        scope = Scope.of(ctx)
        group = standard_only(self.require_group(scope, params["logGroupName"]))
        self._check_no_active_export(scope)
        prefix = params.get("destinationPrefix") or DEFAULT_PREFIX
        bucket = params["destination"]
        owner = await self._check_export_bucket(ctx, group, bucket, prefix)
        writer = BucketWriter(self, owner, ctx.region, bucket)
        try:
            await writer.put(f"{prefix}/{WRITE_TEST_KEY}", WRITE_TEST_BODY)
        except AwsError as exc:  # S3's refusal: of Logs' write, or of the key (a prefix too long)
            if exc.code in ("AccessDenied", "AllAccessDisabled"):
                raise AccessDeniedException(PUT_CHECK_FAILED) from None
            raise InvalidParameterException(exc.message or exc.code) from None
        task_id = str(uuid.uuid4())
        now_ms = int(self.clock.now() * 1000)
        task = {"taskId": task_id, "logGroupName": group.name, "from": start, "to": end, "destination": bucket,
                "destinationPrefix": prefix, "status": {"code": "PENDING"},
                "executionInfo": {"creationTime": now_ms}, "groupId": group.group_id, "bucketOwner": owner,
                "logStreamNamePrefix": params.get("logStreamNamePrefix") or ""}
        if params.get("taskName"):
            task["taskName"] = params["taskName"]
        with self.db.transaction():
            self._check_no_active_export(scope)  # again: the bucket checks awaited
            self.db.execute("INSERT INTO export_tasks (task_id, account, region, created_ms, status, config) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (task_id, *scope, now_ms, "PENDING", json.dumps(task)))
        self.cloud.scheduler.schedule(self.clock.now() + START_DELAY, TIMER_KIND, {"taskId": task_id})
        return {"taskId": task_id}

    def describe_export_tasks(self, ctx, params: dict) -> dict:
        check_input("DescribeExportTasks", params)
        limit = params.get("limit") or PAGE
        after = read_token("export-tasks", params.get("nextToken"))
        sql = "SELECT task_id, created_ms, config FROM export_tasks WHERE account = ? AND region = ?"
        args: list = [ctx.account, ctx.region]
        if params.get("taskId"):
            sql += " AND task_id = ?"
            args.append(params["taskId"])
        if params.get("statusCode"):
            sql += " AND status = ?"
            args.append(params["statusCode"])
        if after is not None:  # newest first: continue with older tasks (ties by id)
            sql += " AND (created_ms < ? OR (created_ms = ? AND task_id > ?))"
            args += [after[0], after[0], after[1]]
        sql += " ORDER BY created_ms DESC, task_id LIMIT ?"
        rows = self.db.query(sql, (*args, limit + 1))
        result = {"exportTasks": [_shown(json.loads(config)) for _, _, config in rows[:limit]]}
        if len(rows) > limit:
            result["nextToken"] = make_token("export-tasks", [rows[limit - 1][1], rows[limit - 1][0]])
        return result

    def cancel_export_task(self, ctx, params: dict) -> dict:
        check_input("CancelExportTask", params)
        task = self._export_task(ctx.account, ctx.region, params["taskId"])
        if task is None:
            raise ResourceNotFoundException(TASK_NOT_FOUND)
        if task["status"]["code"] not in ACTIVE:
            raise InvalidOperationException("The specified export task has already finished")
        self._finish_export(task, "CANCELLED", MESSAGES["CANCELLED"])
        return {}

    # -- checks ----------------------------------------------------------------------------

    def _check_no_active_export(self, scope: Scope) -> None:
        marks = ",".join("?" * len(ACTIVE))
        if self.db.query_one(f"SELECT 1 FROM export_tasks WHERE account = ? AND region = ? AND status IN ({marks})",
                             (*scope, *ACTIVE)):
            raise LimitExceededException("Resource limit exceeded.")

    async def _check_export_bucket(self, ctx, group, bucket: str, prefix: str) -> str:
        """The bucket owner's account, once Logs may write to the bucket; raises AWS's errors."""
        registry = self.cloud.services
        if not registry.is_implemented("s3"):
            raise InvalidParameterException(BUCKET_MISSING)
        # S3's own lookup for strict-mode authorization: the bucket's owner and policy
        s3 = await registry.started("s3")
        owner, policy_text = s3.bucket_policy_for(bucket, ctx.region)
        if owner is None:
            raise InvalidParameterException(BUCKET_MISSING)
        writer = BucketWriter(self, owner, ctx.region, bucket)
        head = await writer.ctx.services.call("s3", "HeadBucket", {"Bucket": bucket})
        if head.get("BucketRegion") != ctx.region:  # "The bucket must be in the same AWS Region."
            raise InvalidParameterException(BUCKET_MISSING)
        if self.cloud.settings.strict:
            self._check_export_bucket_policy(ctx, group, bucket, prefix, owner, policy_text)
            await self._check_caller_may_write(ctx, bucket, prefix)
        return owner

    async def _check_caller_may_write(self, ctx, bucket: str, prefix: str) -> None:
        """"You must use credentials that have permission to write to the S3 bucket": the
        caller's own s3:PutObject there, decided as S3 would decide it."""
        authorizer = getattr(ctx.registry, "authorizer", None)
        if authorizer is None:
            return
        write_ctx = replace(ctx, service="s3", operation="PutObject",
                            extra={k: v for k, v in ctx.extra.items() if k != "authorized"})
        try:
            # s3:PutObject only: the CloudWatch Logs team answered that s3:PutObjectAcl is not needed
            await authorizer.authorize(write_ctx, {"Bucket": bucket, "Key": f"{prefix}/{WRITE_TEST_KEY}"})
        except AwsError:
            raise AccessDeniedException(CALLER_CANNOT_WRITE) from None

    def _check_export_bucket_policy(self, ctx, group, bucket, prefix, owner, policy_text) -> None:
        service = f"logs.{ctx.region}.amazonaws.com"
        try:
            policy = parse_policy(policy_text, "resource", f"arn:aws:s3:::{bucket}") if policy_text else None
        except (PolicyDocumentError, ValueError):
            policy = None
        context = {"aws:SourceAccount": ctx.account, "aws:SourceArn": group.log_group_arn}

        def allowed(action: str, resource: str, extra: dict) -> bool:
            if policy is None:
                return False
            request = AuthzRequest(Principal(arn=service, account="", kind="service", service=service), action,
                                   resource, context={**context, **extra}, resource_account=owner)
            return evaluate(request, PolicySet(resource=policy), now=self.clock.now()).allowed

        partition = Scope.of(ctx).partition
        if not allowed("s3:GetBucketAcl", f"arn:{partition}:s3:::{bucket}", {}):
            raise AccessDeniedException(ACL_CHECK_FAILED)
        if not allowed("s3:PutObject", f"arn:{partition}:s3:::{bucket}/{prefix}/{WRITE_TEST_KEY}",
                       {"s3:x-amz-acl": "bucket-owner-full-control"}):
            raise AccessDeniedException(PUT_CHECK_FAILED)

    # -- the task's run --------------------------------------------------------------------

    def _export_task(self, account: str, region: str, task_id: str) -> dict | None:
        row = self.db.query_one("SELECT config FROM export_tasks WHERE account = ? AND region = ? AND task_id = ?",
                                (account, region, task_id))
        return json.loads(row[0]) if row else None

    def _export_task_by_id(self, task_id: str) -> tuple[dict, str, str] | None:
        row = self.db.query_one("SELECT config, account, region FROM export_tasks WHERE task_id = ?", (task_id,))
        return (json.loads(row[0]), row[1], row[2]) if row else None

    def _set_export_status(self, task: dict, code: str, message: str) -> None:
        task["status"] = {"code": code, "message": message}
        self.db.execute("UPDATE export_tasks SET status = ?, config = ? WHERE task_id = ?",
                        (code, json.dumps(task), task["taskId"]))

    def _finish_export(self, task: dict, code: str, message: str) -> None:
        task["executionInfo"]["completionTime"] = int(self.clock.now() * 1000)
        self._set_export_status(task, code, message)

    def _export_running(self, task_id: str) -> bool:
        row = self.db.query_one("SELECT status FROM export_tasks WHERE task_id = ?", (task_id,))
        return row is not None and row[0] == "RUNNING"

    async def _run_export(self, payload: dict) -> None:
        """The timer's handler: run the task, waiting for it up to ``WAIT_IN_TIMER`` seconds (a
        small export is done when the clock move that started it returns); a longer one goes on
        in the background, and a restart before it ends runs it again (``start``)."""
        task_id = payload.get("taskId", "")
        found = self._export_task_by_id(task_id)
        if found is None or found[0]["status"]["code"] not in ACTIVE or task_id in self._export_tasks:
            return  # cancelled (or reset) before it ran, or already running
        self._set_export_status(found[0], "RUNNING", MESSAGES["RUNNING"])
        run = self._export_tasks[task_id] = asyncio.get_running_loop().create_task(self._export(*found))
        run.add_done_callback(lambda _: self._export_tasks.pop(task_id, None))
        await asyncio.wait({run}, timeout=WAIT_IN_TIMER)

    async def start(self) -> None:
        """Tasks a restart interrupted run again from the start (their objects are rewritten
        whole); a pending task gets a wake-up of its own as well (its timer is in another
        database: a second wake-up finds the task done and does nothing)."""
        await super().start()
        now = self.clock.now()
        for task_id, created_ms, status in self.db.query(
                "SELECT task_id, created_ms, status FROM export_tasks WHERE status IN (?, ?)", ACTIVE):
            due = now if status == "RUNNING" else max(now, created_ms / 1000 + START_DELAY)
            self.cloud.scheduler.schedule(due, TIMER_KIND, {"taskId": task_id})

    async def stop(self) -> None:
        for run in list(self._export_tasks.values()):
            run.cancel()
        await super().stop()

    async def _export(self, task: dict, account: str, region: str) -> None:
        try:
            writer = BucketWriter(self, task["bucketOwner"], region, task["destination"])
            streams = await self.read(streams_in_range, task["groupId"], task["logStreamNamePrefix"],
                                      task["from"], task["to"])
            for stream_id, stream in streams:
                if not self._export_running(task["taskId"]):
                    return
                await write_stream(self, writer, task, stream_id, stream, lambda: self._export_running(task["taskId"]))
        except AwsError as exc:  # S3 refused a write (the bucket went, its policy changed...)
            log.info("export task %s failed: %s", task["taskId"], exc.message)
            if self._export_running(task["taskId"]):
                self._finish_export(task, "FAILED", exc.message or exc.code)
            return
        except Exception:  # noqa: BLE001 - a task never stays RUNNING for nothing
            log.exception("export task %s failed", task["taskId"])
            if self._export_running(task["taskId"]):
                self._finish_export(task, "FAILED", "Internal error")
            return
        if self._export_running(task["taskId"]):
            self._finish_export(task, "COMPLETED", MESSAGES["COMPLETED"])


def _shown(task: dict) -> dict:
    """A task as DescribeExportTasks shows it (without Overcast's own bookkeeping)."""
    return {key: value for key, value in task.items() if key not in ("groupId", "bucketOwner", "logStreamNamePrefix")}


# strict mode: these checks come before authorization (``request_checks.CHECKS``)
REQUEST_CHECKS.update({"CreateExportTask": check_create_export_task,
                       "DescribeExportTasks": partial(check_input, "DescribeExportTasks"),
                       "CancelExportTask": partial(check_input, "CancelExportTask")})
