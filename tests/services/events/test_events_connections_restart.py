"""Connections (their secrets and OAuth tokens) and API destinations survive a kill -9: after
the restart they are answered as before and an event still reaches the endpoint with the
stored key; an OAuth connection whose authorization was cut short resumes it."""

from __future__ import annotations

import json
import time

from apidest_http_server import TOKEN_PATH, ApiServer
from aws_clients import STRICT, make_client
from serverproc import ServerProcess

TRUST_EVENTS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
INVOKE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "events:InvokeApiDestination", "Resource": "*"}]}


def described(events, **names) -> tuple[dict, dict]:
    connection = events.describe_connection(Name=names["connection"])
    destination = events.describe_api_destination(Name=names["destination"])
    return ({k: v for k, v in connection.items() if k != "ResponseMetadata"},
            {k: v for k, v in destination.items() if k != "ResponseMetadata"})


def test_connections_and_destinations_survive_kill_9(tmp_path):
    api = ApiServer()
    extra = ("--strict",) if STRICT else ()
    server = ServerProcess(str(tmp_path / "data"), *extra).start()
    try:
        events, iam = make_client(server.endpoint, "events"), make_client(server.endpoint, "iam")
        role = iam.create_role(RoleName="invoke", AssumeRolePolicyDocument=json.dumps(TRUST_EVENTS))["Role"]["Arn"]
        iam.put_role_policy(RoleName="invoke", PolicyName="invoke", PolicyDocument=json.dumps(INVOKE))
        connection = events.create_connection(
            Name="keyed", AuthorizationType="API_KEY",
            AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "kept"}})
        arn = events.create_api_destination(Name="hook", ConnectionArn=connection["ConnectionArn"], HttpMethod="PUT",
                                            InvocationEndpoint=api.url("/hook"),
                                            InvocationRateLimitPerSecond=7)["ApiDestinationArn"]
        events.put_rule(Name="to-hook", EventPattern=json.dumps({"source": ["shop"]}))
        events.put_targets(Rule="to-hook", Targets=[{"Id": "hook", "Arn": arn, "RoleArn": role}])
        api.delays[TOKEN_PATH] = 3  # the OAuth authorization is still waiting at the kill
        events.create_connection(
            Name="oauth", AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
            AuthParameters={"OAuthParameters": {
                "ClientParameters": {"ClientID": api.client_id, "ClientSecret": api.client_secret},
                "AuthorizationEndpoint": api.url(TOKEN_PATH), "HttpMethod": "POST"}})
        before = described(events, connection="keyed", destination="hook")
        api.wait_for(TOKEN_PATH)
        server.kill()
        api.delays.clear()

        server.start()
        events = make_client(server.endpoint, "events")
        assert described(events, connection="keyed", destination="hook") == before
        events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": "{}"}])
        [request] = api.wait_for("/hook")
        assert request["method"] == "PUT" and request["headers"]["x-api-key"] == "kept"
        assert events.describe_connection(Name="oauth")["ConnectionState"] == "AUTHORIZING"  # resumed by this look
        deadline = time.monotonic() + 10
        while events.describe_connection(Name="oauth")["ConnectionState"] == "AUTHORIZING":
            assert time.monotonic() < deadline, "the authorization did not resume"
            time.sleep(0.05)
        assert events.describe_connection(Name="oauth")["ConnectionState"] == "AUTHORIZED"
        assert len(api.requests_to(TOKEN_PATH)) == 2
    finally:
        server.stop()
        api.close()
