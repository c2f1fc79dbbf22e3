"""Presigned URLs and POST policies across moves of the cloud clock: a client signs with its
wall clock, so a URL signed before a move expires with it and one signed after it works (the
offset in force at signing time), also after a restart; SigV2 URLs, which carry no signing
time, expire on the wall clock."""

from __future__ import annotations

import time

import pytest
import requests
from serverproc import ServerProcess
from test_s3_post_upload import expect_error, upload
from test_s3_presigned import advance_clock, client, error_of

DAY = 86400


def presigned_get(endpoint: str, bucket: str, key: str, expires: int, signer: str = "s3v4") -> str:
    return client(endpoint, signer).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires)


def expect_expired(url: str) -> dict:
    response = requests.get(url, timeout=10)
    assert response.status_code == 403, response.text
    error = error_of(response)
    assert (error["Code"], error["Message"]) == ("AccessDenied", "Request has expired")
    return error


def test_url_signed_before_a_move_expires_and_one_signed_after_works(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"payload")
    before = presigned_get(endpoint, bucket, "k", 3600)
    advance_clock(endpoint, DAY)
    error = expect_expired(before)
    assert error["X-Amz-Expires"] == "3600"
    after = presigned_get(endpoint, bucket, "k", 3600)
    response = requests.get(after, timeout=10)
    assert (response.status_code, response.content) == (200, b"payload")
    # the fresh URL still lives its own hour of cloud time, and no longer
    advance_clock(endpoint, 3000)
    assert requests.get(after, timeout=10).status_code == 200
    advance_clock(endpoint, 700)
    expect_expired(after)


def test_each_url_keeps_the_offset_of_its_own_move(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    advance_clock(endpoint, DAY)
    first = presigned_get(endpoint, bucket, "k", 2 * 3600)
    advance_clock(endpoint, 3600)
    second = presigned_get(endpoint, bucket, "k", 2 * 3600)
    assert requests.get(first, timeout=10).status_code == 200  # one of its two hours gone
    advance_clock(endpoint, 3600 + 60)
    expect_expired(first)
    assert requests.get(second, timeout=10).status_code == 200


def test_post_policy_signed_before_a_move_expires_and_one_after_works(endpoint, s3, bucket):
    before = client(endpoint, "s3v4").generate_presigned_post(bucket, "form.txt", ExpiresIn=3600)
    advance_clock(endpoint, DAY)
    expect_error(upload(before), 403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    after = client(endpoint, "s3v4").generate_presigned_post(bucket, "form.txt", ExpiresIn=3600)
    assert upload(after, data=b"after the move").status_code == 204
    assert s3.get_object(Bucket=bucket, Key="form.txt")["Body"].read() == b"after the move"


def test_sigv2_url_expiry_is_read_on_the_wall_clock(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v2")
    advance_clock(endpoint, DAY)
    fresh = presigned_get(endpoint, bucket, "k", 3600, signer="s3")
    assert requests.get(fresh, timeout=10).status_code == 200
    short = presigned_get(endpoint, bucket, "k", 1, signer="s3")
    time.sleep(2.1)  # its Expires (whole seconds of the signer's wall clock) has passed
    expect_expired(short)


def test_clock_history_survives_kill_9(tmp_path):
    proc = ServerProcess(str(tmp_path)).start()
    try:
        s3 = client(proc.endpoint)
        s3.create_bucket(Bucket="history")
        s3.put_object(Bucket="history", Key="k", Body=b"kept")
        before = presigned_get(proc.endpoint, "history", "k", 3600)
        advance_clock(proc.endpoint, DAY)
        after = presigned_get(proc.endpoint, "history", "k", 3600)
        proc.kill()
        proc.start()
        expect_expired(before)
        response = requests.get(after, timeout=10)
        assert (response.status_code, response.content) == (200, b"kept")
    finally:
        proc.stop()


@pytest.mark.parametrize("body", [b'{"advance": 0}', b'{"advance": 0.0}'])
def test_a_zero_move_changes_no_url(endpoint, s3, bucket, body):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = presigned_get(endpoint, bucket, "k", 60)
    requests.post(endpoint + "/_overcast/clock", data=body, timeout=10).raise_for_status()
    assert requests.get(url, timeout=10).status_code == 200
