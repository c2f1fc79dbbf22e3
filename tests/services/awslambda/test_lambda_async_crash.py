"""Crash durability: every Event invocation Lambda answered 202 runs after a ``kill -9`` and a
restart (the queue row is on disk before the answer; the worker resumes at start), and an event
waiting for its retry is retried on time after one."""

from __future__ import annotations

import json
import threading
import time

import pytest
from async_helpers import make_function, make_queue, queued, records, wait_for
from lambda_helpers import create_python_function
from serverproc import ServerProcess

from aws_clients import make_client


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def test_acknowledged_events_run_after_kill_9(own_server, tmp_path):
    lam, sqs = make_client(own_server.endpoint, "lambda"), make_client(own_server.endpoint, "sqs")
    # slow enough that a backlog waits in the queue when the server dies
    create_python_function(lam, "async-fn", "import time\n\ndef handler(event, context):\n    time.sleep(0.2)\n"
                                            "    return event\n")
    url, arn = make_queue(sqs, "ran")
    lam.put_function_event_invoke_config(FunctionName="async-fn", DestinationConfig={"OnSuccess": {"Destination": arn}})
    acknowledged: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def invoke_loop(worker: int) -> None:
        client = make_client(own_server.endpoint, "lambda")
        n = 0
        while not stop.is_set():
            tag = f"{worker}-{n}"
            n += 1
            try:
                client.invoke(FunctionName="async-fn", InvocationType="Event", Payload=json.dumps({"tag": tag}))
            except Exception:  # noqa: BLE001 - the server died under this call: not acknowledged
                return
            with lock:
                acknowledged.add(tag)

    threads = [threading.Thread(target=invoke_loop, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    own_server.kill()  # SIGKILL, while clients are invoking
    stop.set()
    for thread in threads:
        thread.join()
    print(f"events queued at the kill: {len(queued(str(tmp_path / 'data')))}")
    own_server.start()
    sqs = make_client(own_server.endpoint, "sqs")
    ran: set[str] = set()
    deadline = time.monotonic() + 45
    while not acknowledged <= ran and time.monotonic() < deadline:
        ran.update(record["requestPayload"]["tag"] for record in records(sqs, url, 10, timeout=2))
    assert len(acknowledged) >= 60
    assert acknowledged <= ran
    # an event saved just before the kill but never acknowledged runs too, maybe a little later
    deadline = time.monotonic() + 15
    while queued(str(tmp_path / "data")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert queued(str(tmp_path / "data")) == []


def test_an_event_waiting_for_its_retry_is_retried_after_a_restart(own_server, tmp_path):
    lam, sqs = make_client(own_server.endpoint, "lambda"), make_client(own_server.endpoint, "sqs")
    make_function(lam)
    url, arn = make_queue(sqs, "failed")
    lam.put_function_event_invoke_config(FunctionName="async-fn", MaximumRetryAttempts=1,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    lam.invoke(FunctionName="async-fn", InvocationType="Event", Payload=b'{"fail": "twice"}')
    data_dir = str(tmp_path / "data")
    assert wait_for(lambda: queued(data_dir) == [(1, 0)])
    own_server.kill()
    own_server.start()
    own_server.post("/_overcast/clock", json.dumps({"advance": 61}).encode())  # the retry, due a minute later
    [record] = records(make_client(own_server.endpoint, "sqs"), url, 1)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert queued(data_dir) == []
