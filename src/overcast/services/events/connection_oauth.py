"""The OAuth client-credentials exchange of an ``OAUTH_CLIENT_CREDENTIALS`` connection: one
real HTTP request to its ``AuthorizationEndpoint`` with its ``HttpMethod``.

The request is the client-credentials grant of RFC 6749 (section 4.4), which the endpoints
EventBridge documents (Amazon Cognito, Auth0, Okta...) answer: the client ID and secret as
HTTP basic authentication (section 2.3.1), the connection's ``OAuthHttpParameters`` as headers,
query string parameters and form-encoded body parameters (in the query string for a GET), and
``grant_type=client_credentials`` unless the body parameters name a grant type themselves. The
answer's JSON ``access_token`` is the token and ``expires_in`` its lifetime in seconds.

EventBridge refreshes the token when an invocation is answered 401 or 407, and ahead of an
invocation when the token expires within 60 seconds (user guide, "Authorization methods for
connections").
"""

from __future__ import annotations

import base64
import ipaddress
import json
from urllib.parse import urlencode, urlsplit

from overcast.runtime import http_client

REFRESH_BEFORE = 60.0  # seconds before its expiry a token is renewed ahead of an invocation
TIMEOUT = 5.0  # the same limit as an invocation (API destinations' 5 second client timeout)
MAX_ANSWER = 1024 * 1024


class TokenRefused(Exception):
    """No token: the endpoint could not be reached, refused, or answered without one. ``str``
    is the connection's StateReason."""


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint EventBridge calls, or None. EventBridge calls HTTPS
    endpoints; Overcast also calls HTTP ones on a loopback address (localhost, 127.0.0.0/8),
    as a local cloud must reach the developer's own server, which has no certificate."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        return "not a URL"
    scheme = parts.scheme.lower()
    if not host or scheme not in ("https", "http"):
        return "not an HTTPS URL"
    if scheme == "http" and not _is_loopback(host):
        return "HTTP on a host that is not a loopback address"
    return None


def pairs(params: dict | None, member: str) -> list[tuple[str, str]]:
    """(key, value) of one list of ConnectionHttpParameters (HeaderParameters...)."""
    return [(item["Key"], item.get("Value", "")) for item in (params or {}).get(member) or []]


def with_query(url: str, query: list[tuple[str, str]]) -> str:
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(query)


async def fetch_token(auth: dict) -> tuple[str, float | None]:
    """(access token, lifetime in seconds or None) from the connection's authorization endpoint."""
    oauth = auth.get("OAuthParameters")
    if not oauth:
        raise TokenRefused("The connection has no OAuth authorization parameters.")
    client = oauth["ClientParameters"]
    http = oauth.get("OAuthHttpParameters") or {}
    credentials = base64.b64encode(f"{client['ClientID']}:{client['ClientSecret']}".encode("utf-8")).decode("ascii")
    headers = pairs(http, "HeaderParameters") + [("Authorization", f"Basic {credentials}"),
                                                 ("Accept", "application/json")]
    form = pairs(http, "BodyParameters")
    if not any(key == "grant_type" for key, _ in form):
        form.append(("grant_type", "client_credentials"))
    query = pairs(http, "QueryStringParameters")
    method = oauth["HttpMethod"]
    body = b""
    if method == "GET":
        query += form
    else:
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        body = urlencode(form).encode("utf-8")
    endpoint = oauth["AuthorizationEndpoint"]
    try:
        answer = await http_client.request(method, with_query(endpoint, query), headers, body, timeout=TIMEOUT,
                                           url_credentials=False, max_body=MAX_ANSWER)
    except http_client.EndpointError as exc:
        raise TokenRefused(f"Failed to connect to the authorization endpoint {endpoint}: {exc}") from None
    if not 200 <= answer.status < 300:
        raise TokenRefused(f"The authorization endpoint {endpoint} answered HTTP {answer.status}.")
    try:
        document = json.loads(answer.body)
        token = document["access_token"]
        if not isinstance(token, str) or not token:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise TokenRefused(f"The authorization endpoint {endpoint} answered without an access_token.") from None
    expires_in = document.get("expires_in")
    try:
        lifetime = float(expires_in) if expires_in is not None else None
    except (TypeError, ValueError):
        lifetime = None
    return token, lifetime
