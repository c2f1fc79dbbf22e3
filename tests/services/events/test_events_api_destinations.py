"""EventBridge API destinations through boto3 and the AWS CLI: create, describe, list, update
and delete, their state following the connection's, and the refusals (missing connection,
endpoints that are not HTTPS)."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"}}


@pytest.fixture
def events(aws_client):
    return aws_client("events")


@pytest.fixture
def connection_arn(events):
    return events.create_connection(Name="conn", AuthorizationType="API_KEY", AuthParameters=API_KEY)["ConnectionArn"]


def error_of(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_create_and_describe(events, connection_arn):
    created = events.create_api_destination(Name="orders", Description="orders API", ConnectionArn=connection_arn,
                                            InvocationEndpoint="https://example.com/orders/*", HttpMethod="POST")
    assert re.fullmatch(r"arn:aws:events:us-east-1:\d{12}:api-destination/orders/[-0-9a-f]{36}",
                        created["ApiDestinationArn"])
    assert created["ApiDestinationState"] == "ACTIVE"
    described = events.describe_api_destination(Name="orders")
    assert {k: v for k, v in described.items() if k not in ("ResponseMetadata", "CreationTime", "LastModifiedTime")} == {
        "ApiDestinationArn": created["ApiDestinationArn"], "Name": "orders", "Description": "orders API",
        "ApiDestinationState": "ACTIVE", "ConnectionArn": connection_arn,
        "InvocationEndpoint": "https://example.com/orders/*", "HttpMethod": "POST",
        "InvocationRateLimitPerSecond": 300}
    assert described["CreationTime"] == created["CreationTime"]


def test_the_connection_must_exist(events, connection_arn):
    missing = connection_arn.replace("connection/conn/", "connection/other/")
    assert error_of(events.create_api_destination, Name="d", ConnectionArn=missing,
                    InvocationEndpoint="https://example.com", HttpMethod="GET") == (
        "ResourceNotFoundException", f"Failed to create the api-destination(s). Connection '{missing}' does not exist.")


def test_endpoints_must_be_https_but_loopback_http_is_reachable(events, connection_arn):
    assert error_of(events.create_api_destination, Name="d", ConnectionArn=connection_arn,
                    InvocationEndpoint="http://example.com/hook", HttpMethod="POST") == (
        "ValidationException", "Failed to create the api-destination(s). Parameter InvocationEndpoint is not valid. "
        "Reason: Endpoint 'http://example.com/hook' is invalid, please provide a valid HTTPS endpoint URL.")
    for endpoint in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://127.3.4.5/x"):
        events.create_api_destination(Name="loop", ConnectionArn=connection_arn, InvocationEndpoint=endpoint,
                                      HttpMethod="PUT")
        events.delete_api_destination(Name="loop")


def test_model_constraints_are_checked_first(events, connection_arn):
    code, message = error_of(events.create_api_destination, Name="a/b", ConnectionArn=connection_arn,
                             InvocationEndpoint="http://example.com", HttpMethod="POST")
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value 'a/b' at 'name' failed to satisfy constraint: "
                       "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")


def test_existing_and_missing_destinations(events, connection_arn):
    events.create_api_destination(Name="d", ConnectionArn=connection_arn, InvocationEndpoint="https://example.com",
                                  HttpMethod="POST")
    assert error_of(events.create_api_destination, Name="d", ConnectionArn=connection_arn,
                    InvocationEndpoint="https://example.com", HttpMethod="POST") == (
        "ResourceAlreadyExistsException",
        "Failed to create the api-destination(s). An api-destination with name 'd' already exists.")
    for verb, call, extra in (("describe", events.describe_api_destination, {}),
                              ("update", events.update_api_destination, {"Description": "x"}),
                              ("delete", events.delete_api_destination, {})):
        assert error_of(call, Name="nope", **extra) == (
            "ResourceNotFoundException", f"Failed to {verb} the api-destination(s). An api-destination 'nope' does not exist.")


def test_rate_limit_above_the_quota_and_two_list_filters_are_refused(events, connection_arn):
    assert error_of(events.create_api_destination, Name="fast", ConnectionArn=connection_arn, HttpMethod="POST",
                    InvocationEndpoint="https://example.com", InvocationRateLimitPerSecond=301) == (
        "LimitExceededException", "Failed to create the api-destination(s). Invalid Invocation Rate Limit: Rate "
        "specified '301' for 'fast' exceeds maximum allowed of '300'.")
    assert error_of(events.list_api_destinations, NamePrefix="a", ConnectionArn=connection_arn) == (
        "ValidationException", "Failed to list the api-destination(s). Request failed because only one filter is "
        "supported per request, either ConnectionArn or NamePrefix.")


def test_update_list_and_delete(events, connection_arn):
    for name in ("a1", "a2", "b1"):
        events.create_api_destination(Name=name, ConnectionArn=connection_arn,
                                      InvocationEndpoint=f"https://example.com/{name}", HttpMethod="POST")
    other = events.create_connection(Name="other", AuthorizationType="API_KEY", AuthParameters=API_KEY)["ConnectionArn"]
    updated = events.update_api_destination(Name="a2", ConnectionArn=other, HttpMethod="PATCH",
                                            InvocationRateLimitPerSecond=5)
    assert updated["ApiDestinationState"] == "ACTIVE"
    described = events.describe_api_destination(Name="a2")
    assert (described["ConnectionArn"], described["HttpMethod"], described["InvocationRateLimitPerSecond"],
            described["InvocationEndpoint"]) == (other, "PATCH", 5, "https://example.com/a2")
    page = events.list_api_destinations(NamePrefix="a", Limit=1)
    assert [d["Name"] for d in page["ApiDestinations"]] == ["a1"]
    rest = events.list_api_destinations(NamePrefix="a", Limit=1, NextToken=page["NextToken"])
    assert [d["Name"] for d in rest["ApiDestinations"]] == ["a2"] and "NextToken" not in rest
    assert [d["Name"] for d in events.list_api_destinations(ConnectionArn=other)["ApiDestinations"]] == ["a2"]
    assert events.delete_api_destination(Name="a1")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [d["Name"] for d in events.list_api_destinations()["ApiDestinations"]] == ["a2", "b1"]


def test_state_follows_the_connection(events, connection_arn):
    events.create_api_destination(Name="d", ConnectionArn=connection_arn, InvocationEndpoint="https://example.com",
                                  HttpMethod="POST")
    events.deauthorize_connection(Name="conn")
    assert events.describe_api_destination(Name="d")["ApiDestinationState"] == "INACTIVE"
    events.update_connection(Name="conn", AuthParameters=API_KEY)
    assert events.describe_api_destination(Name="d")["ApiDestinationState"] == "ACTIVE"
    events.delete_connection(Name="conn")
    assert events.describe_api_destination(Name="d")["ApiDestinationState"] == "INACTIVE"


def test_api_destinations_through_the_cli(aws_cli, connection_arn, tmp_path):
    # AWS CLI v1 fetches a parameter that is an http(s) URL unless told not to
    (tmp_path / "aws-config").write_text("[default]\ncli_follow_urlparam = false\n")
    created = aws_cli("events", "create-api-destination", "--name", "cli", "--connection-arn", connection_arn,
                      "--invocation-endpoint", "https://example.com/hook", "--http-method", "POST",
                      "--invocation-rate-limit-per-second", "10")
    assert created["ApiDestinationState"] == "ACTIVE"
    described = aws_cli("events", "describe-api-destination", "--name", "cli")
    assert described["InvocationRateLimitPerSecond"] == 10
    assert [d["Name"] for d in aws_cli("events", "list-api-destinations")["ApiDestinations"]] == ["cli"]
