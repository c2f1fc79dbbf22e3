"""DecodeAuthorizationMessage decodes what Overcast's denials carry; altered messages fail.

The messages are made by ``AuthorizationMessages.encode`` (what strict-mode EC2 denials call),
here through a second handle on the running server's own database.
"""

from __future__ import annotations

import json

import pytest
from botocore.config import Config
from sts_helpers import error_of

from overcast.auth.authorization.messages import AuthorizationMessages, decision_details
from overcast.storage import Storage


@pytest.fixture
def encoder(server, aws_client):
    storage = Storage(server.data_dir)
    yield AuthorizationMessages(lambda: storage)
    storage.close()


def details() -> dict:
    return decision_details(
        allowed=False,
        explicit_deny=True,
        principal_id="AIDAEXAMPLEUSERID0001",
        principal_arn="arn:aws:iam::000000000000:user/alice",
        principal_name="alice",
        action="ec2:RunInstances",
        resource="arn:aws:ec2:us-east-1:000000000000:instance/*",
        conditions={"ec2:InstanceType": "t2.micro", "aws:SecureTransport": False},
        matched=[{"statementId": "NoRun", "effect": "DENY"}],
    )


def test_decode_gives_back_the_decision(encoder, aws_client):
    encoded = encoder.encode(details())
    assert "=" not in encoded and "\n" not in encoded
    decoded = json.loads(aws_client("sts").decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["explicitDeny"] is True
    assert decoded["matchedStatements"]["items"][0]["statementId"] == "NoRun"
    assert decoded["failures"] == {"items": []}
    context = decoded["context"]
    assert context["principal"] == {
        "id": "AIDAEXAMPLEUSERID0001", "arn": "arn:aws:iam::000000000000:user/alice", "name": "alice"
    }
    assert context["action"] == "ec2:RunInstances"
    assert {"key": "ec2:InstanceType", "values": {"items": [{"value": "t2.micro"}]}} in context["conditions"]["items"]
    assert {"key": "aws:SecureTransport", "values": {"items": [{"value": "false"}]}} in context["conditions"]["items"]


def test_cli_decodes(encoder, aws_cli):
    encoded = encoder.encode(details())
    out = aws_cli("sts", "decode-authorization-message", "--encoded-message", encoded)
    assert json.loads(out["DecodedMessage"])["context"]["resource"] == "arn:aws:ec2:us-east-1:000000000000:instance/*"


@pytest.mark.parametrize("change", ["flip", "truncate", "garbage"])
def test_altered_message_is_invalid(encoder, aws_client, change):
    encoded = encoder.encode(details())
    if change == "flip":
        middle = len(encoded) // 2
        encoded = encoded[:middle] + ("A" if encoded[middle] != "A" else "B") + encoded[middle + 1:]
    elif change == "truncate":
        encoded = encoded[:-10]
    else:
        encoded = "not-a-message"
    code, message, status = error_of(aws_client("sts").decode_authorization_message, EncodedMessage=encoded)
    assert (code, status) == ("InvalidAuthorizationMessageException", 400)
    assert message


def test_too_long_message_is_validation_error(aws_client):
    sts = aws_client("sts", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    code, message, _ = error_of(sts.decode_authorization_message, EncodedMessage="A" * 10241)
    assert code == "ValidationError"
    assert "Member must have length less than or equal to 10240" in message
