"""Delivery to Lambda functions (protocol ``lambda``): an Event invocation of the function with
the SNS event AWS sends (``{"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
"EventSubscriptionArn", "Sns": {...}}]}``, the notification's fields with ``SigningCertUrl``
and ``UnsubscribeUrl`` spelled as Lambda receives them, ``Subject`` null when there is none).

SNS invokes as its service principal through the in-process Lambda client; in strict mode the
function's policy (AddPermission) must let ``sns.amazonaws.com`` invoke it for the topic. A
missing function or a refusal is a client-side error (not retried: dead-lettered); throttling
and Lambda's own failures are retried per AWS's policy for AWS-managed endpoints.
"""

from __future__ import annotations

import json

from overcast.errors import AwsError
from overcast.services.awslambda.invoke_permission import function_lets_service
from overcast.services.sns.delivery_protocols import DELIVERERS, RETRY_DELAYS, DeliveryFailed, aws_managed_retry_delay
from overcast.services.sns.envelope import signed_fields, unsubscribe_url
from overcast.services.sns.sqs_delivery import SNS_SERVICE, sns_context

_CLIENT_SIDE = frozenset({"ResourceNotFoundException", "AccessDeniedException", "InvalidParameterValueException",
                          "RequestEntityTooLargeException", "InvalidRequestContentException"})


def lambda_event(provider, sub, message) -> dict:
    """The event a function subscribed to a topic is invoked with."""
    body = message.body_for("lambda")
    signer = provider.signer
    sns = {"Type": message.type, "MessageId": message.message_id, "TopicArn": message.topic_arn,
           "Subject": message.subject, "Message": body, "Timestamp": message.timestamp,
           "SignatureVersion": message.signature_version,
           "Signature": signer.sign(signed_fields(message, body), message.signature_version),
           "SigningCertUrl": f"{message.endpoint}{signer.certificate_path()}",
           "UnsubscribeUrl": unsubscribe_url(message.endpoint, sub.arn),
           "MessageAttributes": {name: {"Type": value["DataType"],
                                        "Value": value.get("StringValue", value.get("BinaryValue"))}
                                 for name, value in message.attributes.items()}}
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": sub.arn,
                         "Sns": sns}]}


async def deliver_to_lambda(provider, sub, message) -> None:
    parts = sub.endpoint.split(":")
    if len(parts) < 7 or parts[2] != "lambda":
        raise DeliveryFailed(f"not a function ARN: {sub.endpoint}", retry=False)
    region, account = parts[3], parts[4]
    ctx = sns_context(provider, sub.account, region)
    if provider.cloud.settings.strict and not await function_lets_service(
            ctx, sub.endpoint, SNS_SERVICE, sub.topic_arn, sub.account, provider.clock.now()):
        raise DeliveryFailed(f"the policy of {sub.endpoint} does not let SNS invoke it from {sub.topic_arn}",
                             retry=False)
    payload = json.dumps(lambda_event(provider, sub, message), ensure_ascii=False).encode("utf-8")
    try:
        await ctx.services.call("lambda", "Invoke", {"FunctionName": sub.endpoint, "InvocationType": "Event",
                                                     "Payload": payload}, account=account)
    except AwsError as exc:
        raise DeliveryFailed(f"{exc.code}: {exc.message}", retry=exc.code not in _CLIENT_SIDE) from exc


DELIVERERS["lambda"] = deliver_to_lambda
RETRY_DELAYS["lambda"] = aws_managed_retry_delay
