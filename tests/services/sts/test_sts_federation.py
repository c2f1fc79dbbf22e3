"""GetFederationToken, and managed session policies (PolicyArns) read from IAM."""

from __future__ import annotations

import json

from sts_helpers import error_of, session_client

ACCOUNT = "000000000000"
READ_ONLY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]})


def test_federated_user_identity(aws_client):
    out = aws_client("sts").get_federation_token(Name="partner-bob", Policy=READ_ONLY, DurationSeconds=900)
    assert out["FederatedUser"] == {
        "FederatedUserId": f"{ACCOUNT}:partner-bob", "Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/partner-bob"
    }
    assert 0 < out["PackedPolicySize"] <= 100
    identity = session_client(aws_client, "sts", out["Credentials"]).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:federated-user/partner-bob"
    assert identity["UserId"] == f"{ACCOUNT}:partner-bob"


def test_federation_from_session_credentials_is_refused(aws_client):
    creds = aws_client("sts").get_session_token()["Credentials"]
    code, message, status = error_of(session_client(aws_client, "sts", creds).get_federation_token, Name="someone")
    assert (code, message, status) == ("AccessDenied", "Cannot call GetFederationToken with session credentials", 403)


def test_malformed_session_policy(aws_client):
    code, _, status = error_of(aws_client("sts").get_federation_token, Name="bob", Policy='{"Statement": 7}')
    assert (code, status) == ("MalformedPolicyDocument", 400)


def test_managed_session_policy_by_arn(aws_client):
    iam = aws_client("iam")
    arn = iam.create_policy(PolicyName="reports-read", PolicyDocument=READ_ONLY)["Policy"]["Arn"]
    role = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}]}))["Role"]
    out = aws_client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1", PolicyArns=[{"arn": arn}])
    assert 0 < out["PackedPolicySize"] <= 100
    code, _, _ = error_of(
        aws_client("sts").assume_role, RoleArn=role["Arn"], RoleSessionName="s1",
        PolicyArns=[{"arn": f"arn:aws:iam::{ACCOUNT}:policy/nothing-here"}],
    )
    assert code == "MalformedPolicyDocument"


def test_iam_user_session_token_keeps_the_user(aws_client):
    iam = aws_client("iam")
    iam.create_user(UserName="gina")
    keys = iam.create_access_key(UserName="gina")["AccessKey"]
    gina = aws_client("sts", aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"])
    user_id = gina.get_caller_identity()["UserId"]
    assert user_id.startswith("AIDA")
    creds = gina.get_session_token(DurationSeconds=7200)["Credentials"]
    identity = session_client(aws_client, "sts", creds).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/gina"
    assert identity["UserId"] == user_id


def test_assuming_a_role_records_its_last_use(aws_client):
    iam = aws_client("iam")
    role = iam.create_role(RoleName="used", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}]}))["Role"]
    aws_client("sts", region="eu-west-1").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    last = iam.get_role(RoleName="used")["Role"]["RoleLastUsed"]
    assert last["Region"] == "eu-west-1" and last["LastUsedDate"]
