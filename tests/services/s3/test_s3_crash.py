"""Crash durability: a server killed with SIGKILL mid-upload and restarted on its data dir.

Every acknowledged object reads back byte-identical; an upload cut off by the crash is not
visible at all, and leaves no blob behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sqlite3
import threading
import time

import boto3
import pytest
from botocore.config import Config
from serverproc import ServerProcess


def client(server: ServerProcess):
    return boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def test_acknowledged_objects_survive_kill_9(own_server, tmp_path):
    s3 = client(own_server)
    s3.create_bucket(Bucket="durable")
    acknowledged: dict[str, bytes] = {}
    stop = threading.Event()

    def put_loop() -> None:
        writer = client(own_server)
        for i in range(400):
            if stop.is_set():
                return
            key = f"k{i % 25}"  # overwrites too
            data = os.urandom(1000 + i * 997)
            try:
                writer.put_object(Bucket="durable", Key=key, Body=data)
            except Exception:
                return
            acknowledged[key] = data

    # a signed upload that never finishes: its headers promise 1 MiB, only half arrives
    partial = _start_partial_upload(own_server, "/durable/partial", 1 << 20)
    deadline = time.monotonic() + 10
    while not _partial_files(own_server) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _partial_files(own_server), "the partial upload never started streaming"
    thread = threading.Thread(target=put_loop)
    thread.start()
    deadline = time.monotonic() + 10
    while len(acknowledged) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    own_server.kill()
    stop.set()
    thread.join(30)
    partial.close()
    snapshot = dict(acknowledged)
    assert snapshot
    own_server.start()
    s3 = client(own_server)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="durable").get("Contents", [])}
    assert "partial" not in keys
    for key, data in snapshot.items():
        body = s3.get_object(Bucket="durable", Key=key)["Body"].read()
        # the put in flight at the kill may have landed after the last acknowledgement
        assert hashlib.md5(body).hexdigest() == s3.head_object(Bucket="durable", Key=key)["ETag"].strip('"')
        if body != data:
            assert len(body) > len(data)  # only a later, whole write of that key
    blob_dir = os.path.join(own_server.data_dir, "blobs", "s3")
    blobs = [n for n in os.listdir(blob_dir) if not n.startswith(".")] + _inline_blob_ids(blob_dir)
    assert len(blobs) == len(keys)
    assert os.listdir(os.path.join(blob_dir, ".partial")) == []


def _inline_blob_ids(blob_dir: str) -> list[str]:
    """Small objects' bytes, kept in the S3 database rather than a file each: in their version's
    row, or in the inline blobs' table."""
    path = os.path.join(os.path.dirname(os.path.dirname(blob_dir)), "s3.db")
    with contextlib.closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT id FROM overcast_inline_blobs UNION ALL "
                                             "SELECT blob FROM versions WHERE body IS NOT NULL")]


def _partial_files(server: ServerProcess) -> list[str]:
    path = os.path.join(server.data_dir, "blobs", "s3", ".partial")
    return os.listdir(path) if os.path.isdir(path) else []


def _start_partial_upload(server: ServerProcess, path: str, length: int) -> socket.socket:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="PUT", url=server.endpoint + path,
                         headers={"Content-Length": str(length), "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    head = f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
    for name, value in request.headers.items():
        if name.lower() != "host":
            head += f"{name}: {value}\r\n"
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(head.encode() + b"\r\n" + b"x" * (length // 2))
    return sock
