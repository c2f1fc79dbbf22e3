"""The other runtimes run real code too: Node (CommonJS, ES module, callback style) on the
machine's node, and ``provided`` runtimes running the zip's own ``bootstrap`` (here a shell
script speaking the Runtime API with curl-free bash)."""

from __future__ import annotations

import base64
import json
import shutil

import pytest
from lambda_helpers import PYTHON_RUNTIME, execution_role, zip_of

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


def _create(lam, name, runtime, handler, files, executable=()):
    return lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=execution_role(lam),
                               Code={"ZipFile": zip_of(files, executable=executable)})


def _invoke(lam, name, event, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event), **kwargs)
    return response, json.loads(response["Payload"].read() or b"null")


@needs_node
def test_node_commonjs_async_handler(lam):
    code = ("exports.handler = async (event, context) => {\n"
            "  console.log('got', JSON.stringify(event));\n"
            "  return {sum: event.a + event.b, name: context.functionName, region: process.env.AWS_REGION};\n"
            "};\n")
    _create(lam, "node-cjs", "nodejs20.x", "index.handler", {"index.js": code})
    response, body = _invoke(lam, "node-cjs", {"a": 2, "b": 3}, LogType="Tail")
    assert "FunctionError" not in response, body
    assert body == {"sum": 5, "name": "node-cjs", "region": lam.meta.region_name}
    tail = base64.b64decode(response["LogResult"]).decode()
    assert '\tINFO\tgot {"a":2,"b":3}' in tail


@needs_node
def test_node_es_module_and_callback_handlers(lam):
    _create(lam, "node-esm", "nodejs20.x", "app.handler",
            {"app.mjs": "export const handler = async (event) => ({esm: true, got: event});\n"})
    assert _invoke(lam, "node-esm", {"x": 1})[1] == {"esm": True, "got": {"x": 1}}
    _create(lam, "node-callback", "nodejs20.x", "index.handler",
            {"index.js": "exports.handler = (event, context, callback) => { setTimeout(() => callback(null, "
                         "event.n * 2), 5); };\n"})
    assert _invoke(lam, "node-callback", {"n": 21})[1] == 42


@needs_node
def test_node_error_is_unhandled_with_aws_shape(lam):
    _create(lam, "node-raises", "nodejs20.x", "index.handler",
            {"index.js": "exports.handler = async () => { throw new TypeError('nope'); };\n"})
    response, body = _invoke(lam, "node-raises", {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "TypeError" and body["errorMessage"] == "nope"
    assert body["trace"][0] == "TypeError: nope"


@needs_node
def test_node_memory_size_limits_the_process(lam):
    code = ("exports.handler = async (event) => {\n"
            "  const held = [];\n"
            "  for (let i = 0; i < event.mb / 16; i++) held.push(Buffer.alloc(16 * 1024 * 1024, 1));\n"
            "  return held.length;\n"
            "};\n")
    lam.create_function(FunctionName="node-hungry", Runtime="nodejs20.x", Handler="index.handler",
                        Role=execution_role(lam), MemorySize=128, Code={"ZipFile": zip_of({"index.js": code})})
    assert _invoke(lam, "node-hungry", {"mb": 32})[1] == 2  # it starts and runs under 128 MB
    # 400 MB of buffers cannot be had: V8 aborts the process (AWS's wording for a crashed runtime)
    response, body = _invoke(lam, "node-hungry", {"mb": 400})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError", body
    assert body["errorMessage"].endswith("Error: Runtime exited with error: signal: aborted")


BOOTSTRAP = r"""#!/bin/bash
# a custom runtime in bash: the Runtime API over /dev/tcp
set -euo pipefail
HOST=${AWS_LAMBDA_RUNTIME_API%:*}
PORT=${AWS_LAMBDA_RUNTIME_API#*:}
http() {  # method path body -> sets HEADERS and BODY
  exec 3<>/dev/tcp/$HOST/$PORT
  printf '%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "$HOST" "${#3}" "$3" >&3
  local response
  response=$(cat <&3)
  exec 3>&-
  HEADERS=${response%%$'\r\n\r\n'*}
  BODY=${response#*$'\r\n\r\n'}
}
while true; do
  http GET /2018-06-01/runtime/invocation/next ""
  ID=$(printf '%s' "$HEADERS" | tr -d '\r' | sed -n 's/^Lambda-Runtime-Aws-Request-Id: //ip')
  echo "handling $ID with $_HANDLER"
  http POST "/2018-06-01/runtime/invocation/$ID/response" "{\"echo\": $BODY, \"handler\": \"$_HANDLER\"}"
done
"""


def test_provided_runtime_runs_the_zip_bootstrap(lam):
    _create(lam, "custom", "provided.al2023", "my.handler", {"bootstrap": BOOTSTRAP}, executable=("bootstrap",))
    response, body = _invoke(lam, "custom", {"k": [1, 2]}, LogType="Tail")
    assert "FunctionError" not in response, body
    assert body == {"echo": {"k": [1, 2]}, "handler": "my.handler"}
    assert "handling " in base64.b64decode(response["LogResult"]).decode()
    assert _invoke(lam, "custom", {"again": True})[1]["echo"] == {"again": True}


@pytest.mark.parametrize("version", ["3.9", "3.10", "3.11", "3.12", "3.13"])
def test_python_bootstrap_runs_on_every_python_runtime(lam, version):
    """Overcast's Python bootstrap runs under each interpreter this machine has (CI may lack
    some: the server refuses those at create, and the test is skipped)."""
    runtime = f"python{version}"
    code = "import sys\ndef handler(event, context):\n    return [list(sys.version_info[:2]), event]\n"
    try:
        lam.create_function(FunctionName=f"py{version.replace('.', '')}", Runtime=runtime,
                            Handler="lambda_function.handler", Role=execution_role(lam),
                            Code={"ZipFile": zip_of({"lambda_function.py": code})})
    except lam.exceptions.InvalidParameterValueException as exc:
        if "is not installed" in str(exc):
            pytest.skip(f"{runtime} is not installed here")
        raise
    major, minor = (int(part) for part in version.split("."))
    assert _invoke(lam, f"py{version.replace('.', '')}", {"v": 1})[1] == [[major, minor], {"v": 1}]


@needs_node
def test_node_init_errors_in_aws_words(lam):
    _create(lam, "node-nofile", "nodejs20.x", "missing.handler", {"index.js": "exports.handler = async () => 1;\n"})
    response, body = _invoke(lam, "node-nofile", {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"] == "Error: Cannot find module 'missing'\nRequire stack:\n- /var/runtime/index.mjs"
    _create(lam, "node-noexport", "nodejs20.x", "index.handler", {"index.js": "exports.other = async () => 1;\n"})
    response, body = _invoke(lam, "node-noexport", {})
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "index.handler is undefined or not exported"


def test_python_handler_not_found(lam):
    lam.create_function(FunctionName="py-nohandler", Runtime=PYTHON_RUNTIME, Handler="lambda_function.main",
                        Role=execution_role(lam),
                        Code={"ZipFile": zip_of({"lambda_function.py": "def handler(e, c):\n    return 1\n"})})
    response, body = _invoke(lam, "py-nohandler", {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "Handler 'main' missing on module 'lambda_function'"


@needs_node
def test_node_console_in_json_log_format(lam, aws_client):
    code = ("exports.handler = async (event, context) => {\n  console.debug('hidden');\n"
            "  console.warn('careful', 7);\n  return context.awsRequestId;\n};\n")
    lam.create_function(FunctionName="node-json", Runtime="nodejs20.x", Handler="index.handler",
                        Role=execution_role(lam), Code={"ZipFile": zip_of({"index.js": code})},
                        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO"})
    response, request_id = _invoke(lam, "node-json", {}, LogType="Tail")
    lines = base64.b64decode(response["LogResult"]).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["type"] == "platform.start" and records[-1]["type"] == "platform.report"
    app = records[1:-1]
    assert [(r["level"], r["message"], r["requestId"]) for r in app] == [("WARN", "careful 7", request_id)]
