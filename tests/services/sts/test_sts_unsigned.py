"""Unsigned STS calls (AssumeRoleWithWebIdentity: the token is the credential) reach STS."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import requests
from botocore import UNSIGNED
from botocore.config import Config
from sts_helpers import error_of

NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


def test_unsigned_form_post_is_routed_to_sts(endpoint):
    body = (
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::000000000000:role/ci"
        "&RoleSessionName=s1&WebIdentityToken=not.a.jwt"
    )
    response = requests.post(
        endpoint + "/", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30
    )
    assert response.status_code == 400
    error = ET.fromstring(response.content).find(f"{NS}Error")
    assert error.find(f"{NS}Code").text == "InvalidIdentityToken"


def test_boto3_sends_it_unsigned(aws_client):
    sts = aws_client("sts", config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    code, message, status = error_of(
        sts.assume_role_with_web_identity,
        RoleArn="arn:aws:iam::000000000000:role/ci",
        RoleSessionName="s1",
        WebIdentityToken="not.a.jwt",
    )
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert message.startswith("The web identity token that was passed could not be validated by AWS.")
