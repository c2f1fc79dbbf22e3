"""Instances, tags and pending transitions survive a restart (and a kill -9)."""

from __future__ import annotations

import json

from aws_clients import make_client
from ec2_helpers import launch, state_of
from serverproc import ServerProcess


def test_state_survives_kill_and_pending_transitions_complete(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    try:
        ec2 = make_client(proc.endpoint, "ec2")
        [running, pending] = launch(ec2, 2, TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "app", "Value": "web"}]}])
        proc.post("/_overcast/clock", json.dumps({"advance": 10}).encode())
        ec2.stop_instances(InstanceIds=[pending])  # stopping: due in a few seconds
        proc.kill()
        proc.start()
        ec2 = make_client(proc.endpoint, "ec2")
        assert state_of(ec2, running) == "running"
        proc.post("/_overcast/clock", json.dumps({"advance": 10}).encode())
        assert state_of(ec2, pending) == "stopped"
        filtered = ec2.describe_instances(Filters=[{"Name": "tag:app", "Values": ["web"]}])
        assert sorted(i["InstanceId"] for r in filtered["Reservations"] for i in r["Instances"]) == sorted(
            [running, pending])
    finally:
        proc.stop()
