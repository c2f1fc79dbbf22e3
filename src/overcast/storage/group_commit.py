"""Group commit: the transactions of requests served in one turn of the event loop share
one SQLite commit.

Why: a commit is the dearest step of a small write (measured: 66 us of CPU for one S3 PUT's
rows committed alone, 30 us each when eight commit together), and under load many requests
write in the same turn of the loop.

How (``SqliteDatabase``): on the event loop, the first transaction of a turn opens the
database's write transaction (``BEGIN IMMEDIATE``) and schedules its ``COMMIT`` with
``loop.call_soon``; each transaction of the turn, that one included, runs as a SAVEPOINT
inside it, so a failing one rolls back alone. The ``COMMIT`` runs once the tasks made ready
in that turn have reached their next ``await``.

Durability is unchanged: a request is answered only after the commit that holds its writes.
The gateway runs each request inside ``tracking()`` and awaits ``settle()`` before it sends
the answer; ``settle`` raises if that commit failed (then nothing of the batch was written).
Writes made outside any request (timers, background runners) commit at the same moment but
nobody waits for them, as before nobody was told of them.

Requests served in the same turn may read each other's rows before the commit (one
connection); if that commit then failed (a full disk), a concurrent reader may have seen a
write that was never acknowledged. Nothing acknowledged is ever lost.
"""

from __future__ import annotations

import asyncio
import contextvars

class _Waiting:
    """The commits (futures) one request waits for before it may be answered."""

    __slots__ = ("commits", "open")

    def __init__(self):
        self.commits: list[asyncio.Future] = []
        self.open = True  # closed when the request is answered: tasks and timers it started
        # carry a copy of its context, and must not keep adding to it


_waiting: contextvars.ContextVar[_Waiting | None] = contextvars.ContextVar("overcast_waiting_commits", default=None)


def wait_for(commit: asyncio.Future) -> None:
    """The current request's answer must wait for ``commit`` (no-op outside a request)."""
    waiting = _waiting.get()
    if waiting is not None and waiting.open:
        commits = waiting.commits
        if not commits or commits[-1] is not commit:
            commits.append(commit)


class tracking:
    """Collect the commits the code run inside writes into (for ``settle``): ``with tracking():``.

    A class, not a ``@contextmanager`` generator: it wraps every request, and the generator
    machinery cost several times what the context variable does."""

    __slots__ = ("_state", "_token")

    def __enter__(self) -> None:
        self._state = _Waiting()
        self._token = _waiting.set(self._state)

    def __exit__(self, *exc) -> None:
        self._state.open = False
        _waiting.reset(self._token)


async def settle() -> None:
    """Wait until every write of the current request is committed; raises the storage error
    of a commit that failed."""
    waiting = _waiting.get()
    if waiting is None:
        return
    commits = waiting.commits
    while commits:
        commit = commits.pop()
        if not commit.done():
            await asyncio.shield(commit)
        else:
            commit.result()  # raises if that commit failed


def settling(send):
    """An ASGI ``send`` that, before the answer starts, waits for the writes made so far
    (for endpoints that answer through ``send`` directly; run them inside ``tracking()``)."""

    async def send_when_settled(message):
        if message["type"] == "http.response.start":
            await settle()
        await send(message)

    return send_when_settled
