"""Crash durability: every event PutEvents acknowledged reaches its SQS target after a
``kill -9`` and a restart (the deliveries are on disk before PutEvents answers; the sender
task resumes at start)."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time

import pytest
from dispatch_helpers import entry, rule_to_queue
from serverproc import ServerProcess

from aws_clients import make_client


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def _pending(data_dir: str) -> int:
    with sqlite3.connect(os.path.join(data_dir, "events.db")) as db:
        return db.execute("SELECT COUNT(*) FROM event_deliveries").fetchone()[0]


def test_acknowledged_events_are_delivered_after_kill_9(own_server, tmp_path):
    events, sqs = make_client(own_server.endpoint, "events"), make_client(own_server.endpoint, "sqs")
    urls = [rule_to_queue(events, sqs, pattern={"source": ["test.app"], "detail": {"lane": [n]}})[0]
            for n in range(3)]
    acknowledged: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def put_loop(worker: int) -> None:
        client = make_client(own_server.endpoint, "events")
        while not stop.is_set():
            batch = [entry({"lane": n % 3, "w": worker}) for n in range(10)]
            try:
                answer = client.put_events(Entries=batch)
            except Exception:  # noqa: BLE001 - the server died under this call: not acknowledged
                return
            with lock:
                acknowledged.update(e["EventId"] for e in answer["Entries"])

    threads = [threading.Thread(target=put_loop, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 600 and time.monotonic() < deadline:
        time.sleep(0.01)
    own_server.kill()  # SIGKILL, while clients are putting events
    stop.set()
    for thread in threads:
        thread.join()
    print(f"deliveries pending at the kill: {_pending(str(tmp_path / 'data'))}")
    own_server.start()
    sqs = make_client(own_server.endpoint, "sqs")
    received: set[str] = set()
    for url in urls:
        empty = 0
        while empty < 3:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            empty = 0 if got else empty + 1
            for message in got:
                received.add(json.loads(message["Body"])["id"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if acknowledged <= received:
                break
    assert len(acknowledged) >= 600
    assert acknowledged <= received
    assert _pending(str(tmp_path / "data")) == 0


def test_a_delivery_waiting_for_its_retry_is_retried_after_a_restart(own_server, tmp_path):
    from apidest_http_server import ApiServer

    api = ApiServer()
    try:
        events = make_client(own_server.endpoint, "events")
        iam = make_client(own_server.endpoint, "iam")
        role = iam.create_role(RoleName="invoke", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "events.amazonaws.com"}}]}))["Role"]["Arn"]
        connection = events.create_connection(Name="c", AuthorizationType="API_KEY", AuthParameters={
            "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}})["ConnectionArn"]
        destination = events.create_api_destination(Name="d", ConnectionArn=connection,
                                                    InvocationEndpoint=api.url("/hook"),
                                                    HttpMethod="POST")["ApiDestinationArn"]
        events.put_rule(Name="hook", EventPattern=json.dumps({"source": ["test.app"]}))
        events.put_targets(Rule="hook", Targets=[{"Id": "api", "Arn": destination, "RoleArn": role}])
        api.answer("/hook", 500)  # the first attempt fails; the retry will be accepted
        event_id = events.put_events(Entries=[entry()])["Entries"][0]["EventId"]
        api.wait_for("/hook", 1)
        assert _pending(str(tmp_path / "data")) == 1  # waiting for its retry, on disk
        own_server.kill()
        own_server.start()
        own_server.post("/_overcast/clock", json.dumps({"advance": 700}).encode())
        [_, retried] = api.wait_for("/hook", 2)
        assert json.loads(retried["body"])["id"] == event_id
    finally:
        api.close()
