"""What the target senders share: EventBridge's service principal, the resource-policy check
strict mode makes for it, and how a target service's error becomes a delivery failure.

EventBridge delivers to SQS, SNS and Logs as ``events.amazonaws.com`` (targets that take no
RoleArn): in strict mode the target's resource policy must let that principal act with
``aws:SourceArn`` = the rule, as on AWS. A refusal, a missing target or a key EventBridge may
not use is an error AWS does not retry (straight to the dead-letter queue); throttling and
the target's own failures are retried.

``register_builtin_senders`` registers the kinds this concern delivers; other concerns
(archives, API destinations) call ``provider.register_sender`` themselves.
"""

from __future__ import annotations

from overcast.auth.policy.document import parse_policy
from overcast.auth.policy.errors import PolicyDocumentError
from overcast.auth.policy.evaluate import evaluate
from overcast.auth.policy.model import AuthzRequest, PolicySet, Principal
from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.events.dispatch import DeliveryFailure

EVENTS_SERVICE = "events.amazonaws.com"

# target answers that retries cannot fix (the dead-letter ERROR_CODE AWS gives them)
_NO_RESOURCE = frozenset({"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NotFound",
                          "NotFoundException", "ResourceNotFoundException"})
_NO_PERMISSIONS = frozenset({"AccessDenied", "AccessDeniedException", "AuthorizationError",
                             "AuthorizationErrorException", "KmsAccessDenied", "KMSAccessDenied",
                             "KMSAccessDeniedException", "KmsDisabled", "KMSDisabled", "KMSDisabledException",
                             "KmsNotFound", "KMSNotFoundException", "KmsInvalidState", "KMSInvalidStateException"})
_THROTTLED = frozenset({"ThrottlingException", "Throttling", "RequestThrottled", "ThrottledException",
                        "KMSThrottling", "KMSThrottlingException", "KmsThrottled"})


def events_context(provider, account: str, region: str) -> RequestContext:
    """The context EventBridge calls a target's service with: its service principal."""
    return RequestContext(account=account, region=region, service="events", principal_arn=EVENTS_SERVICE,
                          registry=provider.cloud.services)


def failure_of(exc: AwsError) -> DeliveryFailure:
    """A target service's error as a delivery failure (retryable or not, as AWS treats it)."""
    if exc.code in _NO_RESOURCE:
        return DeliveryFailure("NO_RESOURCE", f"{exc.code}: {exc.message}", retryable=False)
    if exc.code in _NO_PERMISSIONS:
        return DeliveryFailure("NO_PERMISSIONS", f"{exc.code}: {exc.message}", retryable=False)
    if exc.code in _THROTTLED:
        return DeliveryFailure("THROTTLING", f"{exc.code}: {exc.message}", retryable=True)
    status = getattr(exc, "status", 400) or 400
    return DeliveryFailure("SDK_CLIENT_ERROR", f"{exc.code}: {exc.message}", retryable=status >= 500)


def policy_lets_events(text: str | None, action: str, resource_arn: str, resource_account: str, rule_arn: str,
                       rule_account: str, now: float) -> bool:
    """Whether the resource policy ``text`` lets EventBridge do ``action`` for ``rule_arn``."""
    if not text:
        return False
    try:
        policy = parse_policy(text, "resource", resource_arn)
    except (PolicyDocumentError, ValueError):
        return False
    request = AuthzRequest(
        Principal(arn=EVENTS_SERVICE, account="", kind="service", service=EVENTS_SERVICE), action, resource_arn,
        context={"aws:SourceArn": rule_arn, "aws:SourceAccount": rule_account}, resource_account=resource_account)
    return evaluate(request, PolicySet(resource=policy), now=now).allowed


def arn_parts(arn: str, service: str) -> tuple[str, str, str]:
    """(region, account, resource) of a target ARN of ``service``; not retryable otherwise."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[2] != service:
        raise DeliveryFailure("NO_RESOURCE", f"{arn} is not a {service} ARN.", retryable=False)
    return parts[3], parts[4], parts[5]


def register_builtin_senders(provider) -> None:
    from overcast.services.events import senders_sqs

    provider.register_sender("sqs", senders_sqs.sender(provider))
    for module in ("senders_sns", "senders_logs", "senders_bus", "senders_lambda"):
        try:
            imported = __import__(f"overcast.services.events.{module}", fromlist=["sender"])
        except ModuleNotFoundError as exc:
            if exc.name != f"overcast.services.events.{module}":
                raise
            continue
        provider.register_sender(imported.KIND, imported.sender(provider))
