"""RunInstances and DescribeInstances through boto3: records, ids, filters, pagination, errors."""

from __future__ import annotations

import base64
import re

from ec2_helpers import AMI, advance, error_of, launch


def test_run_instances_records_pending_instances_with_aws_shaped_ids(aws_client):
    ec2 = aws_client("ec2")
    reservation = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=3, InstanceType="t3.micro", KeyName="dev")
    assert re.fullmatch(r"r-[0-9a-f]{17}", reservation["ReservationId"])
    assert reservation["OwnerId"] == "000000000000"
    instances = reservation["Instances"]
    assert len(instances) == 3
    assert [item["AmiLaunchIndex"] for item in instances] == [0, 1, 2]
    for item in instances:
        assert re.fullmatch(r"i-[0-9a-f]{17}", item["InstanceId"])
        assert item["State"] == {"Code": 0, "Name": "pending"}
        assert item["ImageId"] == AMI and item["InstanceType"] == "t3.micro" and item["KeyName"] == "dev"
        assert re.fullmatch(r"10\.\d+\.\d+\.\d+", item["PrivateIpAddress"])
        assert item["PrivateDnsName"] == "ip-" + item["PrivateIpAddress"].replace(".", "-") + ".ec2.internal"
        assert item["Placement"]["AvailabilityZone"] == "us-east-1a"
        assert item["LaunchTime"].tzinfo is not None
    assert len({item["PrivateIpAddress"] for item in instances}) == 3


def test_pending_becomes_running_on_the_cloud_clock(aws_client, server):
    ec2 = aws_client("ec2")
    [instance_id] = launch(ec2)
    advance(server, 10)
    found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert found["State"] == {"Code": 16, "Name": "running"}


def test_describe_groups_instances_by_reservation(aws_client):
    ec2 = aws_client("ec2")
    first = launch(ec2, 2)
    second = launch(ec2, 1)
    reservations = ec2.describe_instances()["Reservations"]
    assert [[i["InstanceId"] for i in r["Instances"]] for r in reservations] == [first, second]


def test_filters_state_tags_type_and_id(aws_client, server):
    ec2 = aws_client("ec2")
    tagged = {"ResourceType": "instance", "Tags": [{"Key": "app", "Value": "web"}, {"Key": "env", "Value": "prod"}]}
    web = launch(ec2, 2, TagSpecifications=[tagged], InstanceType="t3.small")
    other = launch(ec2, 1)
    advance(server, 10)
    ec2.stop_instances(InstanceIds=[other[0]])

    def ids(*filters):
        reservations = ec2.describe_instances(Filters=[{"Name": n, "Values": v} for n, v in filters])["Reservations"]
        return sorted(i["InstanceId"] for r in reservations for i in r["Instances"])

    assert ids(("tag:app", ["web"])) == sorted(web)
    assert ids(("tag:app", ["w?b"])) == sorted(web)
    assert ids(("tag:app", ["nope"])) == []
    assert ids(("tag-key", ["env"])) == sorted(web)
    assert ids(("instance-type", ["t3.small"])) == sorted(web)
    assert ids(("instance-state-name", ["stopping", "stopped"])) == other
    assert ids(("instance-state-name", ["running"]), ("tag:env", ["prod"])) == sorted(web)
    assert ids(("instance-id", [web[0], other[0]])) == sorted([web[0], other[0]])
    code, message, _ = error_of(ec2.describe_instances, Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    assert (code, message) == ("InvalidParameterValue", "The filter 'no-such-filter' is invalid")


def test_pagination_with_max_results_and_next_token(aws_client):
    ec2 = aws_client("ec2")
    launched = launch(ec2, 12)
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"MaxResults": 5, **({"NextToken": token} if token else {})}
        answer = ec2.describe_instances(**kwargs)
        seen += [i["InstanceId"] for r in answer["Reservations"] for i in r["Instances"]]
        pages += 1
        token = answer.get("NextToken")
        if not token:
            break
    assert pages == 3 and seen == launched
    paginated = ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 5})
    assert [i["InstanceId"] for p in paginated for r in p["Reservations"] for i in r["Instances"]] == launched


def test_describe_errors(aws_client):
    ec2 = aws_client("ec2")
    [instance_id] = launch(ec2)
    code, message, status = error_of(ec2.describe_instances, InstanceIds=["i-1234567890abcdef0"])
    assert (code, message, status) == (
        "InvalidInstanceID.NotFound", "The instance ID 'i-1234567890abcdef0' does not exist", 400)
    code, message, _ = error_of(ec2.describe_instances, InstanceIds=["i-1234567890abcdef0", "i-0234567890abcdef0"])
    assert message == "The instance IDs 'i-1234567890abcdef0, i-0234567890abcdef0' do not exist"
    code, message, _ = error_of(ec2.describe_instances, InstanceIds=["bogus"])
    assert (code, message) == ("InvalidInstanceID.Malformed", 'Invalid id: "bogus"')
    code, message, _ = error_of(ec2.describe_instances, InstanceIds=[instance_id], MaxResults=5)
    assert code == "InvalidParameterCombination"
    code, message, _ = error_of(ec2.describe_instances, MaxResults=3)
    assert code == "InvalidParameterValue" and "maxResults" in message


def test_run_instances_errors(aws_client):
    ec2 = aws_client("ec2")
    code, _, _ = error_of(ec2.run_instances, ImageId="not-an-ami", MinCount=1, MaxCount=1)
    assert code == "InvalidAMIID.Malformed"
    code, message, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t9.huge")
    assert (code, message) == ("InvalidParameterValue", "Invalid value 't9.huge' for InstanceType.")
    code, _, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=3, MaxCount=2)
    assert code == "InvalidParameterValue"
    code, message, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=0, MaxCount=0)
    assert (code, message) == ("InvalidParameterValue", "Maximum instance count must be greater than zero")
    code, message, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1,
                                Placement={"AvailabilityZone": "us-east-1z"})
    assert (code, message) == ("InvalidParameterValue", "Invalid availability zone: [us-east-1z]")
    code, _, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, SubnetId="subnet-0123456789abcdef0")
    assert code == "InvalidSubnetID.NotFound"
    code, message, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1,
                                IamInstanceProfile={"Name": "no-such-profile"})
    assert (code, message) == ("InvalidParameterValue", "Value (no-such-profile) for parameter iamInstanceProfile.name "
                                                        "is invalid. Invalid IAM Instance Profile name")
    code, _, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1,
                          TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "aws:x", "Value": "y"}]}])
    assert code == "InvalidParameterValue"
    assert ec2.describe_instances()["Reservations"] == []


def test_placement_and_subnet_follow_each_other(aws_client):
    ec2 = aws_client("ec2")
    first = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, Placement={"AvailabilityZone": "us-east-1c"})
    item = first["Instances"][0]
    assert item["Placement"]["AvailabilityZone"] == "us-east-1c"
    again = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=item["SubnetId"])["Instances"][0]
    assert again["Placement"]["AvailabilityZone"] == "us-east-1c" and again["VpcId"] == item["VpcId"]


def test_client_token_makes_launch_idempotent(aws_client):
    ec2 = aws_client("ec2")
    first = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, ClientToken="once")
    second = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, ClientToken="once")
    assert first["ReservationId"] == second["ReservationId"]
    assert len(ec2.describe_instances()["Reservations"]) == 1


def test_instances_are_scoped_by_region(aws_client):
    launch(aws_client("ec2"))
    west = aws_client("ec2", region="us-west-2")
    assert west.describe_instances()["Reservations"] == []
    assert launch(west)
    assert len(west.describe_instances()["Reservations"]) == 1


def test_subnet_in_another_zone_than_the_placement(aws_client):
    ec2 = aws_client("ec2")
    subnet = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                               Placement={"AvailabilityZone": "us-east-1d"})["Instances"][0]["SubnetId"]
    code, message, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet,
                                Placement={"AvailabilityZone": "us-east-1e"})
    expected = (f"Value (us-east-1e) for parameter availabilityZone is invalid. "
                f"Subnet '{subnet}' is in the availability zone us-east-1d")
    assert (code, message) == ("InvalidParameterValue", expected)


def test_user_data_must_be_base64_and_at_most_16_kib(aws_client):
    from botocore.handlers import base64_encode_user_data

    ec2 = aws_client("ec2")
    ec2.meta.events.unregister("before-parameter-build.ec2.RunInstances", base64_encode_user_data)
    code, message, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, UserData="not base64!")
    assert (code, message) == ("InvalidParameterValue", "Invalid BASE64 encoding of user data.")
    too_big = base64.b64encode(b"x" * (16 * 1024 + 1)).decode()
    code, message, _ = error_of(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1, UserData=too_big)
    assert (code, message) == ("InvalidParameterValue", "User data is limited to 16384 bytes")
    just_fits = base64.b64encode(b"x" * (16 * 1024)).decode()
    assert ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, UserData=just_fits)["Instances"]
