"""SelectObjectContent authorized as S3 authorizes it (strict mode): the request and its SQL
are checked before authorization, then s3:GetObject on the object is needed."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serverproc import ServerProcess

OWNER, OTHER = "111122223333", "444455556666"
REQUEST = {"ExpressionType": "SQL", "InputSerialization": {"CSV": {}}, "OutputSerialization": {"CSV": {}}}


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-select-strict")), "--strict").start()
    yield proc
    proc.stop()


def client(server, account: str):
    return boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=account,
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def _error(call) -> tuple:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["ResponseMetadata"]["HTTPStatusCode"], caught.value.response["Error"]["Code"]


def _select(s3, expression: str) -> bytes:
    response = s3.select_object_content(Bucket="shared", Key="data.csv", Expression=expression, **REQUEST)
    return b"".join(e["Records"]["Payload"] for e in response["Payload"] if "Records" in e)


def test_select_needs_get_object_and_checks_sql_first(strict):
    owner, other = client(strict, OWNER), client(strict, OTHER)
    owner.create_bucket(Bucket="shared")
    owner.put_object(Bucket="shared", Key="data.csv", Body=b"1,a\n2,b\n")
    assert _select(owner, "SELECT s._2 FROM S3Object s") == b"a\nb\n"

    assert _error(lambda: _select(other, "SELECT s._2 FROM S3Object s")) == (403, "AccessDenied")
    status, code = _error(lambda: _select(other, "SELECT FROM"))  # bad SQL: refused before authorization
    assert status == 400 and code.startswith("Parse")

    owner.put_bucket_policy(Bucket="shared", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::shared/*"}]}))
    assert _select(other, "SELECT s._1 FROM S3Object s WHERE s._2 = 'b'") == b"2\n"


def test_glacier_select_needs_get_object_too(strict):
    owner, other = client(strict, OWNER), client(strict, OTHER)
    owner.create_bucket(Bucket="cold")
    owner.put_object(Bucket="cold", Key="data.csv", Body=b"1,a\n", StorageClass="GLACIER")
    owner.put_bucket_policy(Bucket="cold", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "s3:RestoreObject",
         "Resource": "arn:aws:s3:::cold/*"}]}))
    select = {"Type": "SELECT", "SelectParameters": {"Expression": "SELECT * FROM S3Object", **REQUEST},
              "OutputLocation": {"S3": {"BucketName": "cold", "Prefix": "out"}}}
    assert _error(lambda: other.restore_object(Bucket="cold", Key="data.csv", RestoreRequest=select)) == (
        403, "AccessDenied")
    # a plain restore needs s3:RestoreObject alone
    plain = other.restore_object(Bucket="cold", Key="data.csv", RestoreRequest={"Days": 1})
    assert plain["ResponseMetadata"]["HTTPStatusCode"] == 202
    accepted = owner.restore_object(Bucket="cold", Key="data.csv", RestoreRequest=select)
    assert accepted["ResponseMetadata"]["HTTPStatusCode"] == 202
