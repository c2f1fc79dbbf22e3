"""Invoke RequestResponse of Python functions run as real local processes: the answer, the
context and variables AWS gives a handler, errors, timeouts, memory, logs, and a handler that
calls Overcast's S3 with its execution role's credentials."""

from __future__ import annotations

import base64
import json
import re

import pytest
from lambda_helpers import PYTHON_RUNTIME, create_python_function, error_of, execution_role, zip_of

ECHO = """
import os

def handler(event, context):
    return {"event": event, "request_id": context.aws_request_id, "arn": context.invoked_function_arn,
            "name": context.function_name, "version": context.function_version,
            "memory": context.memory_limit_in_mb, "remaining": context.get_remaining_time_in_millis(),
            "group": context.log_group_name, "stream": context.log_stream_name,
            "client_context": context.client_context,
            "env": {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "_", "LAMBDA_", "TZ"))}}
"""


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


def _invoke(lam, name, event=None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}), **kwargs)
    return response, json.loads(response["Payload"].read() or b"null")


def test_handler_gets_event_context_and_aws_variables(lam):
    created = create_python_function(lam, "echo", ECHO, MemorySize=256, Timeout=10,
                                     Environment={"Variables": {"GREETING": "hi"}})
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    response, body = _invoke(lam, "echo", {"a": 1}, ClientContext=context)
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["event"] == {"a": 1}
    assert body["arn"] == created["FunctionArn"]
    assert body["name"] == "echo" and body["version"] == "$LATEST" and body["memory"] == "256"
    assert 0 < body["remaining"] <= 10_000
    assert body["client_context"] == {"custom": {"k": "v"}}
    assert body["group"] == "/aws/lambda/echo"
    env = body["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "echo"
    assert env["AWS_REGION"] == lam.meta.region_name
    assert env["_HANDLER"] == "lambda_function.handler"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == body["stream"]
    assert env["AWS_ENDPOINT_URL"] == lam.meta.endpoint_url.rstrip("/")
    assert env["AWS_SESSION_TOKEN"] and env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert env["LAMBDA_TASK_ROOT"] and env["TZ"] == ":UTC"
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", env["_X_AMZN_TRACE_ID"])


def test_caller_trace_header_reaches_the_function(lam):
    create_python_function(lam, "traced", "import os\ndef handler(e, c):\n    return os.environ['_X_AMZN_TRACE_ID']\n")
    root = "1-5759e988-bd862e3fe1be46a994272793"

    def add_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = f"Root={root};Parent=53995c3f42cd8ad8;Sampled=1"

    lam.meta.events.register("before-sign.lambda.Invoke", add_header)
    try:
        _, header = _invoke(lam, "traced")
    finally:
        lam.meta.events.unregister("before-sign.lambda.Invoke", add_header)
    assert header.startswith(f"Root={root};Parent=") and header.endswith(";Sampled=1")
    assert "53995c3f42cd8ad8" not in header


def test_warm_environment_is_reused_and_new_code_gets_a_new_one(lam):
    code = "import os\nCOUNT = [0]\ndef handler(event, context):\n    COUNT[0] += 1\n    return [os.getpid(), COUNT[0]]\n"
    create_python_function(lam, "warm", code)
    _, (pid1, n1) = _invoke(lam, "warm")
    _, (pid2, n2) = _invoke(lam, "warm")
    assert (pid1, n1, n2) == (pid2, 1, 2)
    lam.get_waiter("function_active_v2").wait(FunctionName="warm")
    lam.update_function_configuration(FunctionName="warm", Description="changed")
    lam.get_waiter("function_updated_v2").wait(FunctionName="warm")
    _, (pid3, n3) = _invoke(lam, "warm")
    assert n3 == 1 and pid3 != pid1


def test_unhandled_error_has_aws_shape_and_log_tail(lam):
    code = "def handler(event, context):\n    print('about to fail')\n    raise ValueError('boom')\n"
    create_python_function(lam, "raises", code)
    response, body = _invoke(lam, "raises", LogType="Tail")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "boom"
    assert any("raise ValueError('boom')" in frame for frame in body["stackTrace"])
    tail = base64.b64decode(response["LogResult"]).decode()
    assert tail.startswith("START RequestId: ") and "about to fail" in tail
    assert "[ERROR] ValueError: boom" in tail
    assert "\nEND RequestId: " in tail and "\nREPORT RequestId: " in tail


def test_timeout_kills_the_process_and_reports_aws_message(lam):
    code = "import time\ndef handler(event, context):\n    time.sleep(30)\n"
    create_python_function(lam, "slow", code, Timeout=1)
    response, body = _invoke(lam, "slow", LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith("Task timed out after 1.00 seconds")
    tail = base64.b64decode(response["LogResult"]).decode()
    assert "Task timed out after 1.00 seconds" in tail and "Status: timeout" in tail
    # the next call runs in a new environment
    lam.update_function_code(FunctionName="slow", ZipFile=zip_of({"lambda_function.py": "def handler(e, c):\n    return 'fast'\n"}))
    lam.get_waiter("function_updated_v2").wait(FunctionName="slow")
    assert _invoke(lam, "slow")[1] == "fast"


def test_memory_size_limits_the_process(lam):
    code = "def handler(event, context):\n    data = bytearray(400 * 1024 * 1024)\n    return len(data)\n"
    create_python_function(lam, "hungry", code, MemorySize=128)
    response, body = _invoke(lam, "hungry")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "MemoryError"
    lam.update_function_configuration(FunctionName="hungry", MemorySize=1024)
    lam.get_waiter("function_updated_v2").wait(FunctionName="hungry")
    response, body = _invoke(lam, "hungry")
    assert "FunctionError" not in response and body == 400 * 1024 * 1024


def test_import_error_is_reported_as_init_error(lam):
    create_python_function(lam, "broken", "import not_a_module_anywhere\ndef handler(e, c):\n    return 1\n")
    response, body = _invoke(lam, "broken")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == ("Unable to import module 'lambda_function': "
                                    "No module named 'not_a_module_anywhere'")


def test_invocation_log_lands_in_cloudwatch_logs(lam, aws_client):
    create_python_function(lam, "logged", "def handler(e, c):\n    print('hello from', e['who'])\n    return 1\n")
    _invoke(lam, "logged", {"who": "test"})
    logs = aws_client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/logged")["logStreams"]
    assert len(streams) == 1 and "/[$LATEST]" in streams[0]["logStreamName"]
    events = [e["message"] for e in logs.get_log_events(logGroupName="/aws/lambda/logged",
                                                          logStreamName=streams[0]["logStreamName"])["events"]]
    assert events[0].startswith("START RequestId: ") and events[0].endswith(" Version: $LATEST")
    assert events[1] == "hello from test"
    assert events[2].startswith("END RequestId: ")
    assert events[3].startswith("REPORT RequestId: ") and "\tInit Duration: " in events[3]
    assert "\tMemory Size: 128 MB\t" in events[3]


def test_handler_calls_overcast_s3_with_its_role(lam, aws_client):
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="lambda-writes")
    code = """
import boto3

def handler(event, context):
    s3 = boto3.client("s3")
    s3.put_object(Bucket="lambda-writes", Key=event["key"], Body=b"from lambda")
    who = boto3.client("sts").get_caller_identity()["Arn"]
    return {"who": who}
"""
    role = execution_role(lam, "lambda-s3-writer")
    # the role's own policy is what lets the code write (strict mode decides with it)
    aws_client("iam").put_role_policy(RoleName="lambda-s3-writer", PolicyName="write", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::lambda-writes/*"}]}))
    create_python_function(lam, "s3writer", code, Timeout=30, MemorySize=512, Role=role)
    response, body = _invoke(lam, "s3writer", {"key": "out.txt"})
    assert "FunctionError" not in response, body
    assert body["who"].endswith(":assumed-role/lambda-s3-writer/s3writer")
    assert s3.get_object(Bucket="lambda-writes", Key="out.txt")["Body"].read() == b"from lambda"


def test_dry_run_and_payload_checks(lam):
    create_python_function(lam, "dry", "def handler(e, c):\n    raise SystemExit(3)\n")
    assert lam.invoke(FunctionName="dry", InvocationType="DryRun")["StatusCode"] == 204
    code, message = error_of(lam.invoke, FunctionName="dry", Payload=b"{not json")
    assert code == "InvalidRequestContentException"
    assert message.startswith("Could not parse request body into json: Could not parse payload into json: ")
    code, message = error_of(lam.invoke, FunctionName="dry", Payload=b"e30")  # base64 of {} sent as is
    assert (code, message) == ("InvalidRequestContentException",
                               "Could not parse request body into json: Could not parse payload into json: "
                               "Unrecognized token 'e30': was expecting ('true', 'false' or 'null')\n"
                               " at [Source: (byte[])\"e30\"; line: 1, column: 4]")
    code, message = error_of(lam.invoke, FunctionName="dry", Payload=b"{}", ClientContext="string")
    assert (code, message) == ("InvalidRequestContentException",
                               "Client context must be a valid Base64-encoded JSON object.")
    code, message = error_of(lam.invoke, FunctionName="dry", Payload=b'"' + b"x" * 6_291_456 + b'"', status=413)
    assert code == "RequestEntityTooLargeException"
    assert message == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    code, message = error_of(lam.invoke, FunctionName="missing", status=404)
    assert code == "ResourceNotFoundException"


def test_runtime_exit_is_reported(lam):
    create_python_function(lam, "exits", "import os\ndef handler(e, c):\n    os._exit(3)\n")
    response, body = _invoke(lam, "exits")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")


def test_layer_code_is_importable_and_later_layers_win(lam):
    first = lam.publish_layer_version(LayerName="helpers", Content={"ZipFile": zip_of({
        "python/layer_helper.py": "def greet():\n    return 'from layer one'\n",
        "python/only_first.py": "VALUE = 1\n"})}, CompatibleRuntimes=[PYTHON_RUNTIME])
    second = lam.publish_layer_version(LayerName="overrides", Content={"ZipFile": zip_of({
        "python/layer_helper.py": "def greet():\n    return 'from layer two'\n"})})
    code = ("import layer_helper, only_first\n"
            "def handler(e, c):\n    return [layer_helper.greet(), only_first.VALUE]\n")
    create_python_function(lam, "layered", code,
                           Layers=[first["LayerVersionArn"], second["LayerVersionArn"]])
    response, body = _invoke(lam, "layered")
    assert "FunctionError" not in response, body
    assert body == ["from layer two", 1]


def _log_messages(aws_client, group):
    logs = aws_client("logs")
    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]["logStreamName"]
    return [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]]


LOGGING_HANDLER = ("import logging\nlogger = logging.getLogger()\n"
                   "def handler(e, c):\n    logger.info('quiet or not')\n    logger.warning('careful %s', 7)\n"
                   "    print('plain print')\n    return c.aws_request_id\n")


def test_python_logging_in_text_format(lam, aws_client):
    create_python_function(lam, "text-logs", LOGGING_HANDLER)
    _, request_id = _invoke(lam, "text-logs")
    messages = _log_messages(aws_client, "/aws/lambda/text-logs")
    warning = [m for m in messages if m.startswith("[WARNING]")]
    assert len(warning) == 1
    level, when, rid, text = warning[0].split("\t")
    assert (rid, text) == (request_id, "careful 7")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", when)
    assert "plain print" in messages
    assert not any("quiet or not" in m for m in messages)  # the root logger stays at WARNING


def test_json_log_format(lam, aws_client):
    create_python_function(lam, "json-logs", LOGGING_HANDLER,
                           LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO"})
    _, request_id = _invoke(lam, "json-logs")
    messages = _log_messages(aws_client, "/aws/lambda/json-logs")
    start, report = json.loads(messages[0]), json.loads(messages[-1])
    assert start["type"] == "platform.start" and start["record"] == {"requestId": request_id, "version": "$LATEST"}
    assert report["type"] == "platform.report" and report["record"]["status"] == "success"
    assert report["record"]["metrics"]["memorySizeMB"] == 128 and "initDurationMs" in report["record"]["metrics"]
    records = [json.loads(m) for m in messages[1:-1] if m.startswith("{")]
    assert [(r["level"], r["message"], r["requestId"]) for r in records] == [
        ("INFO", "quiet or not", request_id), ("WARNING", "careful 7", request_id)]
    assert "plain print" in messages


def test_invoke_with_response_stream_answers_in_one_chunk(lam):
    create_python_function(lam, "streamed", "def handler(e, c):\n    if e.get('fail'):\n"
                                            "        raise KeyError('k')\n    return {'got': e}\n")
    response = lam.invoke_with_response_stream(FunctionName="streamed", Payload=b'{"x": 1}', LogType="Tail")
    assert response["StatusCode"] == 200 and response["ExecutedVersion"] == "$LATEST"
    events = list(response["EventStream"])
    assert events[0] == {"PayloadChunk": {"Payload": b'{"got": {"x": 1}}'}}
    complete = events[1]["InvokeComplete"]
    assert "ErrorCode" not in complete and base64.b64decode(complete["LogResult"]).startswith(b"START RequestId: ")
    failed = list(lam.invoke_with_response_stream(FunctionName="streamed", Payload=b'{"fail": 1}')["EventStream"])
    assert len(failed) == 1
    complete = failed[0]["InvokeComplete"]
    assert complete["ErrorCode"] == "Unhandled"
    assert json.loads(complete["ErrorDetails"])["errorType"] == "KeyError"


def test_large_outputs_of_a_warm_environment_all_reach_the_log(lam):
    code = "def handler(e, c):\n    print(str(e['n']) + ':' + 'x' * 700_000)\n    print('done', e['n'])\n    return e['n']\n"
    create_python_function(lam, "chatty", code)
    for n in range(3):
        response, body = _invoke(lam, "chatty", {"n": n}, LogType="Tail")
        assert body == n
        tail = base64.b64decode(response["LogResult"]).decode()
        assert f"\ndone {n}\n" in tail


def test_aws_cli_invoke(lam, aws_cli, tmp_path):
    create_python_function(lam, "cli-echo", "def handler(e, c):\n    return {'echo': e}\n")
    out = tmp_path / "out.json"
    answer = aws_cli("lambda", "invoke", "--function-name", "cli-echo", "--payload", '{"from": "cli"}',
                     "--log-type", "Tail", str(out))
    assert answer["StatusCode"] == 200 and answer["ExecutedVersion"] == "$LATEST"
    assert base64.b64decode(answer["LogResult"]).startswith(b"START RequestId: ")
    assert json.loads(out.read_text()) == {"echo": {"from": "cli"}}
    # a payload that is not JSON (base64 of {} given as is) is refused by Lambda's parser
    failed = aws_cli("lambda", "invoke", "--function-name", "cli-echo", "--payload", "e30", str(out), check=False)
    assert failed.returncode != 0 and "InvalidRequestContentException" in failed.stderr
