"""Requester Pays applied (strict mode, where another account can reach a bucket): another
account's request without ``x-amz-request-payer: requester`` is refused, one with it is
answered with ``x-amz-request-charged: requester``; the owner is never refused or charged;
anonymous callers are refused even where the bucket policy lets them in."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

OWNER, OTHER = "111122223333", "444455556666"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-requester-pays")), "--strict").start()
    yield proc
    proc.stop()


def client(server, account: str):
    return boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}))


def denied(call, **kwargs) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def charged(response: dict) -> str | None:
    return response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-request-charged")


@pytest.fixture(scope="module")
def shared(strict):
    """A Requester Pays bucket of OWNER whose policy lets OTHER (and anyone) read and write."""
    owner = client(strict, OWNER)
    owner.create_bucket(Bucket="payers")
    owner.put_object(Bucket="payers", Key="k", Body=b"paid for")
    owner.put_public_access_block(Bucket="payers", PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    owner.put_bucket_policy(Bucket="payers", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
         "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::payers", "arn:aws:s3:::payers/*"]},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::payers/*"}]}))
    owner.put_bucket_request_payment(Bucket="payers", RequestPaymentConfiguration={"Payer": "Requester"})
    return "payers"


def test_another_account_needs_the_header(strict, shared):
    other = client(strict, OTHER)
    assert denied(other.get_object, Bucket=shared, Key="k") == ("AccessDenied", 403)
    assert denied(other.put_object, Bucket=shared, Key="new", Body=b"x") == ("AccessDenied", 403)
    assert denied(other.list_objects_v2, Bucket=shared) == ("AccessDenied", 403)
    assert denied(other.head_object, Bucket=shared, Key="k") == ("403", 403)


def test_with_the_header_the_requester_is_charged(strict, shared):
    other = client(strict, OTHER)
    got = other.get_object(Bucket=shared, Key="k", RequestPayer="requester")
    assert (got["Body"].read(), got["RequestCharged"], charged(got)) == (b"paid for", "requester", "requester")
    put = other.put_object(Bucket=shared, Key="from-other", Body=b"y", RequestPayer="requester")
    assert charged(put) == "requester"
    listed = other.list_objects_v2(Bucket=shared, RequestPayer="requester")
    assert {o["Key"] for o in listed["Contents"]} >= {"k", "from-other"}
    assert charged(listed) == "requester"
    assert charged(other.head_object(Bucket=shared, Key="k", RequestPayer="requester")) == "requester"


def test_the_owner_is_never_refused_nor_charged(strict, shared):
    owner = client(strict, OWNER)
    got = owner.get_object(Bucket=shared, Key="k")
    assert (got["Body"].read(), charged(got)) == (b"paid for", None)
    assert charged(owner.get_object(Bucket=shared, Key="k", RequestPayer="requester")) is None


def test_anonymous_callers_are_refused(strict, shared):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{strict.endpoint}/{shared}/k", timeout=10)
    assert caught.value.code == 403
    assert b"<Code>AccessDenied</Code>" in caught.value.read()
    response = requests.get(f"{strict.endpoint}/{shared}/k", headers={"x-amz-request-payer": "requester"}, timeout=10)
    assert response.status_code == 403


def test_back_to_bucket_owner_pays(strict):
    owner, other = client(strict, OWNER), client(strict, OTHER)
    owner.create_bucket(Bucket="owner-pays")
    owner.put_object(Bucket="owner-pays", Key="k", Body=b"free")
    owner.put_bucket_policy(Bucket="owner-pays", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::owner-pays/*"}]}))
    owner.put_bucket_request_payment(Bucket="owner-pays", RequestPaymentConfiguration={"Payer": "Requester"})
    assert denied(other.get_object, Bucket="owner-pays", Key="k") == ("AccessDenied", 403)
    owner.put_bucket_request_payment(Bucket="owner-pays", RequestPaymentConfiguration={"Payer": "BucketOwner"})
    got = other.get_object(Bucket="owner-pays", Key="k")
    assert (got["Body"].read(), charged(got)) == (b"free", None)
    assert charged(other.get_object(Bucket="owner-pays", Key="k", RequestPayer="requester")) is None


def test_copy_from_a_requester_pays_source(strict, shared):
    other = client(strict, OTHER)
    other.create_bucket(Bucket="others-own")
    source = {"Bucket": shared, "Key": "k"}
    assert denied(other.copy_object, Bucket="others-own", Key="copy", CopySource=source) == ("AccessDenied", 403)
    copied = other.copy_object(Bucket="others-own", Key="copy", CopySource=source, RequestPayer="requester")
    assert charged(copied) == "requester"
    assert other.get_object(Bucket="others-own", Key="copy")["Body"].read() == b"paid for"
