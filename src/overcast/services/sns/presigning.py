"""Signing off the event loop: the RSA signatures of a delivery batch, computed in threads.

An RSA-2048 signature costs about half a millisecond; signed on the event loop, a batch of
500 enveloped deliveries would hold every other request for a quarter of a second. The
worker hands the batch's messages to a small thread pool (OpenSSL releases the GIL while it
signs) and awaits them; the envelope then finds each message's signature already computed
(``SnsMessage.signature``), the same bytes it would have computed itself.

Only what the envelope would sign is presigned: a notification or confirmation that some
subscription of the batch receives enveloped (not raw), not a FIFO topic's notification
(unsigned), not a message with per-protocol bodies (each body signed on its own, rare).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from overcast.services.sns.envelope import signed_fields
from overcast.services.sns.message import NOTIFICATION

# the protocols whose deliveries carry SNS's signed envelope unless the subscription is raw
ENVELOPED_PROTOCOLS = frozenset(("sqs", "http", "https", "email-json", "firehose"))
THREADS = 2
CHUNK = 32  # messages per task: enough to amortize the hand-off, small enough to spread


def is_enveloped(sub, message) -> bool:
    return sub.protocol in ENVELOPED_PROTOCOLS and (not sub.raw or message.type != NOTIFICATION)


def needs_signature(message) -> bool:
    return message.signature is None and not message.bodies and not (message.type == NOTIFICATION and message.fifo)


class Presigner:
    def __init__(self, signer):
        self._signer = signer
        self._pool: ThreadPoolExecutor | None = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _sign_all(self, messages: list) -> list[str]:
        return [self._signer.sign(signed_fields(m, m.message), m.signature_version) for m in messages]

    async def presign(self, messages: list) -> None:
        """Sign ``messages`` (those ``needs_signature`` keeps) in the pool; sets their signature."""
        todo = [m for m in messages if needs_signature(m)]
        if not todo:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="sns-signing")
        loop = asyncio.get_running_loop()
        chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
        results = await asyncio.gather(*(loop.run_in_executor(self._pool, self._sign_all, c) for c in chunks))
        for chunk, signatures in zip(chunks, results):
            for message, signature in zip(chunk, signatures):
                if message.signature is None:
                    message.signature = signature
