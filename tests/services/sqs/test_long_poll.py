"""Long polling: a ReceiveMessage with WaitTimeSeconds returns as soon as a message can be had —
on a send, on a delay or visibility timeout running out (also when the clock is moved), on a
visibility change to 0 — and many waiting polls cost little."""

from __future__ import annotations

import threading
import time

import pytest


class Poll:
    """A long poll running in a thread with its own client."""

    def __init__(self, aws_client, url: str, settle: bool = True, **kwargs):
        self.result: dict = {}
        client = aws_client("sqs")
        self.thread = threading.Thread(
            target=lambda: self.result.update(client.receive_message(QueueUrl=url, **kwargs)), daemon=True)
        self.thread.start()
        if settle:
            time.sleep(0.3)  # let it reach the server and start waiting (not a timing assertion)

    def bodies(self, timeout: float = 10) -> list[str]:
        """The bodies it returned; fails if it is still waiting after ``timeout`` s."""
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the long poll did not return"
        return [m["Body"] for m in self.result.get("Messages", [])]


def test_waiting_poll_returns_when_a_message_is_sent(sqs, queue_url, aws_client):
    url = queue_url()
    poll = Poll(aws_client, url, WaitTimeSeconds=20)
    sqs.send_message(QueueUrl=url, MessageBody="arrived")
    assert poll.bodies() == ["arrived"]


def test_waiting_poll_returns_when_a_batch_is_sent(sqs, queue_url, aws_client):
    url = queue_url()
    poll = Poll(aws_client, url, WaitTimeSeconds=20)
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "batched"}])
    assert poll.bodies() == ["batched"]


def test_queue_wait_time_is_the_default(sqs, queue_url, aws_client):
    url = queue_url(ReceiveMessageWaitTimeSeconds=20)
    poll = Poll(aws_client, url)
    sqs.send_message(QueueUrl=url, MessageBody="by default")
    assert poll.bodies() == ["by default"]


def test_poll_returns_empty_when_its_wait_ends(queue_url, aws_client):
    started = time.monotonic()
    poll = Poll(aws_client, queue_url(), settle=False, WaitTimeSeconds=2)
    assert poll.bodies() == []
    # it waited its two seconds (less a little: clocks), rather than answering at once
    assert time.monotonic() - started >= 1.8


def test_zero_wait_overrides_queue_wait_time(sqs, queue_url):
    url = queue_url(ReceiveMessageWaitTimeSeconds=20)
    started = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    assert time.monotonic() - started < 10  # it did not wait the queue's 20 seconds


def test_poll_wakes_when_a_delay_runs_out_on_the_moved_clock(sqs, queue_url, aws_client, advance):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=600)
    poll = Poll(aws_client, url, WaitTimeSeconds=20)
    advance(601)
    assert poll.bodies() == ["delayed"]


def test_poll_wakes_when_a_delay_runs_out_in_real_time(sqs, queue_url, aws_client):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=1)
    poll = Poll(aws_client, url, WaitTimeSeconds=20)
    assert poll.bodies() == ["soon"]


def test_poll_wakes_when_a_visibility_timeout_runs_out(sqs, queue_url, aws_client, advance):
    url = queue_url(VisibilityTimeout=300)
    sqs.send_message(QueueUrl=url, MessageBody="retry me")
    sqs.receive_message(QueueUrl=url)
    poll = Poll(aws_client, url, WaitTimeSeconds=20)
    advance(301)
    assert poll.bodies() == ["retry me"]


def test_poll_wakes_on_visibility_change_to_zero(sqs, queue_url, aws_client):
    url = queue_url()
    sqs.send_message(QueueUrl=url, MessageBody="released")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    poll = Poll(aws_client, url, WaitTimeSeconds=20)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    assert poll.bodies() == ["released"]


def test_poll_wakes_when_a_fifo_group_is_released(sqs, queue_url, aws_client):
    url = queue_url(fifo=True, ContentBasedDeduplication=True)
    for body in ("first", "second"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    poll = Poll(aws_client, url, WaitTimeSeconds=20)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    assert poll.bodies() == ["second"]


def test_poll_on_a_deleted_queue_returns(sqs, queue_url, aws_client):
    url = queue_url()
    poll = Poll(aws_client, url, WaitTimeSeconds=20)
    sqs.delete_queue(QueueUrl=url)
    assert poll.bodies() == []


def test_one_message_wakes_one_of_many_polls(sqs, queue_url, aws_client):
    url = queue_url()
    polls = [Poll(aws_client, url, settle=False, WaitTimeSeconds=1) for _ in range(4)]
    time.sleep(0.5)  # all of them waiting (not a timing assertion)
    sqs.send_message(QueueUrl=url, MessageBody="only one")
    got = [body for poll in polls for body in poll.bodies()]
    assert got == ["only one"]


@pytest.mark.parametrize("waiters", [1000])
def test_a_thousand_waiting_polls_each_get_one_message(sqs, queue_url, endpoint, waiters):
    import asyncio
    import json
    from urllib.parse import urlsplit

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = queue_url()
    body = json.dumps({"QueueUrl": url, "WaitTimeSeconds": 20}).encode()
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ReceiveMessage"})
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(request)
    host, port = urlsplit(endpoint).hostname, urlsplit(endpoint).port
    head = "".join(f"{k}: {v}\r\n" for k, v in request.headers.items())
    raw = (f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n{head}\r\n").encode() + body

    async def poll() -> list[str]:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(raw)
        await writer.drain()
        head_text = (await reader.readuntil(b"\r\n\r\n")).decode()
        length = int(next(line.split(":")[1] for line in head_text.split("\r\n") if line.lower().startswith("content-length")))
        answer = json.loads(await reader.readexactly(length))
        writer.close()
        return [m["Body"] for m in answer.get("Messages", [])]

    async def main() -> list[list[str]]:
        tasks = [asyncio.create_task(poll()) for _ in range(waiters)]
        await asyncio.sleep(1.0)  # all of them waiting (not a timing assertion)
        for start in range(0, waiters, 10):
            await asyncio.to_thread(sqs.send_message_batch, QueueUrl=url, Entries=[
                {"Id": f"e{i}", "MessageBody": f"m{i}"} for i in range(start, start + 10)])
        return await asyncio.wait_for(asyncio.gather(*tasks), 30)

    results = asyncio.run(main())
    received = [body for bodies in results for body in bodies]
    assert sorted(received) == sorted(f"m{i}" for i in range(waiters))
