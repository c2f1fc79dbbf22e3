"""PutTargets' checks of the Targets it is given, beyond the model's constraints: each one
refuses the whole request with AWS's ``ValidationException`` text (PutTargets' FailedEntries
are for targets the service could not write, not for bad input).

The texts, and which target services need a RoleArn, are as EventBridge answers them:
duplicate Ids, a target ARN that is not an ARN, a parameter block for another kind of target
("Parameter(s) EcsParameters not supported for target: t1"), a FIFO queue without
SqsParameters, a dead-letter queue that is not a standard SQS queue, a service EventBridge can
only invoke through a role ("RoleArn is required for target <arn>."), and the target's input
(``target_input``).
"""

from __future__ import annotations

import re

from overcast.services.events.errors import ValidationException
from overcast.services.events.target_input import TargetInputError, check_target_input
from overcast.services.events.target_parameters import check_parameter_blocks

# arn:partition:service:region:account:resource
_ARN = re.compile(r"arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)", re.DOTALL)

# Services EventBridge invokes only by assuming the target's role (Lambda, SNS, SQS and Logs
# are invoked through their resource policies): the "Permissions for EventBridge" page, and
# PutTargets refusing each of these without RoleArn.
ROLE_REQUIRED = frozenset({"batch", "codebuild", "codepipeline", "ecs", "events", "firehose", "glue", "inspector",
                           "kinesis", "redshift", "sagemaker", "ssm", "ssm-incidents", "states"})

# Which target services each parameter block belongs to (SqsParameters is taken on any target)
_BLOCK_SERVICES = {
    "EcsParameters": {"ecs"},
    "KinesisParameters": {"kinesis"},
    "BatchParameters": {"batch"},
    "HttpParameters": {"events", "execute-api"},
    "RedshiftDataParameters": {"redshift", "redshift-serverless"},
    "RunCommandParameters": {"ssm"},
    "SageMakerPipelineParameters": {"sagemaker"},
    "AppSyncParameters": {"appsync"},
}


def parse_arn(arn: str) -> tuple[str, str, str, str] | None:
    """(service, region, account, resource) of an ARN, or None when it is not one."""
    match = _ARN.fullmatch(arn) if isinstance(arn, str) else None
    return match.groups("") if match else None


def arn_not_valid(arn: str):
    return ValidationException(f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.")


def check_targets(targets: list[dict], *, account: str | None) -> None:
    """Raise the ValidationException AWS answers for the first problem of ``targets`` (rules of
    ``account``; None: the checks that need no caller, made before authorization)."""
    seen: set[str] = set()
    for target in targets:
        target_id = target["Id"]
        if target_id in seen:
            raise ValidationException(f"Parameter targets is not valid. Reason: More than one target with Id "
                                      f"'{target_id}' is provided.")
        seen.add(target_id)
    for target in targets:
        check_target(target, account=account)


def check_target(target: dict, *, account: str | None) -> None:
    arn = target["Arn"]
    parsed = parse_arn(arn)
    if parsed is None:
        raise arn_not_valid(arn)
    service, _region, target_account, resource = parsed
    for block, services in _BLOCK_SERVICES.items():
        if target.get(block) is not None and service not in services:
            raise ValidationException(f"Parameter(s) {block} not supported for target: {target['Id']}")
    check_parameter_blocks(target)
    # another account's topic is published to as a role, never as events.amazonaws.com
    other_accounts_topic = service == "sns" and account and target_account and target_account != account
    if not target.get("RoleArn") and (service in ROLE_REQUIRED or other_accounts_topic):
        raise ValidationException(f"RoleArn is required for target {arn}.")
    group = (target.get("SqsParameters") or {}).get("MessageGroupId")
    if service == "sqs" and resource.endswith(".fifo") and not group:
        raise ValidationException("Parameter(s) SqsParameters must be specified for FIFO queues.")
    _check_dead_letter(target.get("DeadLetterConfig"))
    try:
        check_target_input(target, json_object_template=service == "logs")
    except TargetInputError as refused:
        raise ValidationException(str(refused)) from None


def _check_dead_letter(config: dict | None) -> None:
    arn = (config or {}).get("Arn")
    if arn is None:
        return
    parsed = parse_arn(arn)
    if parsed is None:
        raise arn_not_valid(arn)
    service, _region, _account, resource = parsed
    if service != "sqs":
        raise ValidationException(f"{service} is not supported as a dead letter resource")
    if resource.endswith(".fifo"):
        raise ValidationException("SQS FIFO is not supported by Dead Letter Queues")
