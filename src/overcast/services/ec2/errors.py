"""EC2's errors, with the codes and messages EC2 answers."""

from __future__ import annotations

from overcast.errors import AwsError


class Ec2Error(AwsError):
    status = 400


def dry_run() -> AwsError:
    """What every operation answers after validating when ``DryRun`` is set."""
    return Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)


def invalid_value(message: str) -> AwsError:
    return Ec2Error("InvalidParameterValue", message)


def invalid_combination(message: str) -> AwsError:
    return Ec2Error("InvalidParameterCombination", message)


def missing_parameter(name: str) -> AwsError:
    return Ec2Error("MissingParameter", f"The request must contain the parameter {name}")


def malformed_instance_id(instance_id: str) -> AwsError:
    return Ec2Error("InvalidInstanceID.Malformed", f'Invalid id: "{instance_id}"')


def instances_not_found(instance_ids: list[str]) -> AwsError:
    if len(instance_ids) == 1:
        return Ec2Error("InvalidInstanceID.NotFound", f"The instance ID '{instance_ids[0]}' does not exist")
    joined = ", ".join(instance_ids)
    return Ec2Error("InvalidInstanceID.NotFound", f"The instance IDs '{joined}' do not exist")


def incorrect_state(instance_id: str, action: str) -> AwsError:
    return Ec2Error(
        "IncorrectInstanceState", f"The instance '{instance_id}' is not in a state from which it can be {action}."
    )


def invalid_id(resource_id: str) -> AwsError:
    return Ec2Error("InvalidID", f'The ID \'{resource_id}\' is not valid')


def invalid_filter(name: str) -> AwsError:
    return Ec2Error("InvalidParameterValue", f"The filter '{name}' is invalid")


def invalid_next_token(token: str) -> AwsError:
    return Ec2Error("InvalidParameterValue", f"Invalid value '{token}' for parameter nextToken")
