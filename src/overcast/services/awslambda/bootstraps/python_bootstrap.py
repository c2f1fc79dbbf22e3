"""Overcast's Python runtime client: the loop AWS's Python runtimes run, on the Runtime API.

Standard library only and valid on Python 3.9-3.13 (it runs under the function's interpreter):
imports the handler's module once (init), then asks for the next invocation, calls
``handler(event, context)`` and posts the result or the error, for ever. Output goes to
stdout, which the execution environment reads as the function's log; a multi-line record is
written with ``\\r`` between its lines so that it stays one log event, as AWS keeps it.
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
_PREFIX = "/2018-06-01/runtime"


class _RuntimeApi:
    def __init__(self):
        host, port = _API.rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port))

    def request(self, method, path, body=None, headers=None):
        self.conn.request(method, _PREFIX + path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response, response.read()


_request = {"id": None}  # the invocation in progress, for log records


class _LambdaLogHandler(logging.Handler):
    """The root logger's handler AWS's Python runtime installs: ``[LEVEL]\t<time>\t<request id>\t
    <message>`` in the Text log format, a JSON object per record in the JSON one."""

    def __init__(self, json_format):
        logging.Handler.__init__(self)
        self.json_format = json_format

    def emit(self, record):
        try:
            when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if self.json_format:
                entry = {"timestamp": when, "level": record.levelname, "message": message, "logger": record.name,
                         "requestId": _request["id"]}
                _log(json.dumps(entry, default=str))
            else:
                _log("[%s]\t%s\t%s\t%s" % (record.levelname, when, _request["id"], message))
        except Exception:  # noqa: BLE001 - logging must never fail the handler
            self.handleError(record)


def _install_logging():
    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON"
    root = logging.getLogger()
    root.addHandler(_LambdaLogHandler(json_format))
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if json_format and level:
        root.setLevel(getattr(logging, level.upper(), logging.INFO) if level.upper() != "TRACE" else 5)


class LambdaContext:
    """The context object AWS hands a Python handler."""

    def __init__(self, request_id, deadline_ms, function_arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def _error_record(exc, error_type=None):
    # the handler's frames only, as AWS shows them (not this loop's own)
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename != __file__]
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(frames),
    }


def _log_error(record):
    lines = ["[ERROR] %s: %s" % (record["errorType"], record["errorMessage"]), "Traceback (most recent call last):"]
    lines.extend(line.rstrip("\n") for line in record["stackTrace"])
    _log("\r".join(lines))


def _log(text):
    sys.stdout.flush()
    sys.stderr.flush()
    sys.__stdout__.write(text.replace("\n", "\r") + "\n")
    sys.__stdout__.flush()


def _flush():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - a handler may have replaced or closed them
        pass


def _load_handler(api):
    """The handler function, or None after reporting the init error as AWS words it."""
    handler = os.environ.get("_HANDLER", "")
    module_name, _, function_name = handler.rpartition(".")
    if not module_name or not function_name:
        return _init_error(api, "Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack "
                           "(expected 2, got 1)" % handler)
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return _init_error(api, "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, exc))
    except SyntaxError as exc:
        return _init_error(api, "Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s"
                           % (module_name, exc))
    except Exception as exc:  # noqa: BLE001 - the init error of the module's own code
        record = _error_record(exc)
        _log_error(record)
        return _init_error(api, "Runtime.Unknown", record["errorMessage"], record)
    function = getattr(module, function_name, None)
    if function is None:
        return _init_error(api, "Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'"
                           % (function_name, module_name))
    return function


def _init_error(api, error_type, message, record=None):
    record = dict(record or {"errorMessage": message, "errorType": error_type, "stackTrace": []})
    record["errorType"] = error_type
    if error_type != "Runtime.Unknown":
        _log("[ERROR] %s: %s" % (error_type, message))
    api.request("POST", "/init/error", json.dumps(record).encode(),
                {"Lambda-Runtime-Function-Error-Type": error_type, "Content-Type": "application/json"})
    return None


def _optional_json(value):
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def main():
    # a timed-out handler is killed: what it printed before must already be in the log
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(line_buffering=True)
    # the handler's directory comes first, in place of this file's own
    sys.path[0] = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    _install_logging()
    api = _RuntimeApi()
    handler = _load_handler(api)
    if handler is None:
        sys.exit(1)
    while True:
        response, body = api.request("GET", "/invocation/next")
        headers = response.headers
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        _request["id"] = request_id
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        context = LambdaContext(request_id, int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
                                headers.get("Lambda-Runtime-Invoked-Function-Arn"),
                                _optional_json(headers.get("Lambda-Runtime-Client-Context")),
                                _optional_json(headers.get("Lambda-Runtime-Cognito-Identity")))
        try:
            event = json.loads(body) if body else None
            result = handler(event, context)
            payload = json.dumps(result).encode()
        except Exception as exc:  # noqa: BLE001 - the function's error, reported as AWS reports it
            record = _error_record(exc)
            if isinstance(exc, (TypeError, ValueError)) and "JSON serializable" in str(exc):
                record = {"errorMessage": "Unable to marshal response: %s" % exc,
                          "errorType": "Runtime.MarshalError", "stackTrace": []}
            record["requestId"] = request_id
            _flush()
            _log_error(record)
            api.request("POST", "/invocation/%s/error" % request_id, json.dumps(record).encode(),
                        {"Lambda-Runtime-Function-Error-Type": record["errorType"],
                         "Content-Type": "application/json"})
            continue
        _flush()
        api.request("POST", "/invocation/%s/response" % request_id, payload, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
