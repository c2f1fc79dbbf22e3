"""Invoke under a function's reserved concurrency: TooManyRequestsException as AWS answers it
when the function has no room, and invocations in flight counting against the limit."""

from __future__ import annotations

import json
import threading

import pytest
from lambda_helpers import create_python_function, error_of


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


def test_reserved_concurrency_zero_throttles_every_invoke(lam):
    create_python_function(lam, "stopped", "def handler(e, c):\n    return 1\n")
    lam.put_function_concurrency(FunctionName="stopped", ReservedConcurrentExecutions=0)
    with pytest.raises(lam.exceptions.TooManyRequestsException) as caught:
        lam.invoke(FunctionName="stopped", Payload=b"{}")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Error"]["Message"] == "Rate Exceeded."
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName="stopped")
    assert json.loads(lam.invoke(FunctionName="stopped", Payload=b"{}")["Payload"].read()) == 1


def test_invocation_in_flight_counts_against_the_limit(lam, tmp_path):
    # the first invocation waits until the test lets it go (a file), so it is surely in flight
    release = tmp_path / "release"
    started = tmp_path / "started"
    code = (f"import os, time\n"
            f"def handler(event, context):\n"
            f"    if event.get('hold'):\n"
            f"        open({str(started)!r}, 'w').close()\n"
            f"        for _ in range(500):\n"
            f"            if os.path.exists({str(release)!r}):\n"
            f"                break\n"
            f"            time.sleep(0.01)\n"
            f"    return 'done'\n")
    create_python_function(lam, "single", code, Timeout=10)
    lam.put_function_concurrency(FunctionName="single", ReservedConcurrentExecutions=1)
    answers = []
    holder = threading.Thread(target=lambda: answers.append(
        lam.invoke(FunctionName="single", Payload=json.dumps({"hold": True}))["Payload"].read()))
    holder.start()
    try:
        for _ in range(1000):
            if started.exists():
                break
            threading.Event().wait(0.01)
        assert started.exists()
        code_, message = error_of(lam.invoke, FunctionName="single", Payload=b"{}", status=429)
        assert (code_, message) == ("TooManyRequestsException", "Rate Exceeded.")
    finally:
        release.touch()
        holder.join(15)
    assert answers == [b'"done"']
    assert lam.invoke(FunctionName="single", Payload=b"{}")["Payload"].read() == b'"done"'
