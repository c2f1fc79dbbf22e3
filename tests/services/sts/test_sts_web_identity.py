"""AssumeRoleWithWebIdentity: tokens from a local OIDC issuer registered in IAM."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from oidc_issuer import Issuer
from sts_helpers import advance_clock, error_of, session_client

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def issuer():
    found = Issuer()
    yield found
    found.close()


@pytest.fixture
def provider_arn(aws_client, issuer):
    # the local issuer's certificate is self-signed: the provider trusts it by its thumbprint
    out = aws_client("iam").create_open_id_connect_provider(
        Url=issuer.url, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[issuer.thumbprint]
    )
    return out["OpenIDConnectProviderArn"]


def web_role(aws_client, provider_arn, issuer, name="ci", sub="repo:acme/app:*") -> dict:
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer.host}:aud": "sts.amazonaws.com"},
                      "StringLike": {f"{issuer.host}:sub": sub}},
    }]}
    return aws_client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(document))["Role"]


def assume(aws_client, role, token, **kwargs):
    return aws_client("sts").assume_role_with_web_identity(
        RoleArn=role["Arn"], RoleSessionName="gha", WebIdentityToken=token, **kwargs
    )


def test_token_from_the_issuer_gets_a_role_session(aws_client, issuer, provider_arn):
    role = web_role(aws_client, provider_arn, issuer)
    out = assume(aws_client, role, issuer.token())
    assert out["SubjectFromWebIdentityToken"] == "repo:acme/app:ref:refs/heads/main"
    assert out["Audience"] == "sts.amazonaws.com"
    assert out["Provider"] == provider_arn
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/gha"
    identity = session_client(aws_client, "sts", out["Credentials"]).get_caller_identity()
    assert identity["Arn"] == out["AssumedRoleUser"]["Arn"]
    assert identity["UserId"] == f"{role['RoleId']}:gha"


def test_unregistered_issuer_is_invalid_identity_token(aws_client, issuer):
    role = aws_client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT},
                                                "Action": "sts:AssumeRole"}]}))["Role"]
    code, message, status = error_of(assume, aws_client, role, issuer.token())
    assert (code, status) == ("InvalidIdentityToken", 400)
    assert message == f"No OpenIDConnect provider found in your account for {issuer.url}"


def test_wrong_signing_key_is_invalid_identity_token(aws_client, issuer, provider_arn):
    role = web_role(aws_client, provider_arn, issuer)
    forged = issuer.token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    code, _, _ = error_of(assume, aws_client, role, forged)
    assert code == "InvalidIdentityToken"
    code, _, _ = error_of(assume, aws_client, role, "not.a.jwt")
    assert code == "InvalidIdentityToken"


def test_wrong_audience_is_rejected(aws_client, issuer, provider_arn):
    role = web_role(aws_client, provider_arn, issuer)
    code, message, _ = error_of(assume, aws_client, role, issuer.token(aud="someone-else"))
    assert (code, message) == ("InvalidIdentityToken", "Incorrect token audience")


def test_expired_token_on_the_cloud_clock(aws_client, server, issuer, provider_arn):
    role = web_role(aws_client, provider_arn, issuer)
    token = issuer.token()
    advance_clock(server, 700)
    code, message, status = error_of(assume, aws_client, role, token)
    assert (code, status) == ("ExpiredTokenException", 400)
    assert message.startswith("Token expired: current date/time")


def test_not_yet_valid_token_is_rejected_claim(aws_client, issuer, provider_arn):
    import time

    role = web_role(aws_client, provider_arn, issuer)
    code, _, status = error_of(assume, aws_client, role, issuer.token(nbf=int(time.time()) + 3600))
    assert (code, status) == ("IDPRejectedClaim", 403)


def test_trust_conditions_on_the_subject(aws_client, issuer, provider_arn):
    role = web_role(aws_client, provider_arn, issuer, sub="repo:acme/other:*")
    code, message, status = error_of(assume, aws_client, role, issuer.token())
    assert (code, message, status) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)


def test_cli_assume_role_with_web_identity(aws_cli, aws_client, issuer, provider_arn):
    role = web_role(aws_client, provider_arn, issuer)
    out = aws_cli("sts", "assume-role-with-web-identity", "--role-arn", role["Arn"],
                  "--role-session-name", "cli", "--web-identity-token", issuer.token())
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/ci/cli")


def _provider(aws_client, url: str, thumbprint: str) -> str:
    return aws_client("iam").create_open_id_connect_provider(
        Url=url, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[thumbprint])["OpenIDConnectProviderArn"]


def test_token_issuer_must_be_the_registered_url_scheme_included(aws_client):
    # a plain-HTTP server on the registered host: its tokens name http://, and Overcast never
    # reads keys over HTTP for a provider registered as https
    plain = Issuer(tls=False)
    try:
        arn = _provider(aws_client, "https://" + plain.host, "a" * 40)
        role = web_role(aws_client, arn, plain)
        code, message, status = error_of(assume, aws_client, role, plain.token())
        assert (code, status) == ("InvalidIdentityToken", 400)
        assert message == f"No OpenIDConnect provider found in your account for {plain.url}"
    finally:
        plain.close()


def test_keys_come_only_from_https_jwks_uri(aws_client):
    # the discovery document points at keys served over plain HTTP (by whoever holds them)
    elsewhere = Issuer(tls=False)
    issuer = Issuer(jwks_uri=elsewhere.url + "/jwks")
    try:
        role = web_role(aws_client, _provider(aws_client, issuer.url, issuer.thumbprint), issuer)
        forged = elsewhere.token(iss=issuer.url)  # signed with the key the HTTP server publishes
        code, message, status = error_of(assume, aws_client, role, forged)
        assert (code, status) == ("InvalidIdentityToken", 400)
        assert message.startswith("Couldn't retrieve verification key from your identity provider")
    finally:
        issuer.close()
        elsewhere.close()


def test_certificate_must_match_a_thumbprint(aws_client):
    issuer = Issuer()
    try:
        role = web_role(aws_client, _provider(aws_client, issuer.url, "b" * 40), issuer)
        code, message, _ = error_of(assume, aws_client, role, issuer.token())
        assert code == "InvalidIdentityToken"
        assert message.startswith("Couldn't retrieve verification key from your identity provider")
        aws_client("iam").update_open_id_connect_provider_thumbprint(
            OpenIDConnectProviderArn=role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Federated"],
            ThumbprintList=[issuer.thumbprint])
        assert assume(aws_client, role, issuer.token())["Audience"] == "sts.amazonaws.com"
    finally:
        issuer.close()
