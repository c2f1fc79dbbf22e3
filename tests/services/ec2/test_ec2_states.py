"""StartInstances, StopInstances, TerminateInstances: transitions on the cloud clock."""

from __future__ import annotations

from ec2_helpers import advance, error_of, launch, state_of


def test_stop_then_start_moves_through_each_state(aws_client, server):
    ec2 = aws_client("ec2")
    [instance_id] = launch(ec2)
    advance(server, 10)
    stopping = ec2.stop_instances(InstanceIds=[instance_id])["StoppingInstances"][0]
    assert stopping == {"InstanceId": instance_id, "CurrentState": {"Code": 64, "Name": "stopping"},
                        "PreviousState": {"Code": 16, "Name": "running"}}
    advance(server, 10)
    found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert found["State"]["Name"] == "stopped"
    assert found["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    assert found["StateTransitionReason"].startswith("User initiated (")
    starting = ec2.start_instances(InstanceIds=[instance_id])["StartingInstances"][0]
    assert starting["CurrentState"]["Name"] == "pending" and starting["PreviousState"]["Name"] == "stopped"
    advance(server, 10)
    assert state_of(ec2, instance_id) == "running"


def test_repeating_a_transition_is_no_change(aws_client, server):
    ec2 = aws_client("ec2")
    [instance_id] = launch(ec2)
    advance(server, 10)
    ec2.stop_instances(InstanceIds=[instance_id])
    again = ec2.stop_instances(InstanceIds=[instance_id])["StoppingInstances"][0]
    assert again["CurrentState"]["Name"] == again["PreviousState"]["Name"] == "stopping"
    advance(server, 10)
    started = ec2.start_instances(InstanceIds=[instance_id])["StartingInstances"][0]
    assert started["CurrentState"]["Name"] == "pending"
    started = ec2.start_instances(InstanceIds=[instance_id])["StartingInstances"][0]
    assert started["CurrentState"]["Name"] == started["PreviousState"]["Name"] == "pending"


def test_terminate_then_terminated_then_gone(aws_client, server):
    ec2 = aws_client("ec2")
    [instance_id, kept] = launch(ec2, 2, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "app", "Value": "web"}]}])
    change = ec2.terminate_instances(InstanceIds=[instance_id])["TerminatingInstances"][0]
    assert change["CurrentState"] == {"Code": 32, "Name": "shutting-down"}
    assert change["PreviousState"] == {"Code": 0, "Name": "pending"}
    advance(server, 10)
    found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert found["State"] == {"Code": 48, "Name": "terminated"}
    assert "PrivateIpAddress" not in found
    again = ec2.terminate_instances(InstanceIds=[instance_id])["TerminatingInstances"][0]
    assert again["CurrentState"]["Name"] == again["PreviousState"]["Name"] == "terminated"
    code, _, _ = error_of(ec2.start_instances, InstanceIds=[instance_id])
    assert code == "IncorrectInstanceState"
    code, _, _ = error_of(ec2.stop_instances, InstanceIds=[instance_id])
    assert code == "IncorrectInstanceState"
    advance(server, 3700)  # terminated instances stay visible for about an hour
    code, _, _ = error_of(ec2.describe_instances, InstanceIds=[instance_id])
    assert code == "InvalidInstanceID.NotFound"
    assert [t["ResourceId"] for t in ec2.describe_tags()["Tags"]] == [kept]


def test_stopping_a_pending_instance_is_incorrect_state(aws_client):
    ec2 = aws_client("ec2")
    [instance_id] = launch(ec2)
    code, message, status = error_of(ec2.stop_instances, InstanceIds=[instance_id])
    assert (code, status) == ("IncorrectInstanceState", 400) and instance_id in message


def test_state_changes_need_known_instances(aws_client):
    ec2 = aws_client("ec2")
    code, _, _ = error_of(ec2.stop_instances, InstanceIds=["i-0123456789abcdef0"])
    assert code == "InvalidInstanceID.NotFound"
    code, _, _ = error_of(ec2.terminate_instances, InstanceIds=["i-xyz"])
    assert code == "InvalidInstanceID.Malformed"


def test_transitions_happen_without_reads(aws_client, server):
    """The durable timer moves the state even if nobody asks (here: the clock moves past it)."""
    ec2 = aws_client("ec2")
    [instance_id] = launch(ec2)
    advance(server, 6)
    advance(server, 3600 * 2)
    assert state_of(ec2, instance_id) == "running"
