"""PutTargets' checks inside a target's parameter blocks (Batch, Redshift Data API, ECS), with
the texts EventBridge answers them with. Overcast has none of these services yet, so such
targets are stored and their deliveries wait; their parameters are still checked as AWS does."""

from __future__ import annotations

from overcast.services.events.errors import ValidationException

# BatchParameters: "The array size can be between 2 and 10,000", retry "Valid values are 1–10"
_ARRAY_SIZE = (2, 10000)
_RETRY_ATTEMPTS = (1, 10)


def check_parameter_blocks(target: dict) -> None:
    _check_batch(target.get("BatchParameters"))
    _check_redshift(target.get("RedshiftDataParameters"))
    _check_ecs(target["Arn"], target.get("EcsParameters"))


def _check_batch(batch: dict | None) -> None:
    if not batch:
        return
    size = (batch.get("ArrayProperties") or {}).get("Size")
    if size is not None and not _ARRAY_SIZE[0] <= size <= _ARRAY_SIZE[1]:
        raise ValidationException("Parameter ArrayProperties is not valid. Reason: Size must be in between "
                                  f"{_ARRAY_SIZE[0]} and {_ARRAY_SIZE[1]}.")
    attempts = (batch.get("RetryStrategy") or {}).get("Attempts")
    if attempts is not None and not _RETRY_ATTEMPTS[0] <= attempts <= _RETRY_ATTEMPTS[1]:
        raise ValidationException("Parameter RetryStrategy is not valid. Reason: Attempts must be in between "
                                  f"{_RETRY_ATTEMPTS[0]} and {_RETRY_ATTEMPTS[1]}.")


def _check_redshift(redshift: dict | None) -> None:
    """One statement form (Sql or Sqls) and one credential form (DbUser or SecretManagerArn)."""
    if not redshift:
        return
    if redshift.get("Sql") is not None and redshift.get("Sqls") is not None:
        raise ValidationException("Either RedshiftDataParameters.sql or RedshiftDataParameters.sqls")
    if redshift.get("DbUser") is not None and redshift.get("SecretManagerArn") is not None:
        raise ValidationException("Either RedshiftDataParameters.dBUser or RedshiftDataParameters.secretManagerArn")


def _check_ecs(cluster_arn: str, ecs: dict | None) -> None:
    """A cluster runs only task definitions of its own Region."""
    task_definition = (ecs or {}).get("TaskDefinitionArn")
    if not isinstance(task_definition, str) or not task_definition.startswith("arn:"):
        return
    cluster_region = cluster_arn.split(":")[3] if cluster_arn.count(":") >= 5 else ""
    definition_region = task_definition.split(":")[3] if task_definition.count(":") >= 5 else ""
    if cluster_region and definition_region and cluster_region != definition_region:
        raise ValidationException(f"Region of {cluster_arn} does not match region of {task_definition}")
