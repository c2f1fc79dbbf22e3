"""Strict mode, API destinations: EventBridge invokes one with the target's role, which must
trust events.amazonaws.com and allow events:InvokeApiDestination on the destination; otherwise
the event goes to the target's dead-letter queue (NO_PERMISSIONS) and the endpoint hears
nothing. The connection and destination operations are authorized on their ARNs."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from apidest_http_server import ApiServer  # noqa: E402
from events_helpers import drain  # noqa: E402
from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

TRUST_EVENTS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"}}


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-apidest")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture
def api():
    server = ApiServer()
    yield server
    server.close()


def setup_route(strict, api: ApiServer, name: str, role_policy: dict | None) -> tuple[str, object]:
    """An API destination ``name`` behind a rule, its target's role allowed ``role_policy``;
    returns (the dead-letter queue's URL, an SQS client)."""
    events, iam, sqs = (client(strict, service, ACCOUNT_A) for service in ("events", "iam", "sqs"))
    role_arn = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=TRUST_EVENTS)["Role"]["Arn"]
    if role_policy is not None:
        iam.put_role_policy(RoleName=f"{name}-role", PolicyName="invoke", PolicyDocument=policy(role_policy))
    connection = events.create_connection(Name=f"{name}-c", AuthorizationType="API_KEY",
                                          AuthParameters=API_KEY)["ConnectionArn"]
    destination = events.create_api_destination(Name=name, ConnectionArn=connection, HttpMethod="POST",
                                                InvocationEndpoint=api.url(f"/{name}"))["ApiDestinationArn"]
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
         "Resource": dlq_arn}]})})
    events.put_rule(Name=f"{name}-rule", EventPattern=json.dumps({"source": [name]}))
    answer = events.put_targets(Rule=f"{name}-rule", Targets=[{"Id": "api", "Arn": destination, "RoleArn": role_arn,
                                                                "DeadLetterConfig": {"Arn": dlq_arn}}])
    assert answer["FailedEntryCount"] == 0, answer
    assert events.put_events(Entries=[{"Source": name, "DetailType": "t", "Detail": "{}"}])["FailedEntryCount"] == 0
    return dlq, sqs


def test_a_role_allowed_to_invoke_delivers(strict, api):
    setup_route(strict, api, "allowed", allow("events:InvokeApiDestination",
                                              f"arn:aws:events:us-east-1:{ACCOUNT_A}:api-destination/allowed/*"))
    assert json.loads(api.wait_for("/allowed")[0]["body"])["source"] == "allowed"


def test_a_role_without_the_permission_dead_letters_the_event(strict, api):
    dlq, sqs = setup_route(strict, api, "refused", allow("events:InvokeApiDestination",
                                                         f"arn:aws:events:us-east-1:{ACCOUNT_A}:api-destination/other/*"))
    [dead] = drain(sqs, dlq, expect=1, timeout=10)
    assert dead["Parsed"]["source"] == "refused"
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "NO_PERMISSIONS"
    assert "events:InvokeApiDestination" in dead["MessageAttributes"]["ERROR_MESSAGE"]["StringValue"]
    assert api.requests_to("/refused") == []


def test_connection_and_destination_operations_are_authorized(strict):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName="apidest-reader")
    iam.put_user_policy(UserName="apidest-reader", PolicyName="inline", PolicyDocument=policy(
        allow(["events:ListConnections", "events:ListApiDestinations"])))
    key = iam.create_access_key(UserName="apidest-reader")["AccessKey"]
    reader = client(strict, "events", key["AccessKeyId"], key["SecretAccessKey"])
    assert "Connections" in reader.list_connections()
    assert "ApiDestinations" in reader.list_api_destinations()
    assert denied(reader.create_connection, Name="mine", AuthorizationType="API_KEY",
                  AuthParameters=API_KEY)[:2] == ("AccessDeniedException", 400)
    assert denied(reader.describe_api_destination, Name="allowed")[:2] == ("AccessDeniedException", 400)


def test_parameters_are_checked_before_authorization(strict):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName="apidest-nobody")
    iam.put_user_policy(UserName="apidest-nobody", PolicyName="inline", PolicyDocument=policy(allow("sqs:ListQueues")))
    key = iam.create_access_key(UserName="apidest-nobody")["AccessKey"]
    nobody = client(strict, "events", key["AccessKeyId"], key["SecretAccessKey"])
    connection = f"arn:aws:events:us-east-1:{ACCOUNT_A}:connection/c/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    for call, params in (
            (nobody.create_connection, {"Name": "a b", "AuthorizationType": "API_KEY", "AuthParameters": API_KEY}),
            (nobody.create_connection, {"Name": "ok", "AuthorizationType": "BASIC", "AuthParameters": API_KEY}),
            (nobody.update_connection, {"Name": "ok", "AuthorizationType": "BASIC", "AuthParameters": API_KEY}),
            (nobody.describe_connection, {"Name": "a/b"}),
            (nobody.create_api_destination, {"Name": "d", "ConnectionArn": connection, "HttpMethod": "POST",
                                             "InvocationEndpoint": "http://example.com/"}),
            (nobody.delete_api_destination, {"Name": "a/b"})):
        assert denied(call, **params)[:2] == ("ValidationException", 400), params
    # well-formed: refused by authorization, before any lookup
    assert denied(nobody.describe_connection, Name="missing")[:2] == ("AccessDeniedException", 400)
    assert denied(nobody.create_api_destination, Name="d", ConnectionArn=connection, HttpMethod="POST",
                  InvocationEndpoint="https://example.com/")[:2] == ("AccessDeniedException", 400)
