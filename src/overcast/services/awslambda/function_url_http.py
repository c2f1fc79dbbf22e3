"""A function URL's HTTP side: AWS's payload format 2.0 request event built from an HTTP
request, the function's answer turned back into an HTTP response, and the URL's CORS
headers ("Invoking Lambda function URLs", "Request payload format" / "Response payload
format" in the Lambda developer guide).

The function's answer: a JSON object with ``statusCode`` is taken apart (``headers``,
``cookies``, ``body``, ``isBase64Encoded``); anything else is the body of a 200 answer with
``content-type: application/json``.
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
from urllib.parse import parse_qsl

# content types whose body reaches the function as text; any other arrives base64-encoded
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "application/yaml",
               "application/x-www-form-urlencoded", "application/ld+json", "application/graphql")


def _is_text(content_type: str) -> bool:
    lowered = content_type.lower()
    return any(lowered.startswith(kind) for kind in _TEXT_TYPES) or "+json" in lowered or "+xml" in lowered


def trace_root(now: float) -> str:
    """A new X-Ray trace id (``1-<epoch hex>-<24 hex>``)."""
    return f"1-{int(now):08x}-{secrets.token_hex(12)}"


def request_event(*, url_id: str, region: str, account: str | None, method: str, path: str, query: str,
                  headers: dict[str, str], body: bytes, source_ip: str, request_id: str, now: float,
                  authorizer: dict | None = None) -> dict:
    """The payload format 2.0 event of one request (``account`` None: an AuthType NONE URL,
    whose events name the caller's account ``anonymous``)."""
    headers = {name.lower(): value for name, value in headers.items()}
    cookie_header = headers.pop("cookie", None)
    # what AWS's front end adds on its way to the function
    host = headers.get("host", "")
    headers.setdefault("x-forwarded-for", source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-forwarded-port", host.rsplit(":", 1)[1] if ":" in host else "80")
    headers.setdefault("x-amzn-trace-id", f"Root={trace_root(now)}")
    domain = f"{url_id}.lambda-url.{region}.on.aws"
    moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    event: dict = {"version": "2.0", "routeKey": "$default", "rawPath": path or "/", "rawQueryString": query}
    if cookie_header:
        event["cookies"] = [c.strip() for c in cookie_header.split(";") if c.strip()]
    event["headers"] = headers
    if query:
        params: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        event["queryStringParameters"] = params
    context = {"accountId": account or "anonymous", "apiId": url_id}
    if authorizer is not None:
        context["authorizer"] = authorizer
    context.update({
        "domainName": domain, "domainPrefix": url_id,
        "http": {"method": method, "path": path or "/", "protocol": "HTTP/1.1", "sourceIp": source_ip,
                 "userAgent": headers.get("user-agent", "")},
        "requestId": request_id, "routeKey": "$default", "stage": "$default",
        "time": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"), "timeEpoch": int(now * 1000)})
    event["requestContext"] = context
    if body:
        if _is_text(headers.get("content-type", "")):
            try:
                event["body"] = body.decode("utf-8")
                event["isBase64Encoded"] = False
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(body).decode("ascii")
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


def http_response(payload: bytes) -> tuple[int, dict[str, str], bytes, list[str]]:
    """(status, headers, body, Set-Cookie values) of the function's answer."""
    try:
        answer = json.loads(payload) if payload else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or "statusCode" not in answer:
        return 200, {"content-type": "application/json"}, payload, []
    try:
        status = int(answer.get("statusCode"))
    except (TypeError, ValueError):
        return 502, {"content-type": "application/json"}, b'{"Message":"Internal Server Error"}', []
    headers = {str(k).lower(): str(v) for k, v in (answer.get("headers") or {}).items()}
    body = answer.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        data = json.dumps(body).encode("utf-8")
    elif answer.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body)
        except ValueError:
            return 502, {"content-type": "application/json"}, b'{"Message":"Internal Server Error"}', []
    else:
        data = body.encode("utf-8")
    headers.setdefault("content-type", "application/json")
    cookies = [str(c) for c in answer.get("cookies") or ()]
    return status, headers, data, cookies


def cors_headers(cors: dict | None, headers: dict[str, str], preflight: bool) -> dict[str, str]:
    """The CORS headers a URL's Cors configuration adds for a request's Origin (none when the
    origin is not allowed)."""
    origin = headers.get("origin")
    if not cors or not origin:
        return {}
    origins = cors.get("AllowOrigins") or []
    if "*" not in origins and origin not in origins:
        return {}
    out = {"access-control-allow-origin": "*" if "*" in origins and not cors.get("AllowCredentials") else origin}
    if cors.get("AllowCredentials"):
        out["access-control-allow-credentials"] = "true"
    if cors.get("ExposeHeaders"):
        out["access-control-expose-headers"] = ",".join(cors["ExposeHeaders"])
    if preflight:
        if cors.get("AllowMethods"):
            out["access-control-allow-methods"] = ",".join(cors["AllowMethods"])
        if cors.get("AllowHeaders"):
            out["access-control-allow-headers"] = ",".join(cors["AllowHeaders"])
        if cors.get("MaxAge") is not None:
            out["access-control-max-age"] = str(cors["MaxAge"])
    out["vary"] = "Origin"
    return out
