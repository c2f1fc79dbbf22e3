"""What each service answers a request over its quota, as AWS answers it."""

from __future__ import annotations

from overcast.errors import AwsError


def throttle_error(service: str) -> AwsError:
    if service == "s3":
        # S3's 503 (its XML error, request ids and Server header added by the protocol and gateway)
        return AwsError("SlowDown", "Please reduce your request rate.", 503, sender_fault=False)
    if service in ("kms", "sqs"):
        # KMS's JSON error; SQS FIFO's documented answer (its troubleshooting guide names ThrottlingException)
        return AwsError("ThrottlingException", "Rate exceeded", 400)
    # the query protocol's services (STS, IAM, CloudWatch): <Code>Throttling</Code>, Sender
    return AwsError("Throttling", "Rate exceeded", 400)
