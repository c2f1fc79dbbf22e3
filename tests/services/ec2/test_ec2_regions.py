"""DescribeRegions and DescribeAvailabilityZones."""

from __future__ import annotations

from ec2_helpers import error_of


def test_regions(aws_client):
    ec2 = aws_client("ec2")
    regions = {r["RegionName"]: r for r in ec2.describe_regions()["Regions"]}
    assert {"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"} <= set(regions)
    assert regions["eu-west-1"] == {"RegionName": "eu-west-1", "Endpoint": "ec2.eu-west-1.amazonaws.com",
                                    "OptInStatus": "opt-in-not-required"}
    named = ec2.describe_regions(RegionNames=["us-east-1", "eu-west-1"])["Regions"]
    assert sorted(r["RegionName"] for r in named) == ["eu-west-1", "us-east-1"]
    filtered = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["us-*"]}])["Regions"]
    assert filtered and all(r["RegionName"].startswith("us-") for r in filtered)
    code, _, _ = error_of(ec2.describe_regions, RegionNames=["mars-north-1"])
    assert code == "InvalidParameterValue"


def test_availability_zones_of_the_client_region(aws_client):
    zones = aws_client("ec2").describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"us-east-1{c}" for c in "abcdef"]
    assert zones[0]["ZoneId"] == "use1-az1" and zones[0]["State"] == "available"
    assert zones[0]["RegionName"] == "us-east-1" and zones[0]["ZoneType"] == "availability-zone"
    west = aws_client("ec2", region="ap-southeast-2").describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in west] == ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"]
    assert west[1]["ZoneId"] == "apse2-az2"


def test_zone_selection_and_errors(aws_client):
    ec2 = aws_client("ec2")
    named = ec2.describe_availability_zones(ZoneNames=["us-east-1b"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in named] == ["us-east-1b"]
    by_id = ec2.describe_availability_zones(ZoneIds=["use1-az3"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in by_id] == ["us-east-1c"]
    filtered = ec2.describe_availability_zones(Filters=[{"Name": "zone-name", "Values": ["us-east-1a"]}])
    assert len(filtered["AvailabilityZones"]) == 1
    code, message, _ = error_of(ec2.describe_availability_zones, ZoneNames=["us-east-1z"])
    assert (code, message) == ("InvalidParameterValue", "Invalid availability zone: [us-east-1z]")
