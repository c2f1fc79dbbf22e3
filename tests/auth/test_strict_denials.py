"""The words of a denial: each policy type's reason, each service family's error code (S3 and
SQS word theirs through their side of the authorization interface)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from overcast.auth.authorization.denials import access_denied, reason_text
from overcast.auth.policy import Decision, Principal
from overcast.services.s3.authority import S3Authority
from overcast.services.sqs.authority import SqsAuthority

ALICE = Principal("arn:aws:iam::111122223333:user/alice", "111122223333", "user", user_id="AIDAEXAMPLE")


@pytest.mark.parametrize("reason, denied_by, text", [
    ("implicit_deny", "identity", "because no identity-based policy allows the s3:GetObject action"),
    ("implicit_deny", None, "because no identity-based policy allows the s3:GetObject action"),
    ("implicit_deny", "resource", "because no resource-based policy allows the s3:GetObject action"),
    ("implicit_deny", "boundary", "because no permissions boundary allows the s3:GetObject action"),
    ("implicit_deny", "session", "because no session policy allows the s3:GetObject action"),
    ("explicit_deny", "identity", "with an explicit deny in an identity-based policy"),
    ("explicit_deny", "resource", "with an explicit deny in a resource-based policy"),
    ("explicit_deny", "boundary", "with an explicit deny in a permissions boundary"),
    ("explicit_deny", "session", "with an explicit deny in a session policy"),
])
def test_reasons(reason, denied_by, text):
    assert reason_text("s3:GetObject", Decision(False, reason, [], denied_by)) == text


def ctx(service, protocol):
    return SimpleNamespace(service=service, protocol=protocol)


IMPLICIT = Decision(False, "implicit_deny", [], "identity")


def test_s3_same_account_names_the_reason_other_accounts_do_not():
    error = access_denied(ctx("s3", "rest-xml"), S3Authority(), ALICE, "s3:GetObject", "arn:aws:s3:::b/k", IMPLICIT, "111122223333")
    assert (error.code, error.status) == ("AccessDenied", 403)
    assert error.message == ('User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject '
                             'on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the '
                             's3:GetObject action')
    error = access_denied(ctx("s3", "rest-xml"), S3Authority(), ALICE, "s3:GetObject", "arn:aws:s3:::b/k", IMPLICIT, "444455556666")
    assert error.message == "Access Denied"


def test_query_json_and_rest_json_families():
    query = access_denied(ctx("iam", "query"), None, ALICE, "iam:ListUsers", "arn:aws:iam::111122223333:user/",
                          IMPLICIT, "111122223333")
    assert (query.code, query.status) == ("AccessDenied", 403)
    sqs = access_denied(ctx("sqs", "json"), SqsAuthority(), ALICE, "sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q", IMPLICIT, "1")
    assert (sqs.code, sqs.status) == ("AccessDenied", 403)
    assert "sqs:sendmessage on resource: arn:aws:sqs:us-east-1:1:q" in sqs.message
    json = access_denied(ctx("dynamodb", "json"), None, ALICE, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/t",
                         IMPLICIT, "1")
    assert (json.code, json.status) == ("AccessDeniedException", 400)
    rest = access_denied(ctx("lambda", "rest-json"), None, ALICE, "lambda:InvokeFunction", "*", IMPLICIT, "1")
    assert (rest.code, rest.status) == ("AccessDeniedException", 403)
    assert rest.message == ("User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
                            "lambda:InvokeFunction because no identity-based policy allows the lambda:InvokeFunction "
                            "action")


def test_ec2_carries_the_encoded_decision():
    seen = []

    class Messages:
        @staticmethod
        def encode(details):
            seen.append(details)
            return "ENCODED"

    error = access_denied(ctx("ec2", "ec2"), None, ALICE, "ec2:RunInstances", "arn:aws:ec2:us-east-1:1:instance/*",
                          IMPLICIT, "1", Messages(), {"aws:SourceIp": "127.0.0.1"})
    assert (error.code, error.status) == ("UnauthorizedOperation", 403)
    assert error.message == ("You are not authorized to perform this operation. "
                             "Encoded authorization failure message: ENCODED")
    [details] = seen
    assert details["allowed"] is False and details["explicitDeny"] is False
    assert details["context"]["action"] == "ec2:RunInstances"
    assert details["context"]["conditions"]["items"] == [
        {"key": "aws:SourceIp", "values": {"items": [{"value": "127.0.0.1"}]}}]
