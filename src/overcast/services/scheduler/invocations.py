"""Calling a schedule's target, with the target's RetryPolicy and DeadLetterConfig.

A run is written down (``invocations``) before the target is called and removed once the
call succeeded, was dead-lettered or was given up, so a run is never lost to a crash.
Failures AWS treats as final (the role refused or not allowed, a request the target's service
refuses as invalid) are not retried; others (a missing queue or topic, throttling, server
errors) are retried with exponential backoff until MaximumRetryAttempts or
MaximumEventAgeInSeconds runs out. Then the DLQ (an SQS queue, sent to as the execution role)
gets the run's input with the error in message attributes. A Lambda target waits (parked)
while the cloud runs no Lambda, as Logs keeps its Lambda deliveries.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

from overcast.errors import AwsError
from overcast.services.scheduler.acting import RoleRefused
from overcast.services.scheduler.arns import schedule_arn
from overcast.services.scheduler.schedules import DEFAULT_RETRY_POLICY
from overcast.services.scheduler.target_calls import fill_context, parse_target
from overcast.storage.scope import Scope

log = logging.getLogger("overcast.scheduler")

RETRY = "scheduler.retry"
FIRST_BACKOFF, MAX_BACKOFF = 1.0, 300.0  # seconds: doubled per attempt, capped at 5 minutes
_FINAL_CODES = ("AccessDenied", "AccessDeniedException", "AuthorizationError", "ValidationException",
                "ValidationError", "InvalidParameterValue", "InvalidParameterException", "InvalidParameter",
                "InvalidRequestException", "MissingParameter", "NotImplemented", "KMS.DisabledException")


class Parked(Exception):
    """The target's service does not run in Overcast yet."""


class Failure(Exception):
    def __init__(self, code: str, message: str, final: bool):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.final = code, message, final


def queue_url(region: str, account: str, name: str) -> str:
    """The queue's URL in AWS's form (SQS takes it in any region's endpoint): Scheduler sends
    with sqs:SendMessage alone, as its execution role needs no sqs:GetQueueUrl."""
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class InvocationOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._retry_timers: dict[int, int] = {}
        # grows with every reset: a call in flight across a reset must not touch the new state
        # (invocation ids start again from 1 in a wiped database)
        self.state_epoch = 0
        cloud.scheduler.on(RETRY, self._on_retry)

    def record_invocation(self, scope: Scope, group: str, name: str, target: dict, scheduled: float,
                          now: float) -> int:
        """Write a run down (inside the caller's transaction); returns its id."""
        return self.db.query_one(
            "INSERT INTO invocations (account, region, group_name, schedule_name, target, scheduled, first_attempt, "
            "attempt, due) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING invocation_id",
            (*scope, group, name, json.dumps(target), scheduled, now, now))[0]

    def arm_invocations(self) -> None:
        """After a start: retry every run still pending (parked ones once Lambda runs)."""
        lambda_runs = self.cloud.services.is_implemented("lambda")
        for invocation_id, due, parked in self.db.query("SELECT invocation_id, due, parked FROM invocations"):
            if not parked or lambda_runs:
                self._retry_timers[invocation_id] = self.cloud.scheduler.schedule(
                    due, RETRY, {"id": invocation_id}, durable=False)

    async def _on_retry(self, payload: dict) -> None:
        self._retry_timers.pop(payload["id"], None)
        await self.invoke(payload["id"])

    async def invoke(self, invocation_id: int) -> None:
        row = self.db.query_one("SELECT account, region, group_name, schedule_name, target, scheduled, first_attempt, "
                                "attempt FROM invocations WHERE invocation_id = ?", (invocation_id,))
        if row is None:
            return
        account, region, group, name, target_text, scheduled, first_attempt, attempt = row
        scope, target = Scope(account, region), json.loads(target_text)
        arn = schedule_arn(scope, group, name)
        # one id per run, the same for its retries (the context attribute and the DLQ's EXECUTION_ID)
        execution_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}#{invocation_id}#{scheduled}"))
        input_text = fill_context(target.get("Input") or "{}", schedule_arn=arn, scheduled=_iso(scheduled),
                                  execution_id=execution_id, attempt=attempt)
        self.scheduler_metrics.count(scope, group, "InvocationAttemptCount")
        state = self.state_epoch
        try:
            await self._call_target(scope, target, input_text, arn)
        except Parked:
            if state != self.state_epoch:
                return  # the state was reset while the target was called: this run is gone
            self.db.execute("UPDATE invocations SET parked = 1 WHERE invocation_id = ?", (invocation_id,))
            return
        except Failure as failure:
            if state != self.state_epoch:
                return
            self.scheduler_metrics.count(scope, group, "TargetErrorCount")
            await self._failed(invocation_id, scope, group, target, input_text, arn, failure, attempt, scheduled,
                               execution_id)
            return
        if state == self.state_epoch:
            self.db.execute("DELETE FROM invocations WHERE invocation_id = ?", (invocation_id,))

    async def _failed(self, invocation_id: int, scope: Scope, group: str, target: dict, input_text: str, arn: str,
                      failure: Failure, attempt: int, scheduled: float, execution_id: str) -> None:
        policy = {**DEFAULT_RETRY_POLICY, **(target.get("RetryPolicy") or {})}
        now = self.clock.now()
        delay = min(FIRST_BACKOFF * 2 ** (attempt - 1), MAX_BACKOFF)
        exhausted = None
        if attempt > policy["MaximumRetryAttempts"]:
            exhausted = "MaximumRetryAttempts"
        elif now + delay - scheduled > policy["MaximumEventAgeInSeconds"]:
            exhausted = "MaximumEventAgeInSeconds"
        if not failure.final and exhausted is None:
            self.db.execute("UPDATE invocations SET attempt = attempt + 1, due = ? WHERE invocation_id = ?",
                            (now + delay, invocation_id))
            self._retry_timers[invocation_id] = self.cloud.scheduler.schedule(
                now + delay, RETRY, {"id": invocation_id}, durable=False)
            return
        dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
        state, sent = self.state_epoch, False
        if dead_letter:
            attributes = {"ERROR_CODE": failure.code, "ERROR_MESSAGE": failure.message[:256],
                          "EXECUTION_ID": execution_id, "RETRY_ATTEMPTS": str(attempt - 1), "SCHEDULE_ARN": arn,
                          "TARGET_ARN": target["Arn"]}
            if exhausted:
                attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
            sent = await self._dead_letter(target, dead_letter, input_text, arn, attributes)
            self.scheduler_metrics.count(scope, group, "InvocationsSentToDeadLetterCount" if sent else
                                         "InvocationsFailedToBeSentToDeadLetterCount")
        if not sent:
            log.info("schedule %s: run given up after %d attempt(s): %s", arn, attempt, failure)
            self.scheduler_metrics.count(scope, group, "InvocationDroppedCount")
        if state == self.state_epoch:
            self.db.execute("DELETE FROM invocations WHERE invocation_id = ?", (invocation_id,))

    async def _dead_letter(self, target: dict, queue_arn: str, input_text: str, arn: str, attributes: dict) -> bool:
        """Send the DLQ's message (the run's input, the error and the run in message
        attributes); whether the queue took it."""
        parts = queue_arn.split(":")
        try:
            ctx = self.role_sessions.context(target["RoleArn"], parts[3])
            await ctx.services.call("sqs", "SendMessage", {
                "QueueUrl": queue_url(parts[3], parts[4], parts[5]), "MessageBody": input_text,
                # SQS refuses an empty attribute value: an error without a message leaves it out
                "MessageAttributes": {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items() if v},
            }, authorize=self.cloud.settings.strict)
        except (AwsError, RoleRefused) as exc:
            log.warning("schedule %s: the dead-letter queue %s refused the run: %s", arn, queue_arn, exc)
            return False
        return True

    async def _call_target(self, scope: Scope, target: dict, input_text: str, arn: str) -> None:
        kind = parse_target(target["Arn"])
        strict = self.cloud.settings.strict
        region = kind.region or scope.region
        if kind.service == "lambda" and not self.cloud.services.is_implemented("lambda"):
            raise Parked(target["Arn"])
        if kind.kind == "other":  # a templated target Overcast does not call yet: the run fails
            raise Failure("NotImplemented", f"Overcast does not call {kind.service} targets yet.", True)
        if not self.cloud.services.is_implemented(kind.service):
            raise Failure("NotImplemented", f"The service {kind.service} is not implemented by Overcast.", True)
        try:
            ctx = self.role_sessions.context(target["RoleArn"], region)
        except RoleRefused as exc:
            raise Failure("AccessDenied", str(exc), True) from None
        call = ctx.services.call
        try:
            if kind.kind == "sqs":
                params = {"QueueUrl": queue_url(region, kind.account, kind.resource), "MessageBody": input_text}
                group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
                if group_id:
                    params["MessageGroupId"] = group_id
                await call("sqs", "SendMessage", params, authorize=strict)
            elif kind.kind == "sns":
                await call("sns", "Publish", {"TopicArn": target["Arn"], "Message": input_text}, authorize=strict)
            elif kind.kind == "lambda":
                await call("lambda", "Invoke", {"FunctionName": target["Arn"], "InvocationType": "Event",
                                                "Payload": input_text.encode()}, authorize=strict)
            elif kind.kind == "events":
                await self._put_event(call, target, input_text, arn, strict)
            else:
                try:
                    request = json.loads(input_text)
                except ValueError:
                    request = None
                if not isinstance(request, dict):
                    raise Failure("ValidationException", "Input must be a JSON object.", True)
                await call(kind.service, kind.resource, request, authorize=strict)
        except AwsError as exc:
            raise Failure(exc.code, exc.message, exc.code in _FINAL_CODES) from None
        except Failure:
            raise
        except Exception as exc:  # noqa: BLE001 - a request the target could not take: not retried
            log.warning("schedule %s: the target %s failed", arn, target["Arn"], exc_info=True)
            raise Failure("InternalServerException", str(exc) or type(exc).__name__, True) from None

    @staticmethod
    async def _put_event(call, target: dict, input_text: str, arn: str, strict: bool) -> None:
        parameters = target["EventBridgeParameters"]
        result = await call("events", "PutEvents", {"Entries": [{
            "EventBusName": target["Arn"], "Source": parameters["Source"], "DetailType": parameters["DetailType"],
            "Detail": input_text, "Resources": [arn]}]}, authorize=strict)
        if result.get("FailedEntryCount"):
            entry = result["Entries"][0]
            raise Failure(entry.get("ErrorCode") or "InternalFailure", entry.get("ErrorMessage") or "", False)
