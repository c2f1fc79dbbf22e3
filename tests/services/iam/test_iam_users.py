"""IAM users and groups through boto3: CRUD, paths, pagination, the caller's user, conflicts."""

from __future__ import annotations

import pytest
from iam_helpers import ACCOUNT, allow, error_of


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def test_create_get_update_delete_user(iam):
    user = iam.create_user(UserName="alice", Path="/eng/", Tags=[{"Key": "team", "Value": "core"}])["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eng/alice"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert user["Tags"] == [{"Key": "team", "Value": "core"}]
    assert iam.get_user(UserName="ALICE")["User"]["UserName"] == "alice"
    iam.update_user(UserName="alice", NewUserName="alicia", NewPath="/ops/")
    renamed = iam.get_user(UserName="alicia")["User"]
    assert renamed["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ops/alicia" and renamed["UserId"] == user["UserId"]
    assert error_of(iam.get_user, UserName="alice") == (
        "NoSuchEntity", "The user with name alice cannot be found.", 404)
    iam.delete_user(UserName="alicia")
    assert iam.list_users()["Users"] == []


def test_duplicate_and_invalid_names(iam):
    iam.create_user(UserName="bob")
    assert error_of(iam.create_user, UserName="BOB") == (
        "EntityAlreadyExists", "User with name BOB already exists.", 409)
    code, message, status = error_of(iam.create_user, UserName="bad name")
    assert (code, status) == ("ValidationError", 400)
    assert message == ("1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: [\\w+=,.@-]+")
    code, message, _ = error_of(iam.create_user, UserName="x" * 65)
    assert "Member must have length less than or equal to 64" in message
    code, message, _ = error_of(iam.create_user, UserName="carol", Path="no-slashes")
    assert code == "ValidationError" and "at 'path'" in message


def test_list_users_pagination_and_path_prefix(iam):
    for n in range(7):
        iam.create_user(UserName=f"user{n}", Path="/team/" if n < 3 else "/")
    page = iam.list_users(MaxItems=3)
    assert page["IsTruncated"] and [u["UserName"] for u in page["Users"]] == ["user0", "user1", "user2"]
    rest = iam.list_users(Marker=page["Marker"])
    assert not rest["IsTruncated"] and [u["UserName"] for u in rest["Users"]] == [f"user{n}" for n in range(3, 7)]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/team/")["Users"]] == ["user0", "user1", "user2"]
    assert "Tags" not in page["Users"][0]


def test_get_user_without_name_is_the_caller(iam, aws_client):
    root = iam.get_user()["User"]
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root" and root["UserId"] == ACCOUNT
    iam.create_user(UserName="dave")
    key = iam.create_access_key(UserName="dave")["AccessKey"]
    as_dave = aws_client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert as_dave.get_user()["User"]["UserName"] == "dave"


def test_delete_user_conflicts(iam):
    iam.create_user(UserName="erin")
    key = iam.create_access_key(UserName="erin")["AccessKey"]["AccessKeyId"]
    assert error_of(iam.delete_user, UserName="erin") == (
        "DeleteConflict", "Cannot delete entity, must delete access keys first.", 409)
    iam.delete_access_key(UserName="erin", AccessKeyId=key)
    iam.put_user_policy(UserName="erin", PolicyName="p", PolicyDocument=allow())
    assert error_of(iam.delete_user, UserName="erin")[1] == "Cannot delete entity, must delete policies first."
    iam.delete_user_policy(UserName="erin", PolicyName="p")
    iam.attach_user_policy(UserName="erin", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert error_of(iam.delete_user, UserName="erin")[1] == "Cannot delete entity, must detach all policies first."
    iam.detach_user_policy(UserName="erin", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="erin")
    assert error_of(iam.delete_user, UserName="erin")[0] == "DeleteConflict"
    iam.remove_user_from_group(GroupName="devs", UserName="erin")
    iam.delete_user(UserName="erin")


def test_groups_and_membership(iam):
    group = iam.create_group(GroupName="devs", Path="/eng/")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/eng/devs" and group["GroupId"].startswith("AGPA")
    assert error_of(iam.create_group, GroupName="Devs")[:2] == (
        "EntityAlreadyExists", "Group with name Devs already exists.")
    for n in range(3):
        iam.create_user(UserName=f"u{n}")
        iam.add_user_to_group(GroupName="devs", UserName=f"u{n}")
    first = iam.get_group(GroupName="devs", MaxItems=2)
    assert first["IsTruncated"] and [u["UserName"] for u in first["Users"]] == ["u0", "u1"]
    assert [u["UserName"] for u in iam.get_group(GroupName="devs", Marker=first["Marker"])["Users"]] == ["u2"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="u1")["Groups"]] == ["devs"]
    assert error_of(iam.delete_group, GroupName="devs") == (
        "DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
    iam.update_group(GroupName="devs", NewGroupName="developers")
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="u1")["Groups"]] == ["developers"]
    for n in range(3):
        iam.remove_user_from_group(GroupName="developers", UserName=f"u{n}")
    iam.delete_group(GroupName="developers")
    assert iam.list_groups()["Groups"] == []
    assert error_of(iam.get_group, GroupName="developers") == (
        "NoSuchEntity", "The group with name developers cannot be found.", 404)


def test_user_in_at_most_ten_groups(iam):
    iam.create_user(UserName="joiner")
    for n in range(10):
        iam.create_group(GroupName=f"g{n}")
        iam.add_user_to_group(GroupName=f"g{n}", UserName="joiner")
    iam.create_group(GroupName="g10")
    assert error_of(iam.add_user_to_group, GroupName="g10", UserName="joiner") == (
        "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10", 409)


def test_user_tags(iam):
    iam.create_user(UserName="t")
    iam.tag_user(UserName="t", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_user(UserName="t", Tags=[{"Key": "A", "Value": "3"}])
    assert iam.list_user_tags(UserName="t")["Tags"] == [{"Key": "A", "Value": "3"}, {"Key": "b", "Value": "2"}]
    iam.untag_user(UserName="t", TagKeys=["b"])
    assert iam.list_user_tags(UserName="t")["Tags"] == [{"Key": "A", "Value": "3"}]
    too_many = [{"Key": f"k{n}", "Value": "v"} for n in range(50)]
    code, _, _ = error_of(iam.tag_user, UserName="t", Tags=too_many)
    assert code == "LimitExceeded"
    assert error_of(iam.tag_user, UserName="t", Tags=[{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}])[0] \
        == "InvalidInput"


def test_tag_characters(iam):
    iam.create_user(UserName="t", Tags=[{"Key": "Kostenstelle ä", "Value": "Größe 1:2/3=+-@_."}])
    code, message, _ = error_of(iam.tag_user, UserName="t", Tags=[{"Key": "bad#key", "Value": "v"}])
    assert code == "ValidationError" and "at 'tags.1.member.key'" in message
