"""StartLiveTail on the wire: the event stream as the SDKs' JSON protocol reads it (an
``initial-response`` message first, then JSON events), a request sent to the ``stream-``
host the SDKs inject, and a client that goes away ending its session."""

from __future__ import annotations

import http.client
import json
import socket
import time
from urllib.parse import urlparse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

from aws_clients import CREDENTIALS, REGION
from live_tail_helpers import group_arn, make_group, start, tail_client
from logs_helpers import logs  # noqa: F401


def _signed_request(endpoint: str, host: str, body: dict) -> tuple[str, dict, bytes]:
    """(path, headers, body) of a StartLiveTail request signed for ``host``."""
    port = urlparse(endpoint).port
    payload = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=f"http://{host}:{port}/", data=payload, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328.StartLiveTail"})
    SigV4Auth(Credentials(CREDENTIALS["aws_access_key_id"], CREDENTIALS["aws_secret_access_key"]),
              "logs", REGION).add_auth(request)
    return "/", {**dict(request.headers.items()), "Host": f"{host}:{port}"}, payload


def _open_stream(endpoint: str, host: str, body: dict) -> http.client.HTTPResponse:
    path, headers, payload = _signed_request(endpoint, host, body)
    url = urlparse(endpoint)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("POST", path, body=payload, headers=headers)
    return connection.getresponse()


def _messages(response, count: int) -> list:
    """The first ``count`` event-stream messages of a streamed response."""
    buffer, messages = EventStreamBuffer(), []
    while len(messages) < count:
        chunk = response.read1(65536)
        assert chunk, "the stream ended early"
        buffer.add_data(chunk)
        messages.extend(buffer)
    return messages


def test_the_stream_opens_with_an_initial_response_then_json_events(endpoint, logs):
    make_group(logs, "wire")
    response = _open_stream(endpoint, "127.0.0.1", {"logGroupIdentifiers": [group_arn("wire")]})
    try:
        assert response.status == 200
        assert response.getheader("content-type") == "application/vnd.amazon.eventstream"
        assert response.getheader("x-amzn-requestid")
        initial, first, update = _messages(response, 3)
        assert initial.headers == {":message-type": "event", ":event-type": "initial-response",
                                   ":content-type": "application/x-amz-json-1.1"}
        assert json.loads(initial.payload) == {}
        assert first.headers[":event-type"] == "sessionStart"
        assert first.headers[":content-type"] == "application/json"
        start_event = json.loads(first.payload)
        assert start_event["logGroupIdentifiers"] == [group_arn("wire")]
        assert start_event["requestId"] == response.getheader("x-amzn-requestid")
        assert update.headers[":event-type"] == "sessionUpdate"
        assert json.loads(update.payload) == {"sessionMetadata": {"sampled": False}, "sessionResults": []}
    finally:
        response.close()


def test_a_request_to_the_stream_host_the_sdks_inject_is_served(endpoint, logs):
    make_group(logs, "wire")
    response = _open_stream(endpoint, "stream-127.0.0.1", {"logGroupIdentifiers": [group_arn("wire")]})
    try:
        assert response.status == 200
        _, first = _messages(response, 2)
        assert first.headers[":event-type"] == "sessionStart"
    finally:
        response.close()


def test_an_error_before_the_stream_is_a_plain_json_error(endpoint):
    response = _open_stream(endpoint, "127.0.0.1", {"logGroupIdentifiers": [group_arn("missing")]})
    assert response.status == 400
    assert response.getheader("content-type") == "application/x-amz-json-1.1"
    assert json.loads(response.read()) == {"__type": "ResourceNotFoundException",
                                           "message": "The specified log group does not exist."}


def test_a_client_that_disconnects_ends_its_session(endpoint, logs):
    """Fifteen sessions are the quota: sockets dropped mid-stream free their places."""
    make_group(logs, "wire")
    for _ in range(2):
        sockets = []
        for _ in range(15):
            response = _open_stream(endpoint, "127.0.0.1", {"logGroupIdentifiers": [group_arn("wire")]})
            assert response.status == 200, response.read()
            _messages(response, 2)
            sockets.append(response)
        for response in sockets:
            response.fp.raw._sock.shutdown(socket.SHUT_RDWR)  # gone without a word, as a killed client
            response.close()
        client = tail_client(endpoint)
        for _ in range(50):  # the server sees each close within moments
            try:
                start(client, "wire")[0].close()
                break
            except Exception as exc:  # noqa: BLE001
                assert "LimitExceededException" in str(exc)
                time.sleep(0.1)
        else:
            raise AssertionError("the dropped sessions were never released")
