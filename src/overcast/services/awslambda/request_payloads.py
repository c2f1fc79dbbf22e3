"""Reading a streamed request member (Invoke's Payload, InvokeAsync's InvokeArgs)."""

from __future__ import annotations


async def read_streamed(value, limit: int) -> bytes:
    """``value`` read whole, or just past ``limit`` bytes when it is longer: enough to refuse
    it without holding all of it."""
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8")
    if not hasattr(value, "__aiter__"):
        return bytes(value)
    pieces, size = [], 0
    async for piece in value:
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            break
    return b"".join(pieces)
