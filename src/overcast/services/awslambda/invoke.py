"""Invoke RequestResponse and DryRun, and ``invoke_sync``: running a function version in a
warm or new execution environment (``execution_environment.py``), with its timeout, its
concurrency, and its log in ``/aws/lambda/<name>``.

``invoke_sync`` is what every synchronous path calls (Invoke, the async queue, event source
mappings); InvocationType Event is handed to the async concern (``invoke_event``).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
import secrets
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from overcast.errors import AwsError
from overcast.services.awslambda import function_logs, launchers
from overcast.services.awslambda.environment_pool import EnvironmentPool
from overcast.services.awslambda.errors import InvalidParameterValueException
from overcast.services.awslambda.execution_environment import ExecutionEnvironment, InvokeOutcome
from overcast.services.awslambda.function_environment import environment_variables, log_group
from overcast.services.awslambda.models import FunctionVersion
from overcast.services.awslambda.request_payloads import read_streamed
from overcast.services.awslambda.runtime_api import Invocation
from overcast.storage.scope import Scope

# "6 MB each for request and response (synchronous)" (Lambda quotas); the response limit is
# the documented 6,291,556 bytes
MAX_REQUEST_PAYLOAD = 6_291_456
MAX_RESPONSE_PAYLOAD = 6_291_556
# the account's default concurrency quota
ACCOUNT_CONCURRENCY = 1000
# X-Amz-Client-Context: "Up to 3,583 bytes of base64-encoded data"
MAX_CLIENT_CONTEXT = 3583
ROLE_SESSION_SECONDS = 3600
_INVOCATION_TYPES = ("Event", "RequestResponse", "DryRun")
_LOG_TYPES = ("None", "Tail")
_STREAM_INVOCATION_TYPES = ("RequestResponse", "DryRun")


@dataclass
class InvocationResult:
    payload: bytes
    function_error: str | None
    log_result: str | None
    executed_version: str
    status: int


def _enum_error(value: str, member: str, allowed: tuple[str, ...]) -> AwsError:
    return AwsError("ValidationException",
                    f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
                    f"Member must satisfy enum value set: [{', '.join(allowed)}]", 400)


def _check_json(payload: bytes) -> None:
    if not payload:
        return
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AwsError("InvalidRequestContentException", "Could not parse request body into json: Could not parse "
                       f"payload into json: {_json_problem(payload, exc)}", 400) from None


_BARE_TOKEN = re.compile(rb"\s*([A-Za-z0-9_$][A-Za-z0-9_$.+-]*)")


def _json_problem(payload: bytes, exc: Exception) -> str:
    """The reason in the words of Lambda's JSON parser for the common mistake (a bare word, as a
    base64 payload sent without --cli-binary-format is), Python's own otherwise."""
    bare = _BARE_TOKEN.match(payload)
    if bare and not re.fullmatch(rb"-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null", bare.group(1)):
        token = bare.group(1).decode("utf-8", "replace")
        source = payload[:500].decode("utf-8", "replace")
        return (f"Unrecognized token '{token}': was expecting ('true', 'false' or 'null')\n"
                f" at [Source: (byte[])\"{source}\"; line: 1, column: {bare.end(1) + 1}]")
    return str(exc)


def _client_context(value: str | None) -> str | None:
    """X-Amz-Client-Context (base64 JSON) as the runtime receives it: decoded."""
    if not value:
        return None
    if len(value) > MAX_CLIENT_CONTEXT:
        raise AwsError("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON "
                       "object.", 400)
    try:
        decoded = base64.b64decode(value, validate=True).decode()
        json.loads(decoded)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise AwsError("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON "
                       "object.", 400) from None
    return decoded


def _iso_now(now: float) -> str:
    return datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _function_trace_header(caller: str | None, now: float) -> str:
    """The ``_X_AMZN_TRACE_ID`` a function runs with: the caller's trace (Root and sampling
    kept) under a new Parent segment, or a new unsampled trace when the call carried none."""
    fields = {}
    for part in (caller or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key and value:
            fields[key] = value
    root = fields.get("Root") or f"1-{int(now):08x}-{secrets.token_hex(12)}"
    sampled = fields.get("Sampled", "0")
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled={sampled}"


def _timed(lines: list[str], start_ms: int, end_ms: int) -> list[tuple[int, str]]:
    """Timestamps for an invocation's log lines: START at the start, END and REPORT at the end,
    and strictly increasing throughout, since the log keeps events in timestamp order (the
    output was read after the fact; its lines fall between START and END)."""
    out, last = [], start_ms - 1
    for index, line in enumerate(lines):
        at_end = index >= len(lines) - 2
        last = max(last + 1, end_ms if at_end else start_ms)
        out.append((last, line))
    return out


class InvokeOperations:
    def __init__(self, cloud):
        super().__init__(cloud)
        self._invoke_pool = EnvironmentPool()
        self._invoke_running: dict[tuple, int] = defaultdict(int)  # (account, region, name) -> in flight
        self._invoke_listening = False

    # ------------------------------------------------------------------ the operation
    async def invoke(self, ctx, params: dict) -> dict:
        invocation_type = params.get("InvocationType") or "RequestResponse"
        if invocation_type not in _INVOCATION_TYPES:
            raise _enum_error(invocation_type, "invocationType", _INVOCATION_TYPES)
        log_type = params.get("LogType") or "None"
        if log_type not in _LOG_TYPES:
            raise _enum_error(log_type, "logType", _LOG_TYPES)
        scope = Scope.of(ctx)
        payload = await read_streamed(params.get("Payload"), MAX_REQUEST_PAYLOAD)
        fv = self.resolve_function(scope, params.get("FunctionName") or "", params.get("Qualifier"))
        if invocation_type == "Event":
            from overcast.services.awslambda.arns import split_function_name

            parts = split_function_name(params.get("FunctionName") or "")
            qualifier = params.get("Qualifier") or (parts[3] if parts else None)
            return self.invoke_event(ctx, fv, payload, qualifier=qualifier, trace_id=ctx.trace_id)
        if len(payload) > MAX_REQUEST_PAYLOAD:
            raise AwsError("RequestEntityTooLargeException",
                           f"Request must be smaller than {MAX_REQUEST_PAYLOAD} bytes for the InvokeFunction operation",
                           413)
        _check_json(payload)
        client_context = _client_context(params.get("ClientContext"))
        if invocation_type == "DryRun":
            return {"StatusCode": 204, "Payload": b""}
        result = await self.invoke_sync(scope, fv, payload, log_tail=log_type == "Tail",
                                        client_context=client_context, trace_id=ctx.trace_id)
        out = {"StatusCode": result.status, "Payload": result.payload, "ExecutedVersion": result.executed_version}
        if result.function_error:
            out["FunctionError"] = result.function_error
        if result.log_result is not None:
            out["LogResult"] = result.log_result
        return out

    async def invoke_with_response_stream(self, ctx, params: dict) -> dict:
        """InvokeWithResponseStream of a function that answers whole (Overcast's runtimes do
        not stream yet): its payload as one PayloadChunk, then InvokeComplete carrying the
        error, if any, and the log tail."""
        invocation_type = params.get("InvocationType") or "RequestResponse"
        if invocation_type not in _STREAM_INVOCATION_TYPES:
            raise _enum_error(invocation_type, "invocationType", _STREAM_INVOCATION_TYPES)
        log_type = params.get("LogType") or "None"
        if log_type not in _LOG_TYPES:
            raise _enum_error(log_type, "logType", _LOG_TYPES)
        scope = Scope.of(ctx)
        payload = await read_streamed(params.get("Payload"), MAX_REQUEST_PAYLOAD)
        fv = self.resolve_function(scope, params.get("FunctionName") or "", params.get("Qualifier"))
        if len(payload) > MAX_REQUEST_PAYLOAD:
            raise AwsError("RequestEntityTooLargeException", f"Request must be smaller than {MAX_REQUEST_PAYLOAD} "
                           "bytes for the InvokeFunction operation", 413)
        _check_json(payload)
        client_context = _client_context(params.get("ClientContext"))
        if invocation_type == "DryRun":
            return {"StatusCode": 204, "ExecutedVersion": fv.version, "EventStream": iter(())}
        result = await self.invoke_sync(scope, fv, payload, log_tail=log_type == "Tail",
                                        client_context=client_context, trace_id=ctx.trace_id)
        complete: dict = {}
        events = []
        if result.function_error:
            complete["ErrorCode"] = result.function_error
            complete["ErrorDetails"] = result.payload.decode("utf-8", "replace")
        else:
            events.append({"PayloadChunk": {"Payload": result.payload}})
        if result.log_result is not None:
            complete["LogResult"] = result.log_result
        events.append({"InvokeComplete": complete})
        return {"StatusCode": result.status, "ExecutedVersion": result.executed_version, "EventStream": iter(events)}

    # ------------------------------------------------------------------ the interface
    async def invoke_sync(self, scope: Scope, fv: FunctionVersion, payload: bytes, *, log_tail: bool = False,
                          client_context: str | None = None, trace_id: str | None = None) -> InvocationResult:
        """Run ``fv`` on ``payload`` and wait for its answer (a function error is a result, not
        an exception); raises TooManyRequestsException when its concurrency is exhausted."""
        self._invoke_listen()
        function_key = (fv.account, fv.region, fv.name)
        self._invoke_check_concurrency(fv, function_key)
        self._invoke_running[function_key] += 1
        try:
            return await self._invoke_run(scope, fv, payload, log_tail, client_context, trace_id)
        finally:
            self._invoke_running[function_key] -= 1
            if not self._invoke_running[function_key]:
                del self._invoke_running[function_key]

    def _invoke_check_concurrency(self, fv: FunctionVersion, function_key: tuple) -> None:
        limit = self.concurrency_limit(fv)
        if limit is not None and self._invoke_running.get(function_key, 0) >= limit:
            raise AwsError("TooManyRequestsException", "Rate Exceeded.", 429,
                           fields={"Type": "User", "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded"})
        in_account = sum(n for key, n in self._invoke_running.items() if key[0] == fv.account)
        if in_account >= ACCOUNT_CONCURRENCY:
            raise AwsError("TooManyRequestsException", "Rate Exceeded.", 429,
                           fields={"Type": "User", "Reason": "ConcurrentInvocationLimitExceeded"})

    async def _invoke_run(self, scope: Scope, fv: FunctionVersion, payload: bytes, log_tail: bool,
                          client_context: str | None, trace_id: str | None) -> InvocationResult:
        key = (fv.account, fv.region, fv.name, fv.version, fv.code_sha256, fv.config.get("RevisionId"))
        env = self._invoke_pool.take_idle(key)
        if env is None:
            env = await self._invoke_new_environment(fv)
            self._invoke_pool.add(key, env)
        timeout = float(fv.config.get("Timeout") or 3)
        request_id = str(uuid.uuid4())
        begun = time.monotonic()
        started_at = self.clock.now()
        invocation = Invocation(request_id, payload, int((time.time() + timeout) * 1000),
                                fv.qualified_arn() if fv.version != "$LATEST" else fv.arn,
                                _function_trace_header(trace_id, started_at), client_context)
        try:
            outcome = await env.invoke(invocation, timeout)
            # Duration counts the handler's time, not the environment's init
            duration_ms = (time.monotonic() - (invocation.handed_at or begun)) * 1000
            init_ms, env.init_duration_ms = env.init_duration_ms, None
            output = function_logs.output_events(env.read_output())
            max_memory = env.max_memory_mb()
        finally:
            self._invoke_pool.release(key, env)
        memory_mb = int(fv.config.get("MemorySize") or 128)
        body, function_error, status_note = self._invoke_answer(outcome, request_id, timeout, output, started_at)
        if (fv.config.get("LoggingConfig") or {}).get("LogFormat") == "JSON":
            lines = function_logs.json_invocation_log(
                request_id, fv.version, output, started=_iso_now(started_at), ended=_iso_now(self.clock.now()),
                duration_ms=duration_ms, memory_mb=memory_mb, max_memory_mb=max_memory, init_ms=init_ms,
                status=status_note)
        else:
            report = function_logs.report_line(request_id, duration_ms, memory_mb, max_memory, init_ms, status_note)
            lines = function_logs.invocation_log(request_id, fv.version, output, report)
        await self._invoke_write_log(scope, fv, env.log_stream, started_at, lines)
        return InvocationResult(body, function_error, function_logs.log_tail(lines) if log_tail else None,
                                fv.version, 200)

    def _invoke_answer(self, outcome: InvokeOutcome, request_id: str, timeout: float, output: list[str],
                       now: float) -> tuple[bytes, str | None, str | None]:
        """(payload, FunctionError, REPORT's Status) of an outcome; adds the platform's own log
        lines (timeout, exit) to ``output``."""
        if outcome.kind == "response":
            if len(outcome.body) > MAX_RESPONSE_PAYLOAD:
                return (json.dumps({"errorMessage": f"Response payload size exceeded maximum allowed payload size "
                                                    f"({MAX_RESPONSE_PAYLOAD} bytes).",
                                    "errorType": "Function.ResponseSizeTooLarge"}).encode(), "Unhandled", None)
            return outcome.body, None, None
        if outcome.kind in ("error", "init_error"):
            return outcome.body, "Unhandled", ("error" if outcome.kind == "init_error" else None)
        if outcome.kind == "timeout":
            message = f"Task timed out after {timeout:.2f} seconds"
            output.append(f"{_iso_now(now + timeout)} {request_id} {message}")
            return (json.dumps({"errorType": "Sandbox.Timedout",
                                "errorMessage": f"RequestId: {request_id} Error: {message}"}).encode(),
                    "Unhandled", "timeout")
        message = f"RequestId: {request_id} Error: Runtime exited with error: {outcome.exit_detail}"
        output.append(f"{message}\nRuntime.ExitError")
        return (json.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}).encode(), "Unhandled",
                "error")

    async def _invoke_new_environment(self, fv: FunctionVersion) -> ExecutionEnvironment:
        runtime = fv.config.get("Runtime") or ""
        memory_mb = int(fv.config.get("MemorySize") or 128)
        code_dir = self.code_dir(fv)
        argv = launchers.command(runtime, code_dir, memory_mb)
        if argv is None:
            raise InvalidParameterValueException(f"The runtime parameter of {runtime} is not supported on this "
                                                 f"machine: its interpreter is missing.")
        log_stream = function_logs.log_stream_name(self.clock.now(), fv.version)
        variables = environment_variables(fv, code_dir=str(code_dir), log_stream=log_stream,
                                          endpoint=self._invoke_endpoint(),
                                          credentials=self._invoke_role_credentials(fv))
        # the function's layers, merged in order where the runtime's search paths reach them
        variables.update(self.layer_environment(fv, variables))
        work_dir = Path(tempfile.mkdtemp(prefix="overcast-lambda-"))
        env = ExecutionEnvironment(argv, code_dir, work_dir, variables, memory_mb,
                                   launchers.memory_rlimit(runtime), log_stream)
        try:
            await env.start({})
        except OSError as exc:
            env.close()
            raise AwsError("ServiceException", f"The execution environment could not start: {exc.strerror or exc}",
                           500) from None
        return env

    def _invoke_endpoint(self) -> str:
        settings = self.cloud.settings
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        return f"http://{host}:{settings.port}"

    def _invoke_role_credentials(self, fv: FunctionVersion) -> dict:
        """A session of the function's execution role (its name the session's, as AWS names
        it). Open mode runs a function whose role does not exist with the account's own key."""
        role = fv.config.get("Role") or ""
        try:
            return self.cloud.services.provider("sts").issue_role_session(
                role, fv.name, ROLE_SESSION_SECONDS, source_principal="lambda.amazonaws.com")
        except AwsError:
            if self.cloud.settings.strict:
                raise AwsError("ServiceException", f"Lambda could not assume the execution role {role}.", 500) \
                    from None
            return {"AccessKeyId": fv.account, "SecretAccessKey": self.cloud.credentials.default_secret_key}

    async def _invoke_write_log(self, scope: Scope, fv: FunctionVersion, stream: str, started_at: float,
                                lines: list[str]) -> None:
        if not self.cloud.services.is_implemented("logs"):
            return
        logs = await self.cloud.services.started("logs")
        logs.write_log_events(scope, log_group(fv), stream,
                              _timed(lines, int(started_at * 1000), int(self.clock.now() * 1000)))

    # ------------------------------------------------------------------ lifecycle
    def _invoke_listen(self) -> None:
        if not self._invoke_listening:
            self._invoke_listening = True
            self.add_function_listener(self._invoke_function_changed)

    def _invoke_function_changed(self, scope: Scope, name: str, change: str) -> None:
        self._invoke_pool.drop_function((scope.account, scope.region, name))

    async def start(self) -> None:
        await super().start()
        self._invoke_listen()

    async def stop(self) -> None:
        self._invoke_pool.close_all()
        await super().stop()

    def reset(self) -> None:
        self._invoke_pool.close_all()
        super().reset()
