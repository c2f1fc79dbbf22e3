"""The delivery worker's signatures are computed in the signing threads, not on the event
loop, and are the very signatures the envelope computes itself (the delivery tests verify
them against the served certificate end to end)."""

from __future__ import annotations

import asyncio
import threading

from overcast.services.sns.message import NOTIFICATION, SnsMessage
from overcast.services.sns.presigning import Presigner
from overcast.services.sns.signing import Signer
from overcast.services.sns.envelope import signed_fields


def _message(number: int, **extra) -> SnsMessage:
    return SnsMessage(type=NOTIFICATION, message_id=f"id-{number}", topic_arn="arn:aws:sns:us-east-1:000000000000:t",
                      timestamp="2026-12-04T00:00:00.000Z", message=f"body {number}", endpoint="http://localhost:4566",
                      signature_version="2" if number % 2 else "1", **extra)


class _RecordingSigner(Signer):
    def __init__(self, data_dir: str):
        super().__init__(data_dir)
        self.threads: set[str] = set()

    def sign(self, fields: dict, version: str) -> str:
        self.threads.add(threading.current_thread().name)
        return super().sign(fields, version)


def test_presigned_in_threads_with_the_envelopes_signatures(tmp_path):
    signer = _RecordingSigner(str(tmp_path))
    presigner = Presigner(signer)
    messages = [_message(n) for n in range(70)]
    fifo = _message(100, fifo=True)
    structured = _message(101, bodies={"default": "d", "sqs": "s"})

    async def run():
        await presigner.presign([*messages, fifo, structured])

    try:
        asyncio.run(run())
    finally:
        presigner.close()
    assert signer.threads and all(name.startswith("sns-signing") for name in signer.threads)
    for message in messages:
        assert message.signature == Signer(str(tmp_path)).sign(signed_fields(message, message.message),
                                                               message.signature_version)
    # unsigned FIFO notifications and per-protocol bodies are left to the envelope
    assert fifo.signature is None and structured.signature is None
