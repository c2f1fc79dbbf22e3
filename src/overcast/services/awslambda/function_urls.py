"""Function URLs (esm): Create/Get/Update/Delete/ListFunctionUrlConfigs, and the URLs
themselves, served on Overcast's own port.

A URL is ``http://<url-id>.lambda-url.<region>.localhost:<port>/`` (AWS's is
``https://<url-id>.lambda-url.<region>.on.aws/``): the gateway sends any request whose Host
has ``<url-id>.lambda-url.`` in front (``.on.aws``, ``.localhost``, an IP with that Host
header...) here, and also the path form ``/_overcast/lambda-url/<url-id>/<path>`` for
clients that cannot set a Host (``gateway/function_urls.py``, then ``serve_function_url``).
Requests and answers use AWS's payload format 2.0 (``function_url_http.py``).

An AWS_IAM URL requires a SigV4-signed request, whose caller is handed to the function. In
strict mode the signature is verified and the call authorized as AWS does
(``function_url_access.py``: the function's policy for NONE, the caller's policies for
AWS_IAM); open mode serves every caller. InvokeMode RESPONSE_STREAM is kept and answered, but
the answer is sent whole (buffered), as there is no response streaming yet.
"""

from __future__ import annotations

import json
import secrets
import string
import time
import uuid

from overcast.services.awslambda.errors import ResourceConflictException, ResourceNotFoundException
from overcast.services.awslambda.function_refs import function_ref
from overcast.services.awslambda.function_url_access import url_call_allowed
from overcast.services.awslambda.function_url_http import cors_headers, http_response, request_event
from overcast.services.awslambda.validation import check_input
from overcast.storage.scope import Scope

_ALPHABET = string.ascii_lowercase + string.digits
_COLUMNS = "url_id, account, region, function_name, function_arn, qualifier, config, created, modified"
_NOT_FOUND = "The resource you requested does not exist."
_MAX_BODY = 6 * 1024 * 1024  # a synchronous invocation's request payload
_DEFAULT_LIST_ITEMS = 50


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1_000_000):06d}Z"


class FunctionUrlOperations:
    async def start(self) -> None:
        await super().start()
        self.add_function_listener(self._urls_on_function_change)

    def _urls_on_function_change(self, scope: Scope, name: str, change: str) -> None:
        """A deleted function takes its URLs with it, as on AWS (deleting one version leaves them)."""
        if change != "delete":
            return
        if self.db.query_one("SELECT 1 FROM functions WHERE account = ? AND region = ? AND name = ?",
                             (scope.account, scope.region, name)) is None:
            with self.db.transaction():
                self.db.execute("DELETE FROM function_urls WHERE account = ? AND region = ? AND function_name = ?",
                                (scope.account, scope.region, name))

    # ------------------------------------------------------------------ configuration
    def create_function_url_config(self, ctx, params: dict) -> dict:
        check_input("CreateFunctionUrlConfig", params)
        scope = Scope.of(ctx)
        ref = function_ref(self, scope, params.get("FunctionName") or "", params.get("Qualifier"))
        if ref.qualifier:  # an alias must exist
            self.resolve_function(scope, ref.arn, ref.qualifier)
        if self._urls_row(scope, ref.name, ref.qualifier or "") is not None:
            raise ResourceConflictException(
                f"Failed to create function url config for [functionArn = {ref.qualified_arn()}]. Error message:  "
                "FunctionUrlConfig exists for this Lambda function")
        config = {"AuthType": params["AuthType"], "InvokeMode": params.get("InvokeMode") or "BUFFERED"}
        if params.get("Cors"):
            config["Cors"] = params["Cors"]
        url_id = "".join(secrets.choice(_ALPHABET) for _ in range(32))
        now = self.clock.now()
        with self.db.transaction():
            self.db.execute(f"INSERT INTO function_urls ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (url_id, scope.account, scope.region, ref.name, ref.qualified_arn(),
                             ref.qualifier or "", json.dumps(config), now, now))
        answer = self._urls_answer(ctx, self._urls_row(scope, ref.name, ref.qualifier or ""))
        answer.pop("LastModifiedTime")
        return answer

    def get_function_url_config(self, ctx, params: dict) -> dict:
        check_input("GetFunctionUrlConfig", params)
        return self._urls_answer(ctx, self._urls_existing(ctx, params))

    def update_function_url_config(self, ctx, params: dict) -> dict:
        check_input("UpdateFunctionUrlConfig", params)
        row = self._urls_existing(ctx, params)
        config = row["config"]
        if params.get("AuthType"):
            config["AuthType"] = params["AuthType"]
        if params.get("InvokeMode"):
            config["InvokeMode"] = params["InvokeMode"]
        if params.get("Cors") is not None:
            if params["Cors"]:
                config["Cors"] = params["Cors"]
            else:  # an empty Cors removes the configuration
                config.pop("Cors", None)
        with self.db.transaction():
            self.db.execute("UPDATE function_urls SET config = ?, modified = ? WHERE url_id = ?",
                            (json.dumps(config), self.clock.now(), row["url_id"]))
        return self._urls_answer(ctx, self._urls_by_id(row["url_id"]))

    def delete_function_url_config(self, ctx, params: dict) -> dict:
        check_input("DeleteFunctionUrlConfig", params)
        row = self._urls_existing(ctx, params)
        with self.db.transaction():
            self.db.execute("DELETE FROM function_urls WHERE url_id = ?", (row["url_id"],))
        return {}

    def list_function_url_configs(self, ctx, params: dict) -> dict:
        check_input("ListFunctionUrlConfigs", params)
        scope = Scope.of(ctx)
        ref = function_ref(self, scope, params.get("FunctionName") or "")
        limit = params.get("MaxItems") or _DEFAULT_LIST_ITEMS
        rows = [_as_dict(r) for r in self.db.query(
            f"SELECT {_COLUMNS} FROM function_urls WHERE account = ? AND region = ? AND function_name = ? "
            "AND url_id > ? ORDER BY url_id LIMIT ?",
            (scope.account, scope.region, ref.name, params.get("Marker") or "", limit + 1))]
        answer: dict = {"FunctionUrlConfigs": [self._urls_answer(ctx, row) for row in rows[:limit]]}
        if len(rows) > limit:
            answer["NextMarker"] = rows[limit - 1]["url_id"]
        return answer

    # ------------------------------------------------------------------ the URLs
    async def serve_function_url(self, url_id: str, path: str, *, method: str, query: str, headers: dict[str, str],
                                 body: bytes, source_ip: str, caller: dict | None = None,
                                 credential=None) -> tuple[int, dict, bytes]:
        """Answer one HTTP request to a function URL: (status, headers, body). ``caller`` is
        the signed caller of an AWS_IAM URL (accountId, userArn...), None when unsigned;
        ``credential`` its resolved key, which strict mode authorizes (``function_url_access.py``)."""
        row = self._urls_by_id(url_id)
        request_id = str(uuid.uuid4())
        base = {"x-amzn-requestid": request_id}
        if row is None:
            return 404, {**base, "content-type": "application/json"}, b'{"Message":null}'
        config = row["config"]
        if (config["AuthType"] == "AWS_IAM" and caller is None) or \
                not url_call_allowed(self, row["function_arn"], config["AuthType"], credential):
            return 403, {**base, "content-type": "application/json"}, b'{"Message":"Forbidden"}'
        if len(body) > _MAX_BODY:
            return 413, {**base, "content-type": "application/json"}, b'{"Message":"Request Entity Too Large"}'
        cors = config.get("Cors")
        if cors and method == "OPTIONS" and "access-control-request-method" in {k.lower() for k in headers}:
            return 200, {**base, **cors_headers(cors, _lower(headers), preflight=True)}, b""
        scope = Scope(row["account"], row["region"])
        event = request_event(url_id=url_id, region=row["region"], account=caller.get("accountId") if caller else None,
                              method=method, path=path, query=query, headers=headers, body=body,
                              source_ip=source_ip, request_id=request_id, now=self.clock.now(),
                              authorizer={"iam": caller} if caller else None)
        try:
            fv = self.resolve_function(scope, row["function_arn"])
            result = await self.invoke_sync(scope, fv, json.dumps(event).encode("utf-8"),
                                            trace_id=event["headers"].get("x-amzn-trace-id"))
        except Exception as exc:  # noqa: BLE001 - the URL answers as AWS's front end does
            code = getattr(exc, "code", "")
            if code == "TooManyRequestsException":
                return 429, {**base, "content-type": "application/json"}, b'{"Message":"Too Many Requests"}'
            if code == "ResourceNotFoundException":
                return 404, {**base, "content-type": "application/json"}, b'{"Message":null}'
            raise
        extra = cors_headers(cors, _lower(headers), preflight=False)
        if result.function_error:
            return 502, {**base, **extra, "content-type": "application/json"}, b'{"Message":"Internal Server Error"}'
        status, out_headers, data, cookies = http_response(result.payload)
        out = {**base, **out_headers, **extra}
        if cookies:
            out["set-cookie"] = cookies  # the gateway sends one header per value
        return status, out, data

    # ------------------------------------------------------------------ helpers
    def _urls_row(self, scope: Scope, name: str, qualifier: str) -> dict | None:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM function_urls WHERE account = ? AND region = ? AND "
                                "function_name = ? AND qualifier = ?", (scope.account, scope.region, name, qualifier))
        return _as_dict(row) if row else None

    def _urls_by_id(self, url_id: str) -> dict | None:
        row = self.db.query_one(f"SELECT {_COLUMNS} FROM function_urls WHERE url_id = ?", (url_id,))
        return _as_dict(row) if row else None

    def _urls_existing(self, ctx, params: dict) -> dict:
        scope = Scope.of(ctx)
        ref = function_ref(self, scope, params.get("FunctionName") or "", params.get("Qualifier"))
        row = self._urls_row(scope, ref.name, ref.qualifier or "")
        if row is None:
            raise ResourceNotFoundException(_NOT_FOUND)
        return row

    def _urls_answer(self, ctx, row: dict) -> dict:
        host = ctx.host or ""
        port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
        authority = f"{row['url_id']}.lambda-url.{row['region']}.localhost" + (f":{port}" if port else "")
        config = row["config"]
        answer = {"FunctionUrl": f"http://{authority}/", "FunctionArn": row["function_arn"],
                  "AuthType": config["AuthType"]}
        if "Cors" in config:
            answer["Cors"] = config["Cors"]
        answer.update({"CreationTime": _iso(row["created"]), "LastModifiedTime": _iso(row["modified"]),
                       "InvokeMode": config["InvokeMode"]})
        return answer


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _as_dict(row) -> dict:
    url_id, account, region, name, function_arn, qualifier, config, created, modified = row
    return {"url_id": url_id, "account": account, "region": region, "function_name": name,
            "function_arn": function_arn, "qualifier": qualifier, "config": json.loads(config),
            "created": created, "modified": modified}
