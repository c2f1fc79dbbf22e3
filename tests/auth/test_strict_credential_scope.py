"""Strict mode: a signature's credential scope must name the service the request is for and a
region its endpoint serves: any real region for regional services, us-east-1 for global ones
(IAM), the bucket's region for S3 (which SDKs follow by signing again)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess
from signed_http import send, sign, xml_error
from strict_helpers import client, denied

SQS_JSON = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues"}
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-scope")), "--strict").start()
    yield proc
    proc.stop()


def regional(server, service, region):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name=region, aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, signature_version="s3v4")
        if service == "s3" else Config(retries={"max_attempts": 1}))


def sqs_list(server, service="sqs", region="us-east-1"):
    status, _, body = send(sign(server.endpoint, "POST", "/", service=service, region=region, body=b"{}",
                                headers=SQS_JSON))
    return status, json.loads(body or b"{}")


def test_sqs_refuses_a_scope_of_another_service(strict):
    for service in ("s3", "execute-api", "dynamodb"):
        status, error = sqs_list(strict, service=service)
        assert status == 400
        assert error["__type"].endswith("InvalidSignatureException")
        assert error["message"] == "Credential should be scoped to correct service: 'sqs'. "
    assert sqs_list(strict)[0] == 200


def test_sqs_refuses_a_region_that_does_not_exist(strict):
    status, error = sqs_list(strict, region="xx-fake-9")
    assert status == 400
    assert error["message"] == "Credential should be scoped to a valid region, not 'xx-fake-9'. "


def test_regional_services_answer_every_real_region(strict):
    regional(strict, "sqs", "us-west-2").list_queues()
    assert regional(strict, "sqs", "eu-west-1").create_queue(QueueName="scoped")["QueueUrl"]
    assert regional(strict, "sts", "ap-southeast-2").get_caller_identity()["Account"] == "000000000000"


def test_iam_is_global_and_signs_with_us_east_1(strict):
    code, status, message = denied(regional(strict, "iam", "us-west-2").list_users)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message == "Credential should be scoped to a valid region, not 'us-west-2'. "
    assert regional(strict, "iam", "us-east-1").list_users()["Users"] == []


def test_sts_refuses_a_fake_region(strict):
    # (a query request signed for another service is routed to that service: its scope is
    # the strongest clue Overcast has on one port)
    sts = b"Action=GetCallerIdentity&Version=2011-06-15"
    status, _, body = send(sign(strict.endpoint, "POST", "/", service="sts", region="xx-fake-9", body=sts,
                                headers=FORM))
    assert (status, xml_error(body)["Code"]) == (403, "SignatureDoesNotMatch")
    assert xml_error(body)["Message"] == "Credential should be scoped to a valid region, not 'xx-fake-9'. "


def test_s3_refuses_another_service_in_its_own_words(strict):
    # a scope naming no service Overcast knows leaves the request to S3 (the REST fallback)
    status, _, body = send(sign(strict.endpoint, "GET", "/", service="storage", headers={"x-amz-content-sha256":
                                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}))
    assert status == 400
    assert xml_error(body)["Code"] == "AuthorizationHeaderMalformed"
    assert xml_error(body)["Message"] == ('The authorization header is malformed; incorrect service "storage". '
                                          'This endpoint belongs to "s3".')


def test_s3_refuses_a_fake_region_naming_the_endpoints(strict):
    status, _, body = send(sign(strict.endpoint, "GET", "/", service="s3", region="xx-fake-9"))
    error = xml_error(body)
    assert (status, error["Code"]) == (400, "AuthorizationHeaderMalformed")
    assert error["Message"] == "The authorization header is malformed; the region 'xx-fake-9' is wrong; expecting 'us-east-1'"
    assert error["Region"] == "us-east-1"


def test_s3_requests_are_signed_for_the_buckets_region(strict):
    east = client(strict, "s3", "test")
    east.create_bucket(Bucket="scope-europe", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    east.put_object(Bucket="scope-europe", Key="k", Body=b"v")  # botocore signs again for eu-west-1
    assert east.get_object(Bucket="scope-europe", Key="k")["Body"].read() == b"v"
    status, headers, body = send(sign(strict.endpoint, "GET", "/scope-europe/k", service="s3"))
    error = xml_error(body)
    assert (status, error["Code"], error["Region"]) == (400, "AuthorizationHeaderMalformed", "eu-west-1")
    assert error["Message"] == "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'"
    assert headers["x-amz-bucket-region"] == "eu-west-1"
    status, headers, _ = send(sign(strict.endpoint, "HEAD", "/scope-europe/k", service="s3"))
    assert (status, headers["x-amz-bucket-region"]) == (400, "eu-west-1")
    assert send(sign(strict.endpoint, "GET", "/scope-europe/k", service="s3", region="eu-west-1"))[0] == 200
    # a presigned URL answers in its own error
    url = regional(strict, "s3", "us-east-1").generate_presigned_url("get_object", Params={"Bucket": "scope-europe",
                                                                                          "Key": "k"})
    status, _, body = send(url=url, method="GET")
    error = xml_error(body)
    assert (status, error["Code"], error["Region"]) == (400, "AuthorizationQueryParametersError", "eu-west-1")
    assert error["Message"] == ("Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; "
                                "expecting 'eu-west-1'")
    europe = regional(strict, "s3", "eu-west-1").generate_presigned_url("get_object", Params={"Bucket": "scope-europe",
                                                                                             "Key": "k"})
    assert send(url=europe, method="GET")[:3:2] == (200, b"v")
