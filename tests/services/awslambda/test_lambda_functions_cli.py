"""The AWS CLI's Lambda commands over functions: create-function with --zip-file fileb://,
get-function, update-function-configuration, list-functions, delete-function."""

from __future__ import annotations

from lambda_helpers import PYTHON_RUNTIME, execution_role, zip_of

CODE = "def handler(event, context):\n    return event\n"


def test_cli_function_lifecycle(aws_cli, aws_client, tmp_path):
    package = tmp_path / "fn.zip"
    package.write_bytes(zip_of({"lambda_function.py": CODE}))
    role = execution_role(aws_client("lambda"))
    created = aws_cli("lambda", "create-function", "--function-name", "cli-fn", "--runtime", PYTHON_RUNTIME,
                      "--role", role, "--handler", "lambda_function.handler", "--zip-file", f"fileb://{package}",
                      "--tags", "team=cli")
    assert created["State"] == "Pending" and created["CodeSize"] == package.stat().st_size
    aws_cli("lambda", "wait", "function-active-v2", "--function-name", "cli-fn")
    aws_cli("lambda", "update-function-configuration", "--function-name", "cli-fn", "--timeout", "20",
            "--environment", "Variables={AB=b}")
    got = aws_cli("lambda", "get-function", "--function-name", "cli-fn")
    assert got["Configuration"]["Timeout"] == 20 and got["Configuration"]["Environment"] == {"Variables": {"AB": "b"}}
    assert got["Tags"] == {"team": "cli"}
    listed = aws_cli("lambda", "list-functions")
    assert [f["FunctionName"] for f in listed["Functions"]] == ["cli-fn"]
    aws_cli("lambda", "delete-function", "--function-name", "cli-fn")
    failed = aws_cli("lambda", "get-function", "--function-name", "cli-fn", check=False)
    assert failed.returncode != 0 and "ResourceNotFoundException" in failed.stderr
