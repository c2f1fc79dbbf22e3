"""ACL input is validated before the bucket's Object Ownership is consulted: on a bucket whose
ACLs are disabled (BucketOwnerEnforced, every new bucket's default) a malformed ACL request gets
its validation error, not AccessControlListNotSupported."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
SCHEMA = "The XML you provided was not well-formed or did not validate against our published schema"


def _error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


@pytest.fixture
def obj(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    return {"Bucket": bucket, "Key": "k"}


def test_canned_and_grant_headers_together(s3, obj):
    error = _error(s3.put_object_acl, **obj, ACL="public-read", GrantRead=f'uri="{ALL_USERS}"')
    assert (error["Code"], error["Message"]) == (
        "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed")


def test_unreadable_grantee(s3, obj):
    error = _error(s3.put_object_acl, **obj, GrantRead='nickname="bob"')
    assert (error["Code"], error["Message"]) == ("InvalidArgument", "Argument format not recognized")
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("x-amz-grant-read", 'nickname="bob"')
    error = _error(s3.put_bucket_acl, Bucket=obj["Bucket"], GrantWriteACP=f'uri="{ALL_USERS}", id=unquoted')
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("x-amz-grant-write-acp", "id=unquoted")


def test_unknown_group(s3, obj):
    error = _error(s3.put_object_acl, **obj, GrantRead='uri="http://example.com/everyone"')
    assert (error["Code"], error["Message"], error["ArgumentName"]) == ("InvalidArgument", "Invalid group uri", "uri")


def test_bad_canned_acl(s3, obj):
    error = _error(s3.put_object_acl, **obj, ACL="world-readable")
    assert (error["Code"], error["ArgumentName"], error["ArgumentValue"]) == (
        "InvalidArgument", "x-amz-acl", "world-readable")


def test_bad_permission_and_missing_owner(s3, obj):
    owner = s3.get_object_acl(**obj)["Owner"]
    grant = {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"}
    error = _error(s3.put_object_acl, **obj, AccessControlPolicy={"Owner": owner, "Grants": [
        {**grant, "Permission": "EVERYTHING"}]})
    assert (error["Code"], error["Message"]) == ("MalformedACLError", SCHEMA)
    error = _error(s3.put_object_acl, **obj, AccessControlPolicy={"Grants": [grant]})
    assert (error["Code"], error["Message"]) == ("MalformedACLError", SCHEMA)


def test_valid_acl_still_meets_ownership(s3, obj):
    error = _error(s3.put_object_acl, **obj, ACL="public-read")
    assert error["Code"] == "AccessControlListNotSupported"
