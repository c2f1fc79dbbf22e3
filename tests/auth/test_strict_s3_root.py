"""Strict mode, S3, with root keys and anonymous callers: the owner's root may do anything in
its own account except what its bucket policy explicitly denies; another account needs the
bucket policy's grant; anonymous callers only what a public bucket policy allows."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from serverproc import ServerProcess
from strict_helpers import ACCOUNT_A, ACCOUNT_B, allow, client, deny, denied, policy


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-s3-root")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def owner(strict):
    return client(strict, "s3", ACCOUNT_A)


@pytest.fixture(scope="module")
def other(strict):
    return client(strict, "s3", ACCOUNT_B)


def make_bucket(owner, name, body=b"hello"):
    owner.create_bucket(Bucket=name)
    owner.put_object(Bucket=name, Key="docs/a.txt", Body=body)
    owner.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})


def test_root_does_anything_in_its_own_account(owner):
    make_bucket(owner, "root-own")
    assert owner.get_object(Bucket="root-own", Key="docs/a.txt")["Body"].read() == b"hello"
    assert [o["Key"] for o in owner.list_objects_v2(Bucket="root-own")["Contents"]] == ["docs/a.txt"]


def test_other_account_is_refused_without_a_grant(owner, other):
    make_bucket(owner, "root-private")
    assert denied(other.get_object, Bucket="root-private", Key="docs/a.txt") == ("AccessDenied", 403, "Access Denied")
    assert denied(other.put_object, Bucket="root-private", Key="x", Body=b"1")[:2] == ("AccessDenied", 403)


def test_bucket_policy_grants_another_account(owner, other):
    make_bucket(owner, "root-shared")
    owner.put_bucket_policy(Bucket="root-shared", Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::root-shared/*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT_B}:root"})))
    assert other.get_object(Bucket="root-shared", Key="docs/a.txt")["Body"].read() == b"hello"
    # the grant is for reading objects only
    assert denied(other.list_objects_v2, Bucket="root-shared")[:2] == ("AccessDenied", 403)
    assert denied(other.delete_object, Bucket="root-shared", Key="docs/a.txt")[:2] == ("AccessDenied", 403)


def test_bucket_policy_explicit_deny_stops_the_owner_root(owner):
    make_bucket(owner, "root-denied")
    owner.put_bucket_policy(Bucket="root-denied", Policy=policy(
        deny("s3:GetObject", "arn:aws:s3:::root-denied/docs/*", Principal="*")))
    code, status, message = denied(owner.get_object, Bucket="root-denied", Key="docs/a.txt")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f'User: arn:aws:iam::{ACCOUNT_A}:root is not authorized to perform: s3:GetObject on resource: '
                       '"arn:aws:s3:::root-denied/docs/a.txt" with an explicit deny in a resource-based policy')
    owner.put_object(Bucket="root-denied", Key="other.txt", Body=b"x")  # outside the denied prefix


def test_anonymous_get_allowed_by_public_read_policy(strict, owner):
    make_bucket(owner, "root-public")
    url = f"{strict.endpoint}/root-public/docs/a.txt"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=10)
    assert caught.value.code == 403
    assert b"<Code>AccessDenied</Code>" in caught.value.read()
    owner.put_bucket_policy(Bucket="root-public", Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::root-public/*", Principal="*")))
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"hello"
    anonymous = client(strict, "s3", unsigned=True)
    assert anonymous.get_object(Bucket="root-public", Key="docs/a.txt")["Body"].read() == b"hello"
    assert denied(anonymous.put_object, Bucket="root-public", Key="new", Body=b"1") == (
        "AccessDenied", 403, "Access Denied")
    assert denied(anonymous.list_objects_v2, Bucket="root-public")[:2] == ("AccessDenied", 403)
    # without s3:ListBucket a missing key is 403, not 404 (nothing to learn about the bucket's keys)
    assert denied(anonymous.get_object, Bucket="root-public", Key="missing")[:2] == ("AccessDenied", 403)
    owner.put_bucket_policy(Bucket="root-public", Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::root-public/*", Principal="*"),
        allow("s3:ListBucket", "arn:aws:s3:::root-public", Principal="*")))
    assert denied(anonymous.get_object, Bucket="root-public", Key="missing")[:2] == ("NoSuchKey", 404)


def test_anonymous_request_for_a_missing_bucket_is_no_such_bucket(strict):
    anonymous = client(strict, "s3", unsigned=True)
    assert denied(anonymous.get_object, Bucket="root-nowhere", Key="k")[:2] == ("NoSuchBucket", 404)


def test_source_ip_condition(owner, other):
    make_bucket(owner, "root-by-ip")
    owner.put_bucket_policy(Bucket="root-by-ip", Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::root-by-ip/*", Principal={"AWS": ACCOUNT_B},
              Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    assert denied(other.get_object, Bucket="root-by-ip", Key="docs/a.txt")[:2] == ("AccessDenied", 403)
    owner.put_bucket_policy(Bucket="root-by-ip", Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::root-by-ip/*", Principal={"AWS": ACCOUNT_B},
              Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})))
    assert other.get_object(Bucket="root-by-ip", Key="docs/a.txt")["Body"].read() == b"hello"


def test_prefix_condition_on_list_bucket(owner, other):
    make_bucket(owner, "root-by-prefix")
    owner.put_bucket_policy(Bucket="root-by-prefix", Policy=policy(
        allow("s3:ListBucket", "arn:aws:s3:::root-by-prefix", Principal={"AWS": ACCOUNT_B},
              Condition={"StringLike": {"s3:prefix": "docs/*"}})))
    listed = other.list_objects_v2(Bucket="root-by-prefix", Prefix="docs/")
    assert [o["Key"] for o in listed["Contents"]] == ["docs/a.txt"]
    assert denied(other.list_objects_v2, Bucket="root-by-prefix")[:2] == ("AccessDenied", 403)
    assert denied(other.list_objects_v2, Bucket="root-by-prefix", Prefix="secret/")[:2] == ("AccessDenied", 403)


def test_secure_transport_condition(owner):
    make_bucket(owner, "root-tls-only")
    owner.put_bucket_policy(Bucket="root-tls-only", Policy=policy(
        deny("s3:*", ["arn:aws:s3:::root-tls-only", "arn:aws:s3:::root-tls-only/*"], Principal="*",
             Condition={"Bool": {"aws:SecureTransport": "false"}})))
    code, _, message = denied(owner.get_object, Bucket="root-tls-only", Key="docs/a.txt")
    assert code == "AccessDenied" and "explicit deny in a resource-based policy" in message


def test_copy_object_checks_source_and_target(owner, other):
    make_bucket(owner, "root-copy-src")
    other.create_bucket(Bucket="root-copy-dst")
    source = {"Bucket": "root-copy-src", "Key": "docs/a.txt"}
    assert denied(other.copy_object, Bucket="root-copy-dst", Key="c", CopySource=source)[:2] == ("AccessDenied", 403)
    owner.put_bucket_policy(Bucket="root-copy-src", Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::root-copy-src/*", Principal={"AWS": ACCOUNT_B})))
    other.copy_object(Bucket="root-copy-dst", Key="c", CopySource=source)
    assert other.get_object(Bucket="root-copy-dst", Key="c")["Body"].read() == b"hello"
    # and the owner of the source cannot write into B's bucket
    assert denied(owner.copy_object, Bucket="root-copy-dst", Key="d", CopySource=source)[:2] == ("AccessDenied", 403)


def test_delete_objects_checks_each_key(owner, other):
    make_bucket(owner, "root-multi-delete")
    owner.put_object(Bucket="root-multi-delete", Key="tmp/b.txt", Body=b"b")
    owner.put_bucket_policy(Bucket="root-multi-delete", Policy=policy(
        allow("s3:DeleteObject", "arn:aws:s3:::root-multi-delete/tmp/*", Principal={"AWS": ACCOUNT_B})))
    # S3 reports a key the caller may not delete among the results; the others are deleted
    objects = {"Objects": [{"Key": "tmp/b.txt"}, {"Key": "docs/a.txt"}]}
    result = other.delete_objects(Bucket="root-multi-delete", Delete=objects)
    assert [d["Key"] for d in result["Deleted"]] == ["tmp/b.txt"]
    assert result["Errors"] == [{"Key": "docs/a.txt", "Code": "AccessDenied", "Message": "Access Denied"}]
    keys = [o["Key"] for o in owner.list_objects_v2(Bucket="root-multi-delete")["Contents"]]
    assert keys == ["docs/a.txt"]


def form_upload(endpoint, bucket, key, data):
    import requests

    boundary = "----overcast-form"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{key}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return requests.post(f"{endpoint}/{bucket}", data=body, timeout=30,
                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def test_anonymous_form_upload_goes_through_the_bucket_policy(strict, owner):
    make_bucket(owner, "root-drop-box")
    response = form_upload(strict.endpoint, "root-drop-box", "inbox/a.txt", b"dropped")
    assert response.status_code == 403 and b"<Code>AccessDenied</Code>" in response.content
    owner.put_bucket_policy(Bucket="root-drop-box", Policy=policy(
        allow("s3:PutObject", "arn:aws:s3:::root-drop-box/inbox/*", Principal="*")))
    assert form_upload(strict.endpoint, "root-drop-box", "inbox/a.txt", b"dropped").status_code == 204
    assert owner.get_object(Bucket="root-drop-box", Key="inbox/a.txt")["Body"].read() == b"dropped"
    assert form_upload(strict.endpoint, "root-drop-box", "elsewhere.txt", b"x").status_code == 403


def test_restrict_public_buckets_limits_a_public_policy_to_the_owner(strict, owner, other):
    make_bucket(owner, "root-restricted")
    owner.put_bucket_policy(Bucket="root-restricted", Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::root-restricted/*", Principal="*")))
    anonymous = client(strict, "s3", unsigned=True)
    assert other.get_object(Bucket="root-restricted", Key="docs/a.txt")["Body"].read() == b"hello"
    owner.put_public_access_block(Bucket="root-restricted", PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True})
    assert denied(anonymous.get_object, Bucket="root-restricted", Key="docs/a.txt")[:2] == ("AccessDenied", 403)
    assert denied(other.get_object, Bucket="root-restricted", Key="docs/a.txt")[:2] == ("AccessDenied", 403)
    assert owner.get_object(Bucket="root-restricted", Key="docs/a.txt")["Body"].read() == b"hello"


def test_acl_grants_when_acls_are_enabled(strict, owner, other):
    owner.create_bucket(Bucket="root-acls", ObjectOwnership="ObjectWriter")
    owner.put_public_access_block(Bucket="root-acls", PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    owner.put_object(Bucket="root-acls", Key="public.txt", Body=b"for all", ACL="public-read")
    # grants name canonical ids (what ListBuckets shows as the owner), not account numbers
    account_b = other.list_buckets()["Owner"]["ID"]
    assert len(account_b) == 64 and account_b != ACCOUNT_B
    assert denied(owner.put_object, Bucket="root-acls", Key="x", Body=b"1",
                  GrantRead=f'id="{ACCOUNT_B}"')[:2] == ("InvalidArgument", 400)
    owner.put_object(Bucket="root-acls", Key="shared.txt", Body=b"for b", GrantRead=f'id="{account_b}"')
    owner.put_object(Bucket="root-acls", Key="private.txt", Body=b"mine")
    anonymous = client(strict, "s3", unsigned=True)
    assert anonymous.get_object(Bucket="root-acls", Key="public.txt")["Body"].read() == b"for all"
    assert denied(anonymous.get_object, Bucket="root-acls", Key="shared.txt")[:2] == ("AccessDenied", 403)
    assert other.get_object(Bucket="root-acls", Key="shared.txt")["Body"].read() == b"for b"
    assert denied(other.get_object, Bucket="root-acls", Key="private.txt")[:2] == ("AccessDenied", 403)
    assert denied(other.put_object, Bucket="root-acls", Key="x", Body=b"1")[:2] == ("AccessDenied", 403)
    owner.put_bucket_acl(Bucket="root-acls", GrantWrite=f'id="{account_b}"')
    other.put_object(Bucket="root-acls", Key="from-b.txt", Body=b"b wrote")
    # IgnorePublicAcls: the public-read grant no longer counts; the grant to B still does
    owner.put_public_access_block(Bucket="root-acls", PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    assert denied(anonymous.get_object, Bucket="root-acls", Key="public.txt")[:2] == ("AccessDenied", 403)
    assert other.get_object(Bucket="root-acls", Key="shared.txt")["Body"].read() == b"for b"


def test_acls_grant_nothing_while_disabled(strict, owner, other):
    make_bucket(owner, "root-acls-off")  # BucketOwnerEnforced, the default
    assert denied(other.get_object, Bucket="root-acls-off", Key="docs/a.txt")[:2] == ("AccessDenied", 403)


def test_operations_overcast_lacks_answer_not_implemented(owner):
    make_bucket(owner, "root-unimplemented")
    code, status, _ = denied(owner.get_bucket_metadata_table_configuration, Bucket="root-unimplemented")
    assert status == 501


def test_bucket_policy_calls_are_for_the_owner_account_only(owner, other):
    make_bucket(owner, "root-policy-owner")
    owner.put_bucket_policy(Bucket="root-policy-owner", Policy=policy(
        allow(["s3:GetBucketPolicy", "s3:PutBucketPolicy"], "arn:aws:s3:::root-policy-owner",
              Principal={"AWS": ACCOUNT_B})))
    assert denied(other.get_bucket_policy, Bucket="root-policy-owner")[:2] == ("MethodNotAllowed", 405)
    assert owner.get_bucket_policy(Bucket="root-policy-owner")["Policy"]


def test_bucket_policy_names_an_account_by_canonical_id(owner, other):
    make_bucket(owner, "root-canonical-principal")
    assert denied(other.get_object, Bucket="root-canonical-principal", Key="docs/a.txt")[:2] == ("AccessDenied", 403)
    owner.put_bucket_policy(Bucket="root-canonical-principal", Policy=policy(
        allow("s3:GetObject", "arn:aws:s3:::root-canonical-principal/*",
              Principal={"CanonicalUser": other.list_buckets()["Owner"]["ID"]})))
    assert other.get_object(Bucket="root-canonical-principal", Key="docs/a.txt")["Body"].read() == b"hello"
