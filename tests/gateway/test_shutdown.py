"""SIGTERM: stop accepting, answer waiting long polls at once (empty), give requests in flight
a bounded grace (OVERCAST_SHUTDOWN_GRACE_SECONDS), then close and exit, even with a client
that trickles a body forever."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time

import boto3
from botocore.config import Config
from serverproc import ServerProcess


def _client(proc, service):
    return boto3.session.Session().client(service, endpoint_url=proc.endpoint, region_name="us-east-1",
                                          aws_access_key_id="test", aws_secret_access_key="test",
                                          config=Config(retries={"max_attempts": 1}, read_timeout=30))


# uvicorn ends by re-raising the signal it handled once its shutdown is complete
STOPPED = (0, -signal.SIGTERM)


def _put_head(proc, path: str, length: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", proc.port), timeout=10)
    sock.sendall(f"PUT {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length}\r\n\r\n".encode())
    return sock


def _answer(sock) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_an_upload_that_trickles_forever_does_not_hold_the_exit(tmp_path):
    proc = ServerProcess(str(tmp_path / "d"), env={"OVERCAST_SHUTDOWN_GRACE_SECONDS": "1",
                                                   "OVERCAST_BODY_TIMEOUT_SECONDS": "30"}).start()
    s3 = _client(proc, "s3")
    s3.create_bucket(Bucket="trickle")
    sock = _put_head(proc, "/trickle/never-ends", 10_000)
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            try:
                sock.sendall(b"t")
            except OSError:
                return
            time.sleep(0.2)

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        time.sleep(0.5)
        proc.proc.send_signal(signal.SIGTERM)
        assert proc.proc.wait(20) in STOPPED  # bounded by the grace, not by the client
    finally:
        stop.set()
        sock.close()
        proc.kill()
    proc.start()
    try:
        assert [o["Key"] for o in s3.list_objects_v2(Bucket="trickle").get("Contents", [])] == []
    finally:
        proc.stop()


def test_a_request_in_flight_finishes_within_the_grace(tmp_path):
    proc = ServerProcess(str(tmp_path / "d"), env={"OVERCAST_SHUTDOWN_GRACE_SECONDS": "10"}).start()
    s3 = _client(proc, "s3")
    s3.create_bucket(Bucket="graceful")
    sock = _put_head(proc, "/graceful/finished", 8)
    try:
        sock.sendall(b"half")
        time.sleep(0.3)
        proc.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        sock.sendall(b"done")
        assert _answer(sock).startswith(b"HTTP/1.1 200 ")
        assert proc.proc.wait(20) in STOPPED
    finally:
        sock.close()
        proc.kill()
    proc.start()  # acknowledged, so durable
    try:
        assert s3.get_object(Bucket="graceful", Key="finished")["Body"].read() == b"halfdone"
    finally:
        proc.stop()


def test_waiting_long_polls_answer_empty_at_shutdown(tmp_path):
    proc = ServerProcess(str(tmp_path / "d"), env={"OVERCAST_SHUTDOWN_GRACE_SECONDS": "30"}).start()
    sqs = _client(proc, "sqs")
    url = sqs.create_queue(QueueName="waiting")["QueueUrl"]
    answers = []

    def receive():
        answers.append(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20))

    pollers = [threading.Thread(target=receive) for _ in range(3)]
    try:
        for poller in pollers:
            poller.start()
        time.sleep(1)
        proc.proc.send_signal(signal.SIGTERM)
        # the grace is 30 s and the polls would wait 20: only answering them ends this early
        assert proc.proc.wait(15) in STOPPED
        for poller in pollers:
            poller.join(10)
        assert len(answers) == 3
        assert all(answer["ResponseMetadata"]["HTTPStatusCode"] == 200 and not answer.get("Messages")
                   for answer in answers)
    finally:
        proc.kill()
