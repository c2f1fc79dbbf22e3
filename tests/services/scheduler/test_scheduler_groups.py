"""Schedule groups and their tags through boto3: the default group, create/get/list/delete,
deleting a group deletes its schedules, AWS's errors."""

from __future__ import annotations

import botocore.exceptions
import pytest
from scheduler_helpers import OFF, target

ARN_PREFIX = "arn:aws:scheduler:us-east-1:000000000000"


def _error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response


def test_the_default_group_exists_and_cannot_be_deleted(aws_client):
    scheduler = aws_client("scheduler")
    group = scheduler.get_schedule_group(Name="default")
    assert group["Arn"] == f"{ARN_PREFIX}:schedule-group/default"
    assert group["State"] == "ACTIVE" and group["CreationDate"] and group["LastModificationDate"]
    assert [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]] == ["default"]
    error = _error(scheduler.delete_schedule_group, Name="default")
    assert error["Error"] == {"Code": "ConflictException", "Message": "The default schedule group cannot be deleted."}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_create_get_list_and_delete_a_group(aws_client):
    scheduler = aws_client("scheduler")
    arn = scheduler.create_schedule_group(Name="nightly", Tags=[{"Key": "team", "Value": "ops"}])["ScheduleGroupArn"]
    assert arn == f"{ARN_PREFIX}:schedule-group/nightly"
    scheduler.create_schedule_group(Name="hourly")
    got = scheduler.get_schedule_group(Name="nightly")
    assert (got["Name"], got["State"], got["Arn"]) == ("nightly", "ACTIVE", arn)
    names = [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]]
    assert names == ["default", "hourly", "nightly"]
    assert [g["Name"] for g in scheduler.list_schedule_groups(NamePrefix="n")["ScheduleGroups"]] == ["nightly"]
    first = scheduler.list_schedule_groups(MaxResults=2)
    assert len(first["ScheduleGroups"]) == 2 and first["NextToken"]
    rest = scheduler.list_schedule_groups(MaxResults=2, NextToken=first["NextToken"])
    assert [g["Name"] for g in rest["ScheduleGroups"]] == ["nightly"] and "NextToken" not in rest
    scheduler.delete_schedule_group(Name="nightly")
    error = _error(scheduler.get_schedule_group, Name="nightly")
    assert error["Error"] == {"Code": "ResourceNotFoundException", "Message": "Schedule group nightly does not exist."}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_group_name_taken_is_a_conflict_unless_the_client_token_repeats(aws_client):
    scheduler = aws_client("scheduler")
    scheduler.create_schedule_group(Name="g1")
    error = _error(scheduler.create_schedule_group, Name="g1")
    assert error["Error"] == {"Code": "ConflictException", "Message": "Schedule group g1 already exists."}
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    arn = scheduler.create_schedule_group(Name="g2", ClientToken="same")["ScheduleGroupArn"]
    assert scheduler.create_schedule_group(Name="g2", ClientToken="same")["ScheduleGroupArn"] == arn
    assert _error(scheduler.create_schedule_group, Name="g2", ClientToken="other")["Error"]["Code"] == (
        "ConflictException")


def test_deleting_a_group_deletes_its_schedules(aws_client):
    scheduler = aws_client("scheduler")
    scheduler.create_schedule_group(Name="doomed")
    for name in ("a", "b"):
        scheduler.create_schedule(Name=name, GroupName="doomed", ScheduleExpression="rate(1 hour)",
                                  FlexibleTimeWindow=OFF, Target=target("arn:aws:sqs:us-east-1:000000000000:q"))
    scheduler.create_schedule(Name="a", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                              Target=target("arn:aws:sqs:us-east-1:000000000000:q"))
    scheduler.delete_schedule_group(Name="doomed")
    assert [s["Name"] for s in scheduler.list_schedules()["Schedules"]] == ["a"]
    scheduler.create_schedule_group(Name="doomed")
    assert scheduler.list_schedules(GroupName="doomed")["Schedules"] == []


def test_group_names_follow_the_model(aws_client):
    scheduler = aws_client("scheduler")
    error = _error(scheduler.create_schedule_group, Name="bad name")
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$")


def test_tags_of_a_group(aws_client):
    scheduler = aws_client("scheduler")
    arn = scheduler.create_schedule_group(Name="tagged", Tags=[{"Key": "a", "Value": "1"}])["ScheduleGroupArn"]
    scheduler.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    scheduler.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    missing = f"{ARN_PREFIX}:schedule-group/nope"
    error = _error(scheduler.list_tags_for_resource, ResourceArn=missing)
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    scheduler.delete_schedule_group(Name="tagged")
    scheduler.create_schedule_group(Name="tagged")
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == []
