"""Events delivered to API destinations over real HTTP (PutEvents -> rule -> API destination ->
an HTTP server the test runs): API key, basic and OAuth client-credentials authorization, the
path, query string and header parameters of target and connection, the headers EventBridge
adds, AWS's retry rules (a 500 is retried, a 400 is not), and the invocation rate limit."""

from __future__ import annotations

import json
import socket

import pytest

from apidest_http_server import TOKEN_PATH, ApiServer
from events_helpers import drain

TRUST_EVENTS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
INVOKE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "events:InvokeApiDestination", "Resource": "*"}]}
API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"}}


@pytest.fixture
def sqs(aws_client):
    return aws_client("sqs")


@pytest.fixture
def role(aws_client) -> str:
    """The targets' role: EventBridge may assume it and invoke API destinations with it (strict
    mode checks both, as AWS does)."""
    iam = aws_client("iam")
    arn = iam.create_role(RoleName="invoke-api-destinations",
                          AssumeRolePolicyDocument=json.dumps(TRUST_EVENTS))["Role"]["Arn"]
    iam.put_role_policy(RoleName="invoke-api-destinations", PolicyName="invoke", PolicyDocument=json.dumps(INVOKE))
    return arn


@pytest.fixture
def events(aws_client):
    return aws_client("events")


@pytest.fixture
def route(events, role):
    """``route(destination ARN, **target)``: a rule sending the source ``shop`` to it."""

    def make(arn: str, **target) -> None:
        events.put_rule(Name="to-api", EventPattern=json.dumps({"source": ["shop"]}))
        result = events.put_targets(Rule="to-api", Targets=[{"Id": "api", "Arn": arn, "RoleArn": role, **target}])
        assert result["FailedEntryCount"] == 0, result

    return make


@pytest.fixture
def api():
    server = ApiServer()
    yield server
    server.close()


@pytest.fixture
def advance(server):
    def move(seconds: float) -> None:
        server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())

    return move


def destination(events, api: ApiServer, path: str, *, auth_type: str = "API_KEY", auth: dict | None = None,
                method: str = "POST", rate: int | None = None, name: str = "dest") -> str:
    connection = events.create_connection(Name=f"{name}-connection", AuthorizationType=auth_type,
                                          AuthParameters=auth or API_KEY)["ConnectionArn"]
    extra = {"InvocationRateLimitPerSecond": rate} if rate else {}
    return events.create_api_destination(Name=name, ConnectionArn=connection, InvocationEndpoint=api.url(path),
                                         HttpMethod=method, **extra)["ApiDestinationArn"]


def put(events, count: int = 1, **detail) -> list[str]:
    entries = [{"Source": "shop", "DetailType": "order", "Detail": json.dumps({"n": n, **detail})}
               for n in range(count)]
    answer = events.put_events(Entries=entries)
    assert answer["FailedEntryCount"] == 0, answer
    return [entry["EventId"] for entry in answer["Entries"]]


def dead_letter_queue(sqs) -> tuple[str, str]:
    """A queue EventBridge may send dead letters to (its policy lets events.amazonaws.com in)."""
    url = sqs.create_queue(QueueName="api-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
         "Resource": arn}]})})
    return url, arn


def test_api_key_delivery_carries_the_event_and_eventbridges_headers(events, route, api):
    route(destination(events, api, "/hook"))
    [event_id] = put(events, item="book")
    [request] = api.wait_for("/hook")
    assert request["method"] == "POST"
    body = json.loads(request["body"])
    assert body["id"] == event_id and body["source"] == "shop" and body["detail"] == {"n": 0, "item": "book"}
    headers = request["headers"]
    assert headers["x-api-key"] == "s3cret"
    assert headers["user-agent"] == "Amazon/EventBridge/ApiDestinations"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["range"] == "bytes=0-1048575"
    assert headers["accept-encoding"] == "gzip,deflate"
    assert headers["connection"] == "close"


def test_basic_authorization_and_the_method_of_the_destination(events, route, api):
    route(destination(events, api, "/basic", auth_type="BASIC", method="PUT",
                              auth={"BasicAuthParameters": {"Username": "alice", "Password": "pa55"}}))
    put(events)
    [request] = api.wait_for("/basic")
    assert request["method"] == "PUT"
    assert request["headers"]["authorization"] == "Basic YWxpY2U6cGE1NQ=="


def test_path_query_header_and_body_parameters(events, route, api):
    connection = events.create_connection(
        Name="params", AuthorizationType="API_KEY",
        AuthParameters={**API_KEY, "InvocationHttpParameters": {
            "QueryStringParameters": [{"Key": "shared", "Value": "from-connection", "IsValueSecret": False}],
            "HeaderParameters": [{"Key": "x-secret-header", "Value": "hidden", "IsValueSecret": True},
                                 {"Key": "Content-Type", "Value": "application/vnd.shop+json", "IsValueSecret": False}],
            "BodyParameters": [{"Key": "added", "Value": "by-connection", "IsValueSecret": False}]}})["ConnectionArn"]
    arn = events.create_api_destination(Name="params", ConnectionArn=connection, HttpMethod="POST",
                                        InvocationEndpoint=api.url("/orders/*/items/*"))["ApiDestinationArn"]
    route(arn, HttpParameters={
        "PathParameterValues": ["42", "a b"],
        "QueryStringParameters": {"q": "x&y", "shared": "from-target"},
        "HeaderParameters": {"x-static": "yes", "User-Agent": "not-replaced"}})
    put(events, item="book")
    [request] = api.wait_for("/orders/42/items/a%20b")  # a path value is quoted into its segment
    assert request["query"] == {"q": "x&y", "shared": "from-connection"}
    assert request["headers"]["x-static"] == "yes"
    assert request["headers"]["user-agent"] == "Amazon/EventBridge/ApiDestinations"
    assert request["headers"]["x-secret-header"] == "hidden"
    assert [v for k, v in request["header_list"] if k == "content-type"] == ["application/vnd.shop+json"]
    assert json.loads(request["body"])["added"] == "by-connection"


def test_input_transformer_output_is_the_body(events, route, api):
    route(destination(events, api, "/shaped"), InputTransformer={
        "InputPathsMap": {"item": "$.detail.item"}, "InputTemplate": '{"ordered": <item>}'})
    put(events, item="pen")
    assert json.loads(api.wait_for("/shaped")[0]["body"]) == {"ordered": "pen"}


def test_oauth_token_fetched_once_reused_and_renewed_after_a_401(events, route, api, advance):
    auth = {"OAuthParameters": {"ClientParameters": {"ClientID": api.client_id, "ClientSecret": api.client_secret},
                                "AuthorizationEndpoint": api.url(TOKEN_PATH), "HttpMethod": "POST"}}
    route(destination(events, api, "/secure/hook", auth_type="OAUTH_CLIENT_CREDENTIALS", auth=auth))
    put(events, count=2)
    delivered = api.wait_for("/secure/hook", 2)
    assert {r["headers"]["authorization"] for r in delivered} == {"Bearer token-1"}
    assert len(api.requests_to(TOKEN_PATH)) == 1
    api.token = "revoked"  # the authorization server no longer honours token-1
    put(events)
    api.wait_for("/secure/hook", 3)  # answered 401: a new token is fetched for the retry
    api.wait_for(TOKEN_PATH, 2)
    advance(5)
    retried = api.wait_for("/secure/hook", 4)[3]
    assert retried["headers"]["authorization"] == "Bearer token-2"


def test_oauth_token_about_to_expire_is_renewed_before_the_invocation(events, route, api, advance):
    api.expires_in = 120
    auth = {"OAuthParameters": {"ClientParameters": {"ClientID": api.client_id, "ClientSecret": api.client_secret},
                                "AuthorizationEndpoint": api.url(TOKEN_PATH), "HttpMethod": "GET"}}
    route(destination(events, api, "/secure/soon", auth_type="OAUTH_CLIENT_CREDENTIALS", auth=auth))
    put(events)
    assert api.wait_for("/secure/soon")[0]["headers"]["authorization"] == "Bearer token-1"
    assert api.requests_to(TOKEN_PATH)[0]["method"] == "GET"
    advance(61)  # 59 seconds left: inside the minute before expiry
    put(events)
    assert api.wait_for("/secure/soon", 2)[1]["headers"]["authorization"] == "Bearer token-2"


@pytest.mark.parametrize("status", [500, 503, 429, 409])
def test_429_409_and_5xx_are_retried(events, route, api, advance, sqs, status):
    dlq_url, dlq_arn = dead_letter_queue(sqs)
    route(destination(events, api, "/flaky"), DeadLetterConfig={"Arn": dlq_arn},
          RetryPolicy={"MaximumRetryAttempts": 2})
    api.answer("/flaky", status)
    put(events)
    api.wait_for("/flaky")
    advance(5)
    assert len(api.wait_for("/flaky", 2)) == 2
    assert drain(sqs, dlq_url, expect=1, timeout=1) == []


def test_a_400_is_not_retried_and_goes_to_the_dead_letter_queue(events, route, api, advance, sqs):
    dlq_url, dlq_arn = dead_letter_queue(sqs)
    route(destination(events, api, "/bad"), DeadLetterConfig={"Arn": dlq_arn})
    api.answer("/bad", 400, 400, 400)
    [event_id] = put(events)
    [dead] = drain(sqs, dlq_url, expect=1, timeout=10)
    assert dead["Parsed"]["id"] == event_id
    advance(60)
    api.answer("/bad")  # from now on the endpoint accepts: a retry would arrive with the marker
    [marker] = put(events, marker=True)
    arrived = api.wait_for("/bad", 2)
    assert [json.loads(r["body"])["id"] for r in arrived] == [event_id, marker]
    assert len(api.requests_to("/bad")) == 2


def test_a_401_deauthorizes_an_api_key_connection(events, route, api, sqs):
    dlq_url, dlq_arn = dead_letter_queue(sqs)
    route(destination(events, api, "/denied"), DeadLetterConfig={"Arn": dlq_arn})
    api.answer("/denied", 401)
    put(events)
    assert len(drain(sqs, dlq_url, expect=1, timeout=10)) == 1
    described = events.describe_connection(Name="dest-connection")
    assert described["ConnectionState"] == "DEAUTHORIZED" and "401" in described["StateReason"]
    assert events.describe_api_destination(Name="dest")["ApiDestinationState"] == "INACTIVE"


def test_the_invocation_rate_limit_spaces_requests(events, route, api):
    route(destination(events, api, "/limited", rate=2))
    put(events, count=6)
    arrived = api.wait_for("/limited", 6)
    assert sorted(json.loads(r["body"])["detail"]["n"] for r in arrived) == list(range(6))
    # a bucket of 2 a second, starting full: the last 4 requests need at least 2 seconds
    assert arrived[-1]["at"] - arrived[0]["at"] >= 1.9


def test_an_endpoint_that_refuses_connections_is_a_retryable_connection_failure(events, route, sqs):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there any more
    connection = events.create_connection(Name="down", AuthorizationType="API_KEY",
                                          AuthParameters=API_KEY)["ConnectionArn"]
    arn = events.create_api_destination(Name="down", ConnectionArn=connection, HttpMethod="POST",
                                        InvocationEndpoint=f"http://127.0.0.1:{port}/hook")["ApiDestinationArn"]
    dlq_url, dlq_arn = dead_letter_queue(sqs)
    route(arn, DeadLetterConfig={"Arn": dlq_arn}, RetryPolicy={"MaximumRetryAttempts": 0})
    put(events)
    [dead] = drain(sqs, dlq_url, expect=1, timeout=10)
    attributes = {name: value["StringValue"] for name, value in dead["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "CONNECTION_FAILURE"
    assert f"127.0.0.1:{port}" in attributes["ERROR_MESSAGE"]
