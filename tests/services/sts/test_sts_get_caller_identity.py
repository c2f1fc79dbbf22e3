"""STS GetCallerIdentity over the query protocol: boto3, the AWS CLI, and a raw signed form POST."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"
ACCOUNT = "000000000000"


def signed_form_post(endpoint: str, body: str, access_key: str = "test") -> requests.Response:
    """POST a form body to STS, SigV4-signed as any SDK would (credential scope names sts)."""
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(access_key, "test"), "sts", "us-east-1").add_auth(request)
    return requests.post(endpoint + "/", data=body.encode(), headers=dict(request.headers.items()), timeout=30)


def test_boto3_get_caller_identity(aws_client):
    identity = aws_client("sts").get_caller_identity()
    assert identity["Account"] == ACCOUNT
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert identity["UserId"]
    assert identity["ResponseMetadata"]["RequestId"]


def test_boto3_account_follows_access_key(aws_client):
    identity = aws_client("sts", aws_access_key_id="111122223333").get_caller_identity()
    assert identity["Account"] == "111122223333"


def test_cli_get_caller_identity(aws_cli):
    identity = aws_cli("sts", "get-caller-identity")
    assert identity["Account"] == ACCOUNT
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_raw_form_post_answers_query_xml(endpoint):
    response = signed_form_post(endpoint, "Action=GetCallerIdentity&Version=2011-06-15")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{STS_NS}GetCallerIdentityResponse"
    result = root.find(f"{STS_NS}GetCallerIdentityResult")
    assert result.find(f"{STS_NS}Account").text == ACCOUNT
    assert result.find(f"{STS_NS}Arn").text == f"arn:aws:iam::{ACCOUNT}:root"
    request_id = root.find(f"{STS_NS}ResponseMetadata/{STS_NS}RequestId").text
    assert request_id and request_id == response.headers["x-amzn-requestid"]


def test_raw_form_post_unknown_action_is_invalid_action(endpoint):
    response = signed_form_post(endpoint, "Action=NoSuchThing&Version=2011-06-15")
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag.endswith("ErrorResponse")
    error = root.find(f"{STS_NS}Error")
    assert error.find(f"{STS_NS}Type").text == "Sender"
    assert error.find(f"{STS_NS}Code").text == "InvalidAction"
    assert "NoSuchThing" in error.find(f"{STS_NS}Message").text
    assert root.find(f"{STS_NS}RequestId").text


def test_raw_form_post_without_action_is_missing_action(endpoint):
    response = signed_form_post(endpoint, "Version=2011-06-15")
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.find(f"{STS_NS}Error/{STS_NS}Code").text == "MissingAction"



def test_unsigned_call_in_open_mode_is_the_default_root(endpoint):
    response = requests.post(endpoint + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15",
                             headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert response.status_code == 200
    root = ET.fromstring(response.content).find(f"{STS_NS}GetCallerIdentityResult")
    assert root.find(f"{STS_NS}Arn").text == f"arn:aws:iam::{ACCOUNT}:root"
    assert root.find(f"{STS_NS}Account").text == ACCOUNT
