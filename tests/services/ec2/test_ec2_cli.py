"""The AWS CLI against EC2: ``--dry-run`` on every operation answers DryRunOperation."""

from __future__ import annotations

import json

import pytest

DRY_RUN = "Request would have succeeded, but DryRun flag is set."


def _launch(aws_cli) -> str:
    answer = aws_cli("ec2", "run-instances", "--image-id", "ami-0123456789abcdef0", "--count", "1",
                     "--instance-type", "t3.micro",
                     "--tag-specifications", "ResourceType=instance,Tags=[{Key=app,Value=cli}]")
    return answer["Instances"][0]["InstanceId"]


@pytest.mark.parametrize("args", [
    ("run-instances", "--image-id", "ami-0123456789abcdef0", "--count", "1"),
    ("describe-instances",),
    ("start-instances", "--instance-ids", "{id}"),
    ("stop-instances", "--instance-ids", "{id}"),
    ("terminate-instances", "--instance-ids", "{id}"),
    ("create-tags", "--resources", "{id}", "--tags", "Key=a,Value=b"),
    ("delete-tags", "--resources", "{id}", "--tags", "Key=a"),
    ("describe-tags",),
    ("describe-regions",),
    ("describe-availability-zones",),
])
def test_dry_run(aws_cli, aws_client, server, args):
    instance_id = _launch(aws_cli)
    server.post("/_overcast/clock", json.dumps({"advance": 10}).encode())
    if args[0] == "start-instances":
        aws_client("ec2").stop_instances(InstanceIds=[instance_id])
        server.post("/_overcast/clock", json.dumps({"advance": 10}).encode())
    before = aws_client("ec2").describe_instances()["Reservations"]
    proc = aws_cli("ec2", *[a.replace("{id}", instance_id) for a in args], "--dry-run", check=False)
    assert proc.returncode != 0
    assert "DryRunOperation" in proc.stderr and DRY_RUN in proc.stderr
    assert aws_client("ec2").describe_instances()["Reservations"] == before  # nothing changed


def test_dry_run_still_validates_first(aws_cli):
    proc = aws_cli("ec2", "stop-instances", "--instance-ids", "i-0123456789abcdef0", "--dry-run", check=False)
    assert "InvalidInstanceID.NotFound" in proc.stderr


def test_cli_describe_with_filters(aws_cli):
    instance_id = _launch(aws_cli)
    answer = aws_cli("ec2", "describe-instances", "--filters", "Name=tag:app,Values=cli",
                     "--query", "Reservations[].Instances[].InstanceId")
    assert answer == [instance_id]
    assert aws_cli("ec2", "describe-tags")["Tags"][0]["Value"] == "cli"
