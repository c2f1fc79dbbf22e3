"""The metadata paths, as the default identity and as a recorded instance."""

from __future__ import annotations

import json
import re

from imds_helpers import advance, choose, imds, text


def test_default_identity_without_instances(server):
    listing = text(server, "/latest/meta-data/").split("\n")
    for name in ("ami-id", "hostname", "instance-id", "instance-type", "local-hostname", "local-ipv4", "mac",
                 "placement/"):
        assert name in listing
    assert "iam/" not in listing  # no instance profile chosen
    assert text(server, "/latest/meta-data/instance-id") == "i-00000000000000000"
    assert text(server, "/latest/meta-data/placement/") == "availability-zone\navailability-zone-id\nregion"
    assert text(server, "/latest/meta-data/placement/region") == "us-east-1"
    assert text(server, "/latest/meta-data/placement/availability-zone") == "us-east-1a"
    assert imds(server, "/latest/meta-data/iam/info")[0] == 404
    assert imds(server, "/latest/user-data")[0] == 404
    assert imds(server, "/latest/meta-data/no-such-thing")[0] == 404
    assert text(server, "/latest/") == "dynamic\nmeta-data"


def test_serves_as_the_latest_running_instance(server, aws_client):
    ec2 = aws_client("ec2")
    first = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, InstanceType="t3.large",
                              Placement={"AvailabilityZone": "us-east-1b"})["Instances"][0]
    assert text(server, "/latest/meta-data/instance-id") == "i-00000000000000000"  # still pending
    advance(server, 10)
    assert text(server, "/latest/meta-data/instance-id") == first["InstanceId"]
    assert text(server, "/latest/meta-data/ami-id") == "ami-0123456789abcdef0"
    assert text(server, "/latest/meta-data/instance-type") == "t3.large"
    assert text(server, "/latest/meta-data/local-ipv4") == first["PrivateIpAddress"]
    assert text(server, "/latest/meta-data/hostname") == first["PrivateDnsName"]
    assert text(server, "/latest/meta-data/local-hostname") == first["PrivateDnsName"]
    assert text(server, "/latest/meta-data/mac") == first["NetworkInterfaces"][0]["MacAddress"]
    assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", text(server, "/latest/meta-data/mac"))
    assert text(server, "/latest/meta-data/placement/availability-zone") == "us-east-1b"
    second = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1)["Instances"][0]
    advance(server, 10)
    assert text(server, "/latest/meta-data/instance-id") == second["InstanceId"]
    ec2.stop_instances(InstanceIds=[second["InstanceId"]])
    assert text(server, "/latest/meta-data/instance-id") == first["InstanceId"]


def test_user_data_and_identity_document(server, aws_client):
    ec2 = aws_client("ec2")
    script = "#!/bin/bash\necho hello > /tmp/x\n"
    launched = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, UserData=script,
                                 InstanceType="t3.micro")["Instances"][0]
    advance(server, 10)
    assert text(server, "/latest/user-data") == script
    assert text(server, "/latest/").split("\n") == ["dynamic", "meta-data", "user-data"]
    document = json.loads(text(server, "/latest/dynamic/instance-identity/document"))
    assert document["instanceId"] == launched["InstanceId"]
    assert document["accountId"] == "000000000000"
    assert document["region"] == "us-east-1" and document["availabilityZone"] == "us-east-1a"
    assert document["imageId"] == "ami-0123456789abcdef0" and document["instanceType"] == "t3.micro"
    assert document["privateIp"] == launched["PrivateIpAddress"]
    assert document["architecture"] == "x86_64" and document["version"] == "2017-09-30"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["pendingTime"])
    assert document["kernelId"] is None and document["billingProducts"] is None


def test_binary_user_data_comes_back_byte_identical(server, aws_client):
    raw = bytes(range(256))
    ec2 = aws_client("ec2")
    # boto3 base64-encodes UserData itself; give it text that decodes to our bytes via latin-1.
    ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, UserData=raw.decode("latin-1"))
    advance(server, 10)
    status, body, _ = imds(server, "/latest/user-data")
    assert status == 200 and body == raw.decode("latin-1").encode("utf-8")


def test_choose_an_instance_and_back(server, aws_client):
    ec2 = aws_client("ec2")
    older = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    west = aws_client("ec2", region="eu-west-1")
    newer = west.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    advance(server, 10)
    assert text(server, "/latest/meta-data/instance-id") == newer
    assert text(server, "/latest/meta-data/placement/region") == "eu-west-1"
    answer = choose(server, instance_id=older)
    assert answer["instance_id"] == older
    assert text(server, "/latest/meta-data/instance-id") == older
    ec2.stop_instances(InstanceIds=[older])  # a chosen instance stays chosen whatever its state
    assert text(server, "/latest/meta-data/instance-id") == older
    choose(server)
    assert text(server, "/latest/meta-data/instance-id") == newer


def test_choose_errors(server):
    import urllib.error

    import pytest

    with pytest.raises(urllib.error.HTTPError) as caught:
        choose(server, instance_id="i-0123456789abcdef0")
    assert caught.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as caught:
        choose(server, bogus=1)
    assert caught.value.code == 400
