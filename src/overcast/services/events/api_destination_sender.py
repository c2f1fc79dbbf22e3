"""Delivery to an API destination (sender kind ``api-destination``): one real HTTP request per
event, as the EventBridge user guide ("API destinations as targets") describes it.

The request: the destination's method and endpoint, each ``*`` of the endpoint replaced by the
target's ``HttpParameters.PathParameterValues`` in order; the target's header and query string
parameters, then the connection's ``InvocationHttpParameters`` ("in case of any conflicting
keys, values from the connection take precedence"), values sent as written. The connection's authorization: ``API_KEY`` its key
header, ``BASIC`` HTTP basic authentication, ``OAUTH_CLIENT_CREDENTIALS`` ``Authorization:
Bearer`` with its token (renewed ahead of expiry and on a 401 or 407, ``connection_oauth.py``).
The headers EventBridge adds to every request (User-Agent, Content-Type, Range,
Accept-Encoding; Connection, Content-Length and Host come with the request itself). The body is
the target's rendered input; the connection's body parameters are added to it when it is a
JSON object.

Answers: 2xx delivered. 401, 407, 409, 429 and 5xx are retried (user guide, "API destination
error codes"), as are timeouts (5 seconds, the documented client execution timeout) and
failed connections; other statuses are not. A ``Retry-After`` below zero stops the retries. A
BASIC or API_KEY connection answered 401 or 407 is deauthorized; an OAuth one gets a new
token for the retry.

Strict mode: the target's role must be allowed ``events:InvokeApiDestination``
(``api_destination_role.py``).

Rate: at most ``InvocationRateLimitPerSecond`` requests a second to one destination (a token
bucket on the machine's clock); a delivery over the rate waits for its turn, as EventBridge
holds back the events it cannot send yet.
"""

from __future__ import annotations

import asyncio
import base64
import json
from urllib.parse import quote

from overcast.runtime import http_client
from overcast.runtime.token_bucket import TokenBucket
from overcast.services.events import api_destination_role, connection_oauth

TIMEOUT = 5.0  # "a maximum client execution timeout of 5 seconds"
FIXED_HEADERS = [("User-Agent", "Amazon/EventBridge/ApiDestinations"),
                 ("Content-Type", "application/json; charset=utf-8"),
                 ("Range", "bytes=0-1048575"), ("Accept-Encoding", "gzip,deflate")]
# headers EventBridge sets itself, which no parameter replaces
_OWN_HEADERS = {"user-agent", "range", "accept-encoding", "connection", "content-length", "host"}
_RETRIED = {401, 407, 409, 429}

# destination ARN -> its token bucket (rebuilt when the destination's rate changes)
_buckets: dict[str, TokenBucket] = {}


class Refused(Exception):
    """The delivery failed: ``code`` and ``message`` for the dead-letter queue, ``retryable``."""

    def __init__(self, code: str, message: str, retryable: bool):
        super().__init__(message)
        self.code, self.message, self.retryable = code, message, retryable


def _merged(target_items: dict, connection_items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Target parameters then the connection's, the connection's winning a key both name
    (header names compared case-insensitively)."""
    merged = {key.lower(): (key, value) for key, value in target_items.items()}
    for key, value in connection_items:
        merged[key.lower()] = (key, value)
    return list(merged.values())


def _url(endpoint: str, path_values: list[str], query: list[tuple[str, str]]) -> str:
    if endpoint.count("*") != len(path_values):
        raise Refused("INVALID_PARAMETER", f"The API destination endpoint {endpoint} has {endpoint.count('*')} path "
                      f"parameters; the target gives {len(path_values)} PathParameterValues.", False)
    parts = endpoint.split("*")
    url = parts[0] + "".join(quote(value, safe="") + rest for value, rest in zip(path_values, parts[1:]))
    return connection_oauth.with_query(url, query)


def _body(input_text: str, body_params: list[tuple[str, str]]) -> bytes:
    if body_params:
        try:
            document = json.loads(input_text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            document.update(body_params)
            input_text = json.dumps(document, separators=(",", ":"))
    return input_text.encode("utf-8")


async def _authorization(provider, connection, renew: bool = False) -> list[tuple[str, str]]:
    auth = connection.auth
    if connection.authorization_type == "API_KEY" and auth.get("ApiKeyAuthParameters"):
        key = auth["ApiKeyAuthParameters"]
        return [(key["ApiKeyName"], key["ApiKeyValue"])]
    if connection.authorization_type == "BASIC" and auth.get("BasicAuthParameters"):
        basic = auth["BasicAuthParameters"]
        pair = base64.b64encode(f"{basic['Username']}:{basic['Password']}".encode("utf-8")).decode("ascii")
        return [("Authorization", f"Basic {pair}")]
    if connection.authorization_type == "OAUTH_CLIENT_CREDENTIALS":
        try:
            token = await provider.connection_token(connection, renew=renew)
        except connection_oauth.TokenRefused as refused:
            raise Refused("NO_PERMISSIONS", f"The connection {connection.name} could not be authorized: {refused}",
                          False) from None
        return [("Authorization", f"Bearer {token}")]
    return []


async def _take_turn(destination) -> None:
    bucket = _buckets.get(destination.arn)
    if bucket is None or bucket.rate != destination.rate_limit:
        bucket = _buckets[destination.arn] = TokenBucket(destination.rate_limit, destination.rate_limit)
    while not bucket.take():
        await asyncio.sleep(max(0.001, (1.0 - bucket.tokens) / bucket.rate))


def build_request(destination, connection, target: dict, input_text: str,
                  authorization: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]], bytes]:
    """(URL, headers, body) of the request delivering ``input_text`` to ``destination``."""
    http = target.get("HttpParameters") or {}
    invocation = connection.auth.get("InvocationHttpParameters") or {}
    target_headers = {key: value for key, value in (http.get("HeaderParameters") or {}).items()
                      if key.lower() not in _OWN_HEADERS}
    connection_headers = [(key, value) for key, value in connection_oauth.pairs(invocation, "HeaderParameters")
                          if key.lower() not in _OWN_HEADERS]
    parameters = _merged(target_headers, connection_headers)
    given = {key.lower() for key, _ in parameters}
    headers = [(key, value) for key, value in FIXED_HEADERS if key.lower() not in given] + parameters
    query = _merged(dict(http.get("QueryStringParameters") or {}),
                    connection_oauth.pairs(invocation, "QueryStringParameters"))
    path_values = list(http.get("PathParameterValues") or [])
    url = _url(destination.endpoint, path_values, query)
    headers += authorization
    return url, headers, _body(input_text, connection_oauth.pairs(invocation, "BodyParameters"))


async def send(provider, *, target: dict, input_text: str) -> None:
    """Delivers one event (its rendered input) to the API destination ``target["Arn"]`` names;
    raises Refused."""
    destination = provider.api_destination_by_arn(target["Arn"])
    if destination is None:
        raise Refused("NO_RESOURCE", f"The API destination {target['Arn']} does not exist.", False)
    connection = provider.connection_by_arn(destination.connection_arn)
    if connection is None:
        raise Refused("NO_RESOURCE", f"The connection {destination.connection_arn} of the API destination "
                      f"{destination.name} does not exist.", False)
    refusal = api_destination_role.role_refusal(provider, target.get("RoleArn"), destination.arn)
    if refusal is not None:
        raise Refused("NO_PERMISSIONS", refusal, False)
    if connection.state == "DEAUTHORIZED":
        raise Refused("NO_PERMISSIONS", f"The connection {connection.name} is deauthorized"
                      + (f": {connection.state_reason}" if connection.state_reason else "."), False)
    await _take_turn(destination)
    url, headers, body = build_request(destination, connection, target, input_text,
                                       await _authorization(provider, connection))
    try:
        answer = await http_client.request(destination.http_method, url, headers, body, timeout=TIMEOUT,
                                           url_credentials=False)
    except http_client.EndpointError as exc:
        raise Refused("TIMEOUT" if exc.timed_out else "CONNECTION_FAILURE",
                      f"Unable to invoke the API destination endpoint {destination.endpoint}: {exc}", True) from None
    status = answer.status
    if 200 <= status < 300:
        return
    message = f"The API destination endpoint {destination.endpoint} answered HTTP {status}."
    if status in (401, 407):
        if connection.authorization_type == "OAUTH_CLIENT_CREDENTIALS":
            await _authorization(provider, connection, renew=True)  # the retry carries the new token
        else:
            provider.set_connection_deauthorized(connection, message)
            raise Refused("NO_PERMISSIONS", message, False)
    retryable = status in _RETRIED or status >= 500
    retry_after = answer.header("retry-after")
    if retry_after is not None and retry_after.lstrip().startswith("-"):
        retryable = False  # "If Retry-After value is negative, EventBridge stops retrying"
    raise Refused("THROTTLING" if status == 429 else "SDK_CLIENT_ERROR", message, retryable)
