"""CreateTags, DeleteTags, DescribeTags."""

from __future__ import annotations

from ec2_helpers import error_of, launch


def _tags(ec2, **kwargs):
    return [(t["ResourceId"], t["Key"], t["Value"]) for t in ec2.describe_tags(**kwargs)["Tags"]]


def test_create_overwrite_and_describe(aws_client):
    ec2 = aws_client("ec2")
    [a, b] = launch(ec2, 2)
    ec2.create_tags(Resources=[a, b], Tags=[{"Key": "team", "Value": "blue"}, {"Key": "Name", "Value": ""}])
    ec2.create_tags(Resources=[a], Tags=[{"Key": "team", "Value": "red"}])
    assert sorted(_tags(ec2)) == sorted([(a, "Name", ""), (a, "team", "red"), (b, "Name", ""), (b, "team", "blue")])
    found = ec2.describe_instances(InstanceIds=[a])["Reservations"][0]["Instances"][0]
    assert sorted((t["Key"], t["Value"]) for t in found["Tags"]) == [("Name", ""), ("team", "red")]
    assert ec2.describe_tags()["Tags"][0]["ResourceType"] == "instance"


def test_describe_filters(aws_client):
    ec2 = aws_client("ec2")
    [a, b] = launch(ec2, 2)
    ec2.create_tags(Resources=[a], Tags=[{"Key": "team", "Value": "blue"}])
    ec2.create_tags(Resources=[b], Tags=[{"Key": "team", "Value": "red"}, {"Key": "cost", "Value": "7"}])
    assert _tags(ec2, Filters=[{"Name": "resource-id", "Values": [a]}]) == [(a, "team", "blue")]
    assert _tags(ec2, Filters=[{"Name": "key", "Values": ["cost"]}]) == [(b, "cost", "7")]
    assert _tags(ec2, Filters=[{"Name": "value", "Values": ["r*"]}]) == [(b, "team", "red")]
    assert len(_tags(ec2, Filters=[{"Name": "resource-type", "Values": ["instance"]}])) == 3
    assert _tags(ec2, Filters=[{"Name": "resource-type", "Values": ["volume"]}]) == []
    assert _tags(ec2, Filters=[{"Name": "key", "Values": ["team"]}, {"Name": "value", "Values": ["blue"]}]) == [
        (a, "team", "blue")]
    assert _tags(ec2, Filters=[{"Name": "tag:team", "Values": ["red"]}]) == [(b, "team", "red")]
    code, _, _ = error_of(ec2.describe_tags, Filters=[{"Name": "colour", "Values": ["x"]}])
    assert code == "InvalidParameterValue"


def test_describe_pages(aws_client):
    ec2 = aws_client("ec2")
    [a] = launch(ec2)
    ec2.create_tags(Resources=[a], Tags=[{"Key": f"k{n:02d}", "Value": str(n)} for n in range(12)])
    first = ec2.describe_tags(MaxResults=5)
    assert len(first["Tags"]) == 5 and first["NextToken"]
    pages = ec2.get_paginator("describe_tags").paginate(PaginationConfig={"PageSize": 5})
    assert [t["Key"] for p in pages for t in p["Tags"]] == [f"k{n:02d}" for n in range(12)]


def test_delete_by_key_by_value_and_all(aws_client):
    ec2 = aws_client("ec2")
    [a] = launch(ec2)
    ec2.create_tags(Resources=[a], Tags=[{"Key": k, "Value": v} for k, v in (("x", "1"), ("y", "2"), ("z", ""))])
    ec2.delete_tags(Resources=[a], Tags=[{"Key": "y", "Value": "not-2"}])  # value differs: kept
    ec2.delete_tags(Resources=[a], Tags=[{"Key": "x"}])
    assert [t[1] for t in _tags(ec2)] == ["y", "z"]
    ec2.delete_tags(Resources=[a], Tags=[{"Key": "y", "Value": "2"}])
    assert [t[1] for t in _tags(ec2)] == ["z"]
    ec2.create_tags(Resources=[a], Tags=[{"Key": "w", "Value": "3"}])
    ec2.delete_tags(Resources=[a])
    assert _tags(ec2) == []


def test_tag_errors(aws_client):
    ec2 = aws_client("ec2")
    [a] = launch(ec2)
    code, _, _ = error_of(ec2.create_tags, Resources=["i-0123456789abcdef0"], Tags=[{"Key": "k", "Value": "v"}])
    assert code == "InvalidInstanceID.NotFound"
    code, message, _ = error_of(ec2.create_tags, Resources=["bogus"], Tags=[{"Key": "k", "Value": "v"}])
    assert (code, message) == ("InvalidID", "The ID 'bogus' is not valid")
    code, _, _ = error_of(ec2.create_tags, Resources=[a], Tags=[{"Key": "aws:reserved", "Value": "v"}])
    assert code == "InvalidParameterValue"
    code, _, _ = error_of(ec2.create_tags, Resources=[a], Tags=[{"Key": "k" * 129, "Value": "v"}])
    assert code == "InvalidParameterValue"
    code, _, _ = error_of(ec2.create_tags, Resources=[a], Tags=[{"Key": "k", "Value": "v" * 257}])
    assert code == "InvalidParameterValue"
    ec2.create_tags(Resources=[a], Tags=[{"Key": f"k{n}", "Value": ""} for n in range(50)])
    code, message, _ = error_of(ec2.create_tags, Resources=[a], Tags=[{"Key": "one-more", "Value": ""}])
    assert code == "TagLimitExceeded"
    ec2.create_tags(Resources=[a], Tags=[{"Key": "k1", "Value": "overwrite is fine"}])
