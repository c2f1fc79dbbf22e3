"""Reserved concurrency and account settings through boto3 and the AWS CLI: Put/Get/Delete
FunctionConcurrency, the 100 executions that always stay unreserved, and GetAccountSettings'
limits and usage."""

from __future__ import annotations

import pytest
from lambda_helpers import create_python_function, error_of

HANDLER = "def handler(event, context):\n    return event\n"


@pytest.fixture
def lam(aws_client):
    client = aws_client("lambda")
    create_python_function(client, "conc-fn", HANDLER)
    return client


def test_put_get_delete(lam):
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="conc-fn")
    assert lam.put_function_concurrency(FunctionName="conc-fn", ReservedConcurrentExecutions=5)[
        "ReservedConcurrentExecutions"] == 5
    assert lam.get_function_concurrency(FunctionName="conc-fn")["ReservedConcurrentExecutions"] == 5
    assert lam.get_function(FunctionName="conc-fn").get("Concurrency", {}).get(
        "ReservedConcurrentExecutions", 5) == 5
    assert lam.delete_function_concurrency(FunctionName="conc-fn")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName="conc-fn")
    assert error_of(lam.put_function_concurrency, FunctionName="nope", ReservedConcurrentExecutions=1,
                    status=404)[0] == "ResourceNotFoundException"


def test_unreserved_floor_and_account_settings(lam):
    before = lam.get_account_settings()
    limit = before["AccountLimit"]
    assert (limit["ConcurrentExecutions"], limit["UnreservedConcurrentExecutions"]) == (1000, 1000)
    assert (limit["TotalCodeSize"], limit["CodeSizeZipped"], limit["CodeSizeUnzipped"]) == (
        80530636800, 52428800, 262144000)
    config = lam.get_function_configuration(FunctionName="conc-fn")
    assert before["AccountUsage"] == {"FunctionCount": 1, "TotalCodeSize": config["CodeSize"]}
    assert error_of(lam.put_function_concurrency, FunctionName="conc-fn", ReservedConcurrentExecutions=901) == (
        "InvalidParameterValueException",
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        "below its minimum value of [100].")
    lam.put_function_concurrency(FunctionName="conc-fn", ReservedConcurrentExecutions=900)
    # putting again replaces: the function's own reservation does not count against itself
    lam.put_function_concurrency(FunctionName="conc-fn", ReservedConcurrentExecutions=850)
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 150
    create_python_function(lam, "conc-other", HANDLER)
    assert error_of(lam.put_function_concurrency, FunctionName="conc-other", ReservedConcurrentExecutions=51)[0] == \
        "InvalidParameterValueException"
    lam.put_function_concurrency(FunctionName="conc-other", ReservedConcurrentExecutions=50)
    settings = lam.get_account_settings()
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 100
    assert settings["AccountUsage"]["FunctionCount"] == 2
    # a deleted function's reservation is given back
    lam.delete_function(FunctionName="conc-fn")
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 950


def test_cli(lam, aws_cli):
    assert aws_cli("lambda", "put-function-concurrency", "--function-name", "conc-fn",
                   "--reserved-concurrent-executions", "3") == {"ReservedConcurrentExecutions": 3}
    assert aws_cli("lambda", "get-account-settings")["AccountLimit"]["UnreservedConcurrentExecutions"] == 997


WAITING = """
import os, time

def handler(event, context):
    open(event["started"], "w").close()
    deadline = time.time() + 20
    while not os.path.exists(event["release"]) and time.time() < deadline:
        time.sleep(0.02)
    return {"released": os.path.exists(event["release"])}
"""


def test_reserved_concurrency_is_enforced(lam, tmp_path):
    import concurrent.futures
    import json
    import time

    lam.put_function_concurrency(FunctionName="conc-fn", ReservedConcurrentExecutions=0)
    code, message = error_of(lam.invoke, FunctionName="conc-fn", Payload=b"{}", status=429)
    assert (code, message) == ("TooManyRequestsException", "Rate Exceeded.")
    lam.delete_function_concurrency(FunctionName="conc-fn")
    assert lam.invoke(FunctionName="conc-fn", Payload=b"{}")["StatusCode"] == 200

    create_python_function(lam, "conc-one", WAITING, Timeout=30)
    lam.put_function_concurrency(FunctionName="conc-one", ReservedConcurrentExecutions=1)
    started, release = tmp_path / "started", tmp_path / "release"
    event = json.dumps({"started": str(started), "release": str(release)}).encode()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        first = pool.submit(lam.invoke, FunctionName="conc-one", Payload=event)
        try:
            for _ in range(1000):  # the first invocation holds the only reserved execution
                if started.exists() or first.done():
                    break
                time.sleep(0.02)
            assert started.exists()
            assert error_of(lam.invoke, FunctionName="conc-one", Payload=event, status=429)[0] == \
                "TooManyRequestsException"
        finally:
            release.touch()
        assert json.loads(first.result(timeout=60)["Payload"].read()) == {"released": True}
