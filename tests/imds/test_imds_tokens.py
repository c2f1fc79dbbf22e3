"""IMDSv2: session tokens, their TTL, and what is refused."""

from __future__ import annotations

from imds_helpers import TOKEN, TTL, advance, imds, text, token


def test_token_then_get(server):
    session = token(server, 60)
    status, body, headers = imds(server, "/latest/meta-data/instance-id", headers={TOKEN: session})
    assert status == 200 and body == b"i-00000000000000000"
    assert 1 <= int(headers[TTL.lower()]) <= 60


def test_ttl_must_be_given_and_in_range(server):
    for headers in ({}, {TTL: "0"}, {TTL: "21601"}, {TTL: "abc"}, {TTL: "-5"}):
        status, _, _ = imds(server, "/latest/api/token", "PUT", headers)
        assert status == 400, headers
    assert token(server, 1) and token(server, 21600)


def test_forwarded_token_requests_are_forbidden(server):
    status, _, _ = imds(server, "/latest/api/token", "PUT", {TTL: "60", "X-Forwarded-For": "203.0.113.7"})
    assert status == 403


def test_invalid_and_expired_tokens_are_401(server):
    status, body, _ = imds(server, "/latest/meta-data/", headers={TOKEN: "not-a-token"})
    assert status == 401 and b"401 - Unauthorized" in body
    session = token(server, 5)
    assert text(server, "/latest/meta-data/ami-id", headers={TOKEN: session})
    advance(server, 6)
    assert imds(server, "/latest/meta-data/ami-id", headers={TOKEN: session})[0] == 401


def test_v1_allowed_by_default(server):
    assert text(server, "/latest/meta-data/instance-id") == "i-00000000000000000"


def test_other_methods(server):
    assert imds(server, "/latest/meta-data/", "POST")[0] == 405
    assert imds(server, "/latest/meta-data/instance-id", "PUT", {TTL: "60"})[0] == 405


def test_instance_requiring_tokens_refuses_v1(server, aws_client):
    ec2 = aws_client("ec2")
    ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1,
                      MetadataOptions={"HttpTokens": "required"})
    advance(server, 10)
    assert imds(server, "/latest/meta-data/instance-id")[0] == 401
    assert text(server, "/latest/meta-data/instance-id", headers={TOKEN: token(server)}).startswith("i-")


def test_get_on_the_token_path_is_not_allowed(server):
    assert imds(server, "/latest/api/token")[0] == 405
