"""GetSessionToken and GetAccessKeyInfo: temporary credentials that sign requests, then expire."""

from __future__ import annotations

import datetime

from botocore.config import Config
from sts_helpers import advance_clock, error_of, session_client

ACCOUNT = "000000000000"


def test_session_token_credentials_sign_as_the_caller(aws_client):
    creds = aws_client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40
    assert len(creds["SessionToken"]) > 300
    identity = session_client(aws_client, "sts", creds).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert identity["Account"] == ACCOUNT


def _lifetime_is_an_hour(sts, **params) -> None:
    """The expiry is an hour after the call, whenever within the call the server read its clock
    (bounded by the times taken on both sides, so a slow machine cannot fail it)."""
    before = datetime.datetime.now(datetime.timezone.utc)
    creds = sts.get_session_token(**params)["Credentials"]
    after = datetime.datetime.now(datetime.timezone.utc)
    issued = creds["Expiration"] - datetime.timedelta(seconds=3600)
    # Expiration has whole seconds on the wire
    assert before - datetime.timedelta(seconds=1) <= issued <= after + datetime.timedelta(seconds=1)


def test_root_sessions_last_at_most_an_hour(aws_client):
    _lifetime_is_an_hour(aws_client("sts"), DurationSeconds=7200)


def test_default_duration_for_root_is_an_hour(aws_client):
    _lifetime_is_an_hour(aws_client("sts"))


def test_session_credentials_cannot_get_another_session_token(aws_client):
    creds = aws_client("sts").get_session_token()["Credentials"]
    code, message, status = error_of(session_client(aws_client, "sts", creds).get_session_token)
    assert (code, status) == ("AccessDenied", 403)
    assert message == "Cannot call GetSessionToken with session credentials"


def test_duration_out_of_range_is_validation_error(aws_client):
    sts = aws_client("sts", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    code, message, status = error_of(sts.get_session_token, DurationSeconds=200000)
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "1 validation error detected: Value '200000' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value less than or equal to 129600"
    )
    code, message, _ = error_of(sts.get_session_token, DurationSeconds=10)
    assert "Member must have value greater than or equal to 900" in message


def test_expired_session_is_expired_token_in_every_protocol(aws_client, server):
    creds = aws_client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    aws_client("s3").create_bucket(Bucket="expiry-bucket")
    session_client(aws_client, "s3", creds).list_objects_v2(Bucket="expiry-bucket")
    advance_clock(server, 901)
    code, message, status = error_of(session_client(aws_client, "sts", creds).get_caller_identity)
    assert (code, message, status) == ("ExpiredToken", "The security token included in the request is expired", 403)
    code, message, status = error_of(session_client(aws_client, "s3", creds).list_objects_v2, Bucket="expiry-bucket")
    assert (code, message, status) == ("ExpiredToken", "The provided token has expired.", 400)
    code, _, _ = error_of(session_client(aws_client, "sqs", creds).list_queues)
    assert code in ("ExpiredToken", "ExpiredTokenException")


def test_still_valid_just_before_expiry(aws_client, server):
    creds = aws_client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    advance_clock(server, 800)
    assert session_client(aws_client, "sts", creds).get_caller_identity()["Account"] == ACCOUNT


def test_session_in_another_account(aws_client):
    sts = aws_client("sts", aws_access_key_id="111122223333")
    creds = sts.get_session_token()["Credentials"]
    identity = session_client(aws_client, "sts", creds).get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::111122223333:root"
    assert aws_client("sts").get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == "111122223333"


def test_access_key_info_reads_aws_format_key_ids(aws_client):
    sts = aws_client("sts")
    # AWS key ids carry their account; this one is from AWS's own examples of the format.
    assert sts.get_access_key_info(AccessKeyId="ASIAY34FZKBOKMUTVV7A")["Account"] == "609629065308"
    creds = sts.get_session_token()["Credentials"]
    assert sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == ACCOUNT


def test_access_key_info_validates_the_key_id(aws_client):
    sts = aws_client("sts", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    code, message, _ = error_of(sts.get_access_key_info, AccessKeyId="short")
    assert code == "ValidationError"
    assert "at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16" in message


def test_cli_get_session_token(aws_cli):
    out = aws_cli("sts", "get-session-token", "--duration-seconds", "900")
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")
    identity = aws_cli(
        "sts",
        "get-caller-identity",
        env={
            "AWS_ACCESS_KEY_ID": out["Credentials"]["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": out["Credentials"]["SecretAccessKey"],
            "AWS_SESSION_TOKEN": out["Credentials"]["SessionToken"],
        },
    )
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
