"""Whom an SQS event source mapping acts as: Lambda polls the queue with the function's
execution role ("Lambda execution role permissions" of "Using Lambda with Amazon SQS":
sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes).

Strict mode does what AWS does: CreateEventSourceMapping and UpdateEventSourceMapping refuse a
role that may not make those calls on the queue (InvalidParameterValueException "The function
execution role does not have permissions to call ReceiveMessage on SQS"), and the pollers call
SQS with a session of the role, authorized like any caller's (its policies, the queue's
policy). Open mode polls as Lambda without a check, as every Overcast service acts in open mode.
Sessions are kept per role until shortly before they expire.
"""

from __future__ import annotations

import dataclasses

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.awslambda.errors import InvalidParameterValueException

LAMBDA_SERVICE = "lambda.amazonaws.com"
SESSION_SECONDS = 3600
_RENEW_BEFORE = 300
_NEEDED = ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes")


class MappingRoles:
    """The contexts a mapping's SQS calls are made with."""

    def __init__(self, provider):
        self.provider = provider
        self._sessions: dict[tuple[str, str], tuple[float, dict]] = {}

    def clear(self) -> None:
        self._sessions.clear()

    def context(self, account: str, region: str, role_arn: str, function_name: str) -> RequestContext:
        """The context of the mapping's SQS calls (AwsError when the role cannot be used)."""
        cloud = self.provider.cloud
        if not cloud.settings.strict:
            return RequestContext(account=account, region=region, service="lambda", principal_arn=LAMBDA_SERVICE,
                                  registry=cloud.services)
        session = self._session(role_arn, function_name)
        return RequestContext(account=account, region=region, service="lambda", access_key=session["AccessKeyId"],
                              principal_arn=session["AssumedRoleArn"], user_id=session["AssumedRoleId"],
                              credential=cloud.credentials.lookup(session["AccessKeyId"]), registry=cloud.services)

    def _session(self, role_arn: str, function_name: str) -> dict:
        cloud = self.provider.cloud
        now = cloud.clock.now()
        cached = self._sessions.get((role_arn, function_name))
        if cached is not None and cached[0] - _RENEW_BEFORE > now:
            return cached[1]
        session = cloud.services.provider("sts").issue_role_session(role_arn, function_name, SESSION_SECONDS,
                                                                    source_principal=LAMBDA_SERVICE)
        self._sessions[(role_arn, function_name)] = (now + SESSION_SECONDS, session)
        return session

    async def check_queue_access(self, ctx: RequestContext, queue_url: str, queue_account: str) -> None:
        """Strict mode: refuse a role that may not poll the queue, in AWS's words."""
        authorizer = self.provider.cloud.services.authorizer
        if not self.provider.cloud.settings.strict or authorizer is None:
            return
        for operation in _NEEDED:
            probe = dataclasses.replace(ctx, service="sqs", operation=operation, account=queue_account,
                                        extra={})
            params = {"QueueUrl": queue_url, "ReceiptHandle": "probe"}
            try:
                await authorizer.authorize(probe, params)
            except AwsError as exc:
                if exc.status in (401, 403) or "AccessDenied" in exc.code:
                    raise InvalidParameterValueException(
                        f"The function execution role does not have permissions to call {operation} on SQS") from None
                raise
