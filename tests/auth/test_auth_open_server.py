"""Open mode through the shared server: any secret works, keys still pick the account, and
presigned URLs still expire."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest


def test_any_secret_works_and_keys_pick_the_account(aws_client):
    assert aws_client("sts", aws_secret_access_key="whatever").get_caller_identity()["Account"] == "000000000000"
    identity = aws_client("sts", aws_access_key_id="111122223333").get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::111122223333:root"
    identity = aws_client("sts", aws_access_key_id="AKIASOMEONEELSE").get_caller_identity()
    assert identity["Account"] == "000000000000"


def test_expired_presigned_url_is_refused_in_open_mode(aws_client, server):
    # botocore signs with awscrt when it is installed (and awscrt reads the system clock), so
    # the URL is made now and the cloud's clock moves past its expiry
    url = aws_client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    server.post("/_overcast/clock", b'{"advance": 120}')
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=10)
    assert caught.value.code == 403
    body = caught.value.read()
    assert b"AccessDenied" in body and b"Request has expired" in body


def test_fresh_presigned_url_works_in_open_mode(aws_client):
    url = aws_client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert b"<Account>000000000000</Account>" in response.read()
