"""ec2 protocol specifics: EC2 parameter naming, the response and error envelopes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from botocore.parsers import create_parser

from overcast.errors import AwsError
from overcast.protocols import HttpRequest, get_protocol
from overcast.protocols.models import service_model

from oracle_support import RequestIdContext

EC2 = get_protocol("ec2")
NS = "{http://ec2.amazonaws.com/doc/2016-11-15}"


def parse(body: str):
    request = HttpRequest("POST", "/", "", {"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
                          body.encode())
    operation = EC2.find_operation(service_model("ec2"), request)
    return operation.name, EC2.parse_request(operation, request)


def test_ec2_names_lists_and_nested_structures():
    name, params = parse(
        "Action=RunInstances&Version=2016-11-15&ImageId=ami-1&MinCount=1&MaxCount=2&DryRun=true"
        "&SecurityGroupId.1=sg-1&SecurityGroupId.2=sg-2"
        "&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.1.Value=b"
        "&BlockDeviceMapping.1.DeviceName=%2Fdev%2Fsda1&BlockDeviceMapping.1.Ebs.VolumeSize=8"
    )
    assert name == "RunInstances"
    assert params == {
        "ImageId": "ami-1", "MinCount": 1, "MaxCount": 2, "DryRun": True,
        "SecurityGroupIds": ["sg-1", "sg-2"],
        "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "b"}]}],
        "BlockDeviceMappings": [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}],
    }


def test_filters_use_query_names():
    _, params = parse("Action=DescribeInstances&Filter.1.Name=tag%3Ateam&Filter.1.Value.1=core&Filter.1.Value.2=web"
                      "&InstanceId.1=i-1")
    assert params == {"Filters": [{"Name": "tag:team", "Values": ["core", "web"]}], "InstanceIds": ["i-1"]}


def test_response_envelope_with_request_id_and_item_lists():
    operation = service_model("ec2").operation_model("DescribeInstances")
    result = {"Reservations": [{"ReservationId": "r-1", "Instances": [{"InstanceId": "i-1",
                                                                       "State": {"Code": 16, "Name": "running"}}]}]}
    response = EC2.serialize_response(operation, result, RequestIdContext("req-7"))
    root = ET.fromstring(response.body)
    assert root.tag == f"{NS}DescribeInstancesResponse"
    assert root.find(f"{NS}requestId").text == "req-7"
    item = root.find(f"{NS}reservationSet/{NS}item")
    assert item.find(f"{NS}instancesSet/{NS}item/{NS}instanceState/{NS}name").text == "running"
    parsed = create_parser("ec2").parse({"status_code": 200, "headers": response.headers, "body": response.body},
                                        operation.output_shape)
    assert parsed["Reservations"] == result["Reservations"]
    assert parsed["ResponseMetadata"]["RequestId"] == "req-7"


def test_error_envelope():
    model = service_model("ec2")
    operation = model.operation_model("DescribeInstances")
    error = AwsError("InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist")
    response = EC2.serialize_error(model, operation, error, RequestIdContext("req-8"))
    assert response.status == 400
    root = ET.fromstring(response.body)
    assert root.tag == "Response"
    assert root.find("Errors/Error/Code").text == "InvalidInstanceID.NotFound"
    assert root.find("RequestID").text == "req-8"
    parsed = create_parser("ec2").parse({"status_code": 400, "headers": response.headers, "body": response.body},
                                        operation.output_shape)
    assert parsed["Error"] == {"Code": "InvalidInstanceID.NotFound", "Message": "The instance ID 'i-1' does not exist"}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-8"
