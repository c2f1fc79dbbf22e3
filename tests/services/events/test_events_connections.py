"""EventBridge connections through boto3 and the AWS CLI: the three authorization types, the
states (OAuth really authorized against a local authorization server), what Describe answers
without the secrets, listing, update, deauthorization and deletion, and AWS's refusals."""

from __future__ import annotations

import re
import time

import pytest
from botocore.exceptions import ClientError

from apidest_http_server import TOKEN_PATH, ApiServer

API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"}}
BASIC = {"BasicAuthParameters": {"Username": "alice", "Password": "pa55"}}


@pytest.fixture
def events(aws_client):
    return aws_client("events")


@pytest.fixture
def api():
    server = ApiServer()
    yield server
    server.close()


def oauth_parameters(api: ApiServer, **extra) -> dict:
    return {"OAuthParameters": {"ClientParameters": {"ClientID": api.client_id, "ClientSecret": api.client_secret},
                                "AuthorizationEndpoint": api.url(TOKEN_PATH), "HttpMethod": "POST", **extra}}


def wait_state(events, name: str, *states: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        described = events.describe_connection(Name=name)
        if described["ConnectionState"] in states or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def error_of(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_api_key_connection_is_authorized_and_described_without_its_secret(events):
    created = events.create_connection(
        Name="orders", Description="the orders API", AuthorizationType="API_KEY",
        AuthParameters={**API_KEY, "InvocationHttpParameters": {
            "HeaderParameters": [{"Key": "x-team", "Value": "blue", "IsValueSecret": False},
                                 {"Key": "x-token", "Value": "hidden", "IsValueSecret": True}]}})
    assert created["ConnectionState"] == "AUTHORIZED"
    assert re.fullmatch(r"arn:aws:events:us-east-1:\d{12}:connection/orders/[-0-9a-f]{36}", created["ConnectionArn"])
    assert created["CreationTime"] == created["LastModifiedTime"]
    described = events.describe_connection(Name="orders")
    assert described["ConnectionArn"] == created["ConnectionArn"]
    assert described["Description"] == "the orders API"
    assert described["AuthorizationType"] == "API_KEY"
    assert re.fullmatch(r"arn:aws:secretsmanager:us-east-1:\d{12}:secret:events!connection/orders/"
                        r"[-0-9a-f]{36}-[A-Za-z0-9]{6}", described["SecretArn"])
    assert described["AuthParameters"] == {
        "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key"},
        "InvocationHttpParameters": {"HeaderParameters": [{"Key": "x-team", "Value": "blue", "IsValueSecret": False},
                                                          {"Key": "x-token", "IsValueSecret": True}]}}
    assert "s3cret" not in str(described) and "hidden" not in str(described)
    assert described["LastAuthorizedTime"] == created["CreationTime"]


def test_basic_connection_answers_only_the_username(events):
    assert events.create_connection(Name="b", AuthorizationType="BASIC",
                                    AuthParameters=BASIC)["ConnectionState"] == "AUTHORIZED"
    assert events.describe_connection(Name="b")["AuthParameters"] == {"BasicAuthParameters": {"Username": "alice"}}


def test_oauth_connection_is_authorized_by_a_real_token_request(events, api):
    created = events.create_connection(
        Name="oauth", AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
        AuthParameters=oauth_parameters(api, OAuthHttpParameters={
            "BodyParameters": [{"Key": "audience", "Value": "orders", "IsValueSecret": False}],
            "HeaderParameters": [{"Key": "x-tenant", "Value": "t1", "IsValueSecret": True}],
            "QueryStringParameters": [{"Key": "realm", "Value": "r1", "IsValueSecret": False}]}))
    assert created["ConnectionState"] == "AUTHORIZING"
    described = wait_state(events, "oauth", "AUTHORIZED", "DEAUTHORIZED")
    assert described["ConnectionState"] == "AUTHORIZED", described
    assert "LastAuthorizedTime" in described
    grant = api.requests_to(TOKEN_PATH)[0]
    assert grant["method"] == "POST"
    assert grant["query"] == {"realm": "r1"}
    assert grant["headers"]["x-tenant"] == "t1"
    assert grant["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert dict(pair.split("=") for pair in grant["body"].split("&")) == {"audience": "orders",
                                                                         "grant_type": "client_credentials"}
    oauth = described["AuthParameters"]["OAuthParameters"]
    assert oauth["ClientParameters"] == {"ClientID": api.client_id}
    assert oauth["AuthorizationEndpoint"] == api.url(TOKEN_PATH) and oauth["HttpMethod"] == "POST"
    assert oauth["OAuthHttpParameters"]["HeaderParameters"] == [{"Key": "x-tenant", "IsValueSecret": True}]


def test_oauth_connection_refused_by_the_endpoint_is_deauthorized_with_a_reason(events, api):
    parameters = oauth_parameters(api)
    api.client_secret = "the secret the server expects"
    events.create_connection(Name="refused", AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=parameters)
    described = wait_state(events, "refused", "AUTHORIZED", "DEAUTHORIZED")
    assert described["ConnectionState"] == "DEAUTHORIZED"
    assert "401" in described["StateReason"]


def test_authorization_parameters_must_match_the_authorization_type(events):
    code, message = error_of(events.create_connection, Name="x", AuthorizationType="BASIC", AuthParameters=API_KEY)
    assert code == "ValidationException" and "ApiKeyAuthParameters" in message
    code, message = error_of(events.create_connection, Name="x", AuthorizationType="API_KEY",
                             AuthParameters={"InvocationHttpParameters": {}})
    assert code == "ValidationException" and "ApiKeyAuthParameters" in message
    with pytest.raises(ClientError):
        events.describe_connection(Name="x")


def test_the_authorization_endpoint_must_be_https_but_loopback_http_is_reachable(events, api):
    parameters = oauth_parameters(api)
    parameters["OAuthParameters"]["AuthorizationEndpoint"] = "http://auth.example.com/token"
    assert error_of(events.create_connection, Name="o", AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
                    AuthParameters=parameters) == (
        "ValidationException", "Failed to create the connection(s). Parameter AuthorizationEndpoint is not valid. "
        "Reason: Endpoint 'http://auth.example.com/token' is invalid, please provide a valid HTTPS endpoint URL.")
    assert api.url(TOKEN_PATH).startswith("http://127.0.0.1:")  # accepted by the OAuth tests above


def test_model_constraints_come_first_in_aws_words(events):
    code, message = error_of(events.create_connection, Name="bad name!", AuthorizationType="API_KEY",
                             AuthParameters=API_KEY)
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")


def test_existing_and_missing_connections(events):
    events.create_connection(Name="dup", AuthorizationType="API_KEY", AuthParameters=API_KEY)
    assert error_of(events.create_connection, Name="dup", AuthorizationType="API_KEY", AuthParameters=API_KEY) == (
        "ResourceAlreadyExistsException", "Connection dup already exists.")
    missing = ("ResourceNotFoundException", "Failed to describe the connection(s). Connection 'nope' does not exist.")
    assert error_of(events.describe_connection, Name="nope") == missing
    assert error_of(events.delete_connection, Name="nope") == missing
    assert error_of(events.deauthorize_connection, Name="nope") == missing
    assert error_of(events.update_connection, Name="nope", Description="d") == missing


def test_private_connectivity_is_not_implemented(events):
    with pytest.raises(ClientError) as caught:
        events.create_connection(
            Name="private", AuthorizationType="API_KEY", AuthParameters=API_KEY,
            InvocationConnectivityParameters={"ResourceParameters": {
                "ResourceConfigurationArn": "arn:aws:vpc-lattice:us-east-1:123456789012:resourceconfiguration/"
                                            "rcfg-0123456789abcdef0"}})
    assert caught.value.response["Error"]["Code"] == "NotImplemented"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_list_connections_by_prefix_state_and_page(events):
    for name in ("a1", "a2", "a3", "b1"):
        events.create_connection(Name=name, AuthorizationType="API_KEY", AuthParameters=API_KEY)
    events.deauthorize_connection(Name="a2")
    first = events.list_connections(NamePrefix="a", Limit=2)
    assert [c["Name"] for c in first["Connections"]] == ["a1", "a2"]
    second = events.list_connections(NamePrefix="a", Limit=2, NextToken=first["NextToken"])
    assert [c["Name"] for c in second["Connections"]] == ["a3"] and "NextToken" not in second
    deauthorized = events.list_connections(ConnectionState="DEAUTHORIZED")["Connections"]
    assert [(c["Name"], c["AuthorizationType"]) for c in deauthorized] == [("a2", "API_KEY")]
    assert error_of(events.list_connections, NextToken="not-a-token")[0] == "ValidationException"


def test_update_changes_parameters_and_type(events, api):
    events.create_connection(Name="u", AuthorizationType="API_KEY", AuthParameters=API_KEY)
    updated = events.update_connection(Name="u", Description="new",
                                       AuthParameters={"ApiKeyAuthParameters": {"ApiKeyValue": "rotated"}})
    assert updated["ConnectionState"] == "AUTHORIZED"
    described = events.describe_connection(Name="u")
    assert described["Description"] == "new"
    assert described["AuthParameters"]["ApiKeyAuthParameters"] == {"ApiKeyName": "x-api-key"}
    code, message = error_of(events.update_connection, Name="u", AuthorizationType="BASIC",
                             AuthParameters={"BasicAuthParameters": {"Username": "only-a-name"}})
    assert code == "ValidationException" and "Password" in message
    assert events.update_connection(Name="u", AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
                                    AuthParameters=oauth_parameters(api))["ConnectionState"] == "AUTHORIZING"
    assert wait_state(events, "u", "AUTHORIZED", "DEAUTHORIZED")["ConnectionState"] == "AUTHORIZED"
    assert events.describe_connection(Name="u")["AuthorizationType"] == "OAUTH_CLIENT_CREDENTIALS"


def test_deauthorize_removes_the_parameters_and_update_authorizes_again(events):
    events.create_connection(Name="d", AuthorizationType="BASIC", AuthParameters=BASIC)
    assert events.deauthorize_connection(Name="d")["ConnectionState"] == "DEAUTHORIZING"
    described = events.describe_connection(Name="d")
    assert described["ConnectionState"] == "DEAUTHORIZED"
    assert described["AuthParameters"] == {} and "SecretArn" not in described
    assert events.update_connection(Name="d", AuthParameters=BASIC)["ConnectionState"] == "AUTHORIZED"
    assert events.describe_connection(Name="d")["AuthParameters"] == {"BasicAuthParameters": {"Username": "alice"}}


def test_delete_answers_deleting_and_the_connection_is_gone(events):
    arn = events.create_connection(Name="gone", AuthorizationType="API_KEY", AuthParameters=API_KEY)["ConnectionArn"]
    deleted = events.delete_connection(Name="gone")
    assert deleted["ConnectionArn"] == arn and deleted["ConnectionState"] == "DELETING"
    assert events.list_connections()["Connections"] == []


def test_connections_through_the_cli(aws_cli):
    created = aws_cli("events", "create-connection", "--name", "cli", "--authorization-type", "API_KEY",
                      "--auth-parameters", "ApiKeyAuthParameters={ApiKeyName=x-key,ApiKeyValue=v}")
    assert created["ConnectionState"] == "AUTHORIZED"
    described = aws_cli("events", "describe-connection", "--name", "cli")
    assert described["AuthParameters"] == {"ApiKeyAuthParameters": {"ApiKeyName": "x-key"}}
    listed = aws_cli("events", "list-connections")
    assert [c["Name"] for c in listed["Connections"]] == ["cli"]
