"""AssumeRole's own parameter checks, made before the caller is authorized: the RoleArn's form
and the session tag rules (boto3, a raw signed query request, and a strict-mode server)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess
from sts_helpers import error_of, session_client, signed_query

ACCOUNT = "000000000000"
STS_NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"
BAD_ARNS = ["arn:aws:iam::000000000000", "not-an-arn-at-all-really", "arn::iam::000000000000:role/r",
            "arn:aws:::000000000000:role/r", "arn:aws:iam::000000000000:"]
TRANSITIVE_CONFLICT = ("One of the specified transitive tag keys can't be set because it conflicts with a "
                       "transitive tag key from the calling session.")


def tagging_trust() -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]})


def make_role(iam, name: str) -> str:
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=tagging_trust())["Role"]["Arn"]


def xml_error(response) -> tuple[str, str]:
    root = ET.fromstring(response.content)
    return root.find(f"{STS_NS}Error/{STS_NS}Code").text, root.find(f"{STS_NS}Error/{STS_NS}Message").text


@pytest.mark.parametrize("arn", BAD_ARNS)
def test_role_arn_that_is_not_an_arn_is_a_validation_error(aws_client, arn):
    code, message, status = error_of(aws_client("sts").assume_role, RoleArn=arn, RoleSessionName="s1")
    assert (code, message, status) == ("ValidationError", f"{arn} is invalid", 400)


def test_role_arn_of_another_service_is_access_denied_not_invalid(aws_client):
    arn = "arn:aws:s3:::some-bucket-name"  # a well-formed ARN: it names no role, so the caller is refused
    code, _, status = error_of(aws_client("sts").assume_role, RoleArn=arn, RoleSessionName="s1")
    assert (code, status) == ("AccessDenied", 403)


def test_invalid_role_arn_on_the_query_wire(endpoint):
    response = signed_query(endpoint, {"Action": "AssumeRole", "RoleArn": "arn:aws:iam::000000000000",
                                       "RoleSessionName": "s1"})
    assert response.status_code == 400
    assert xml_error(response) == ("ValidationError", "arn:aws:iam::000000000000 is invalid")


def test_web_identity_role_arn_is_checked_before_the_token(aws_client):
    code, message, _ = error_of(aws_client("sts").assume_role_with_web_identity, RoleArn="arn:aws:iam::000000000000",
                                RoleSessionName="s1", WebIdentityToken="x" * 20)
    assert (code, message) == ("ValidationError", "arn:aws:iam::000000000000 is invalid")


def test_transitive_key_must_be_among_the_tags(aws_client):
    arn = make_role(aws_client("iam"), "tagged")
    code, message, status = error_of(aws_client("sts").assume_role, RoleArn=arn, RoleSessionName="s1",
                                     Tags=[{"Key": "team", "Value": "blue"}], TransitiveTagKeys=["project"])
    assert (code, message, status) == (
        "InvalidParameterValue", "The specified transitive tag key must be included in the requested tags.", 400)


@pytest.mark.open_mode_only  # the account's root assumes the role: strict mode refuses root, as AWS does
def test_transitive_keys_match_tags_ignoring_case(aws_client):
    arn = make_role(aws_client("iam"), "tagged")
    out = aws_client("sts").assume_role(RoleArn=arn, RoleSessionName="s1", Tags=[{"Key": "Team", "Value": "blue"}],
                                        TransitiveTagKeys=["team"])
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/tagged/s1")


def test_tag_keys_differing_only_in_case_are_duplicates(aws_client):
    arn = make_role(aws_client("iam"), "tagged")
    code, message, status = error_of(aws_client("sts").assume_role, RoleArn=arn, RoleSessionName="s1",
                                     Tags=[{"Key": "team", "Value": "a"}, {"Key": "TEAM", "Value": "b"}])
    assert (code, message, status) == (
        "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)


def test_tag_errors_come_before_the_role_lookup(aws_client):
    missing = f"arn:aws:iam::{ACCOUNT}:role/nobody"
    code, _, _ = error_of(aws_client("sts").assume_role, RoleArn=missing, RoleSessionName="s1",
                          Tags=[{"Key": "a", "Value": "1"}], TransitiveTagKeys=["b"])
    assert code == "InvalidParameterValue"


@pytest.mark.open_mode_only  # the account's root assumes the role: strict mode refuses root, as AWS does
def test_chained_session_may_not_set_an_inherited_transitive_key(aws_client):
    iam = aws_client("iam")
    first, second = make_role(iam, "first"), make_role(iam, "second")
    creds = aws_client("sts").assume_role(RoleArn=first, RoleSessionName="s1", Tags=[{"Key": "team", "Value": "blue"}],
                                          TransitiveTagKeys=["team"])["Credentials"]
    chained = session_client(aws_client, "sts", creds)
    code, message, status = error_of(chained.assume_role, RoleArn=second, RoleSessionName="s2",
                                     Tags=[{"Key": "TEAM", "Value": "red"}])
    assert (code, message, status) == ("InvalidParameterValue", TRANSITIVE_CONFLICT, 400)
    # other keys may still be added down the chain
    out = chained.assume_role(RoleArn=second, RoleSessionName="s2", Tags=[{"Key": "stage", "Value": "dev"}])
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/second/s2")


def test_duplicate_tags_on_the_query_wire(endpoint, aws_client):
    arn = make_role(aws_client("iam"), "tagged")
    response = signed_query(endpoint, {"Action": "AssumeRole", "RoleArn": arn, "RoleSessionName": "s1",
                                       "Tags.member.1.Key": "k", "Tags.member.1.Value": "1",
                                       "Tags.member.2.Key": "K", "Tags.member.2.Value": "2"})
    assert response.status_code == 400
    assert xml_error(response) == ("InvalidParameterValue",
                                   "Duplicate tag keys found. Please note that Tag keys are case insensitive.")


# -- strict mode: the checks come before authorization -------------------------------------------

@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-sts-strict-checks")), "--strict").start()
    yield proc
    proc.stop()


def strict_client(server, service, key="test", secret="test"):
    return boto3.session.Session().client(
        service, endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30))


def test_strict_unauthorized_caller_with_a_bad_arn_gets_the_validation_error(strict_server):
    strict_server.post("/_overcast/reset")
    iam = strict_client(strict_server, "iam")
    iam.create_user(UserName="nobody-special")  # no policy: may not call sts:AssumeRole on anything
    keys = iam.create_access_key(UserName="nobody-special")["AccessKey"]
    sts = strict_client(strict_server, "sts", keys["AccessKeyId"], keys["SecretAccessKey"])
    code, message, status = error_of(sts.assume_role, RoleArn="arn:aws:iam::000000000000", RoleSessionName="s1")
    assert (code, message, status) == ("ValidationError", "arn:aws:iam::000000000000 is invalid", 400)
    # a well-formed ARN reaches the authorizer, which refuses this caller
    code, _, status = error_of(sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="s1")
    assert (code, status) == ("AccessDenied", 403)
    raw = signed_query(strict_server.endpoint, {"Action": "AssumeRole", "RoleArn": "arn:aws:iam::000000000000",
                                                "RoleSessionName": "s1"}, keys["AccessKeyId"], keys["SecretAccessKey"])
    assert xml_error(raw) == ("ValidationError", "arn:aws:iam::000000000000 is invalid")


def test_strict_chained_session_may_not_set_an_inherited_transitive_key(strict_server):
    strict_server.post("/_overcast/reset")
    iam = strict_client(strict_server, "iam")
    may_assume = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": "*"}]})
    first, second = make_role(iam, "first"), make_role(iam, "second")
    iam.put_role_policy(RoleName="first", PolicyName="chain", PolicyDocument=may_assume)
    iam.create_user(UserName="dev")
    iam.put_user_policy(UserName="dev", PolicyName="assume", PolicyDocument=may_assume)
    keys = iam.create_access_key(UserName="dev")["AccessKey"]
    sts = strict_client(strict_server, "sts", keys["AccessKeyId"], keys["SecretAccessKey"])
    creds = sts.assume_role(RoleArn=first, RoleSessionName="s1", Tags=[{"Key": "Team", "Value": "blue"}],
                            TransitiveTagKeys=["team"])["Credentials"]
    chained = boto3.session.Session().client(
        "sts", endpoint_url=strict_server.endpoint, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"],
        config=Config(retries={"max_attempts": 1}))
    code, message, status = error_of(chained.assume_role, RoleArn=second, RoleSessionName="s2",
                                     Tags=[{"Key": "team", "Value": "red"}])
    assert (code, message, status) == ("InvalidParameterValue", TRANSITIVE_CONFLICT, 400)
    assert chained.assume_role(RoleArn=second, RoleSessionName="s2")["AssumedRoleUser"]["Arn"].endswith("/second/s2")
