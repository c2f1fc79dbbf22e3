"""SQS's side of the authorization interface (``overcast.auth.authorization.authority``).

A queue's Policy attribute is its resource policy and its tags are aws:ResourceTag/*; the
queue an operation names comes out of its QueueUrl (name and account) or, for a message move
task, out of the task handle. SQS writes the action of a denial in lower case.
"""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority, ResourceFacts
from overcast.auth.authorization.denials import denial_message, reason_text
from overcast.errors import AwsError
from overcast.services.sqs.move_task_store import decode_handle
from overcast.services.sqs.urls import parse_queue_url


class SqsAuthority(ResourceAuthority):
    def authorization_values(self, ctx, params: dict) -> dict:
        """QueueName and QueueAccount of the QueueUrl (a bare name: the caller's account), and
        the source queue ARN of a move task's handle."""
        out = {"QueueAccount": ctx.account}
        address = parse_queue_url(params.get("QueueUrl") or "")
        if address is not None:
            out["QueueName"] = address.name
            if address.account is not None:
                out["QueueAccount"] = address.account
        handle = params.get("TaskHandle")
        if handle:
            decoded = decode_handle(handle)
            if decoded is not None:
                out["TaskSourceArn"] = decoded[1]
        return out

    def resource_facts(self, ctx, arn: str) -> ResourceFacts | None:
        """The queue's owner and Policy attribute; None (the ARN's account) when there is no such queue."""
        record = self.queues.by_arn(arn)
        if record is None:
            return None
        return ResourceFacts(owner=record.account, policy=record.attributes.get("Policy") or None)

    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        record = self.queues.by_arn(arn)
        return dict(record.tags) if record is not None else {}

    def denial_error(self, ctx, denial):
        shown = denial.action.lower()
        return AwsError("AccessDenied", denial_message(denial.principal, shown, denial.resource,
                                                       reason_text(shown, denial.decision)), 403)
