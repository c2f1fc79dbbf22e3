"""Requests to Lambda function URLs: the Host form (``<url-id>.lambda-url.<region>.<any
suffix>``) and the path form (``/_overcast/lambda-url/<url-id>/<path>``) go to the Lambda
provider's ``serve_function_url`` instead of the API, with the caller's SigV4 identity when
the request is signed (what an AWS_IAM URL requires)."""

from __future__ import annotations

import logging
import re

from overcast.errors import AwsError
from overcast.protocols.base import HttpRequest

log = logging.getLogger("overcast.lambda.urls")

LAMBDA_URL_PATH = "/_overcast/lambda-url/"
_HOST = re.compile(r"^(?P<id>[a-z0-9]{32})\.lambda-url\.(?P<region>[a-z0-9-]+)\.")
_MAX_BODY = 6 * 1024 * 1024 + 1  # a synchronous invocation's payload; the provider refuses more


def is_function_url(host: str, path: str) -> bool:
    """The cheap test the gateway makes on every request (one substring test)."""
    return ".lambda-url." in host or path.startswith(LAMBDA_URL_PATH)


def url_target(host: str, path: str) -> tuple[str, str] | None:
    """(url id, path within the URL) of a request to a function URL, None for any other."""
    if path.startswith(LAMBDA_URL_PATH):
        url_id, slash, rest = path[len(LAMBDA_URL_PATH):].partition("/")
        return url_id, slash + rest or "/"  # no such id (an empty one too): the URL's own 404
    found = _HOST.match(host.lower())
    return (found["id"], path or "/") if found else None


async def serve_function_url(gateway, method: str, path: str, query: str, headers: dict[str, str], scope,
                             body) -> tuple[int, dict, bytes] | None:
    """(status, headers, body) of a function URL request, None when the request names none."""
    target = url_target(headers.get("host", ""), path)
    if target is None:
        return None
    try:
        return await _serve(gateway, target, method, path, query, headers, scope, body)
    except Exception:  # noqa: BLE001 - an Overcast bug: logged, answered as the URL's front end would
        log.exception("function URL request failed")
        return 500, {"content-type": "application/json"}, b'{"Message":"Internal Server Error"}'


async def _serve(gateway, target, method, path, query, headers, scope, body):
    client = scope.get("client")
    try:
        data = await body.read(_MAX_BODY, headers.get("content-length"))
    except AwsError:
        return 413, {"content-type": "application/json"}, b'{"Message":"Request Entity Too Large"}'
    caller = credential = None
    try:
        info = gateway.auth.inspect(method, query, headers)
    except AwsError:
        info = None
    if info is not None:
        from overcast.context import RequestContext

        request = HttpRequest(method, path, query, headers)
        request.body = data
        ctx = RequestContext(account="", region=gateway.settings.region, service="lambda",
                             registry=gateway.cloud.services)
        try:
            identity = gateway.auth.authenticate(info, request, ctx)
        except AwsError:
            return 403, {"content-type": "application/json"}, b'{"Message":"Forbidden"}'
        caller = {"accessKey": identity.access_key, "accountId": identity.account, "callerId": identity.user_id,
                  "cognitoIdentity": None, "principalOrgId": None, "userArn": identity.principal_arn,
                  "userId": identity.user_id}
        credential = identity.credential
    provider = await gateway.cloud.services.started("lambda")
    return await provider.serve_function_url(target[0], target[1], method=method, query=query, headers=headers,
                                             body=data, source_ip=client[0] if client else "", caller=caller,
                                             credential=credential)


def asgi_headers(headers: dict) -> list[tuple[bytes, bytes]]:
    """ASGI headers; a list value (Set-Cookie) is one header per item."""
    out = []
    for name, value in headers.items():
        for item in (value if isinstance(value, list) else [value]):
            out.append((name.encode("latin-1"), str(item).encode("latin-1")))
    return out
