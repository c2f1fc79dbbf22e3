"""Receipt handles: the token a receive hands out and delete / visibility changes take back.

A handle names the queue (its internal key), the message (its sequence number, unique in the
cloud) and the receive that issued it (a random nonce stored with the message). Each receive
draws a new nonce, so only the latest handle of a message matches; anything that does not
decode to this layout is not a handle at all (``ReceiptHandleIsInvalid``).
"""

from __future__ import annotations

import base64
import binascii
import random
import struct
from typing import NamedTuple

from overcast.errors import AwsError

_MAGIC = b"OCsqs1"
_LAYOUT = struct.Struct(">QQQ")  # queue key, message sequence number, receive nonce
_RAW_LENGTH = len(_MAGIC) + _LAYOUT.size
_ENCODED_LENGTH = 4 * ((_RAW_LENGTH + 2) // 3)
# Nonces are drawn from 62 bits (0 means "never received"): fits SQLite's signed INTEGER.
_NONCE_BITS = 62


class Receipt(NamedTuple):
    queue_key: int
    seq: int
    nonce: int


def new_nonce() -> int:
    """A fresh receive nonce (never 0)."""
    return random.getrandbits(_NONCE_BITS) or 1


def encode(queue_key: int, seq: int, nonce: int) -> str:
    """The receipt handle of one receive of a message."""
    return base64.b64encode(_MAGIC + _LAYOUT.pack(queue_key, seq, nonce)).decode("ascii")


def invalid_handle(handle) -> AwsError:
    return AwsError("ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not a valid receipt handle.')


def decode(handle) -> Receipt:
    """The parts of a handle; ``ReceiptHandleIsInvalid`` for anything that is not one."""
    if not isinstance(handle, str) or len(handle) != _ENCODED_LENGTH:
        raise invalid_handle(handle)
    try:
        raw = base64.b64decode(handle, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_handle(handle) from None
    if len(raw) != _RAW_LENGTH or not raw.startswith(_MAGIC):
        raise invalid_handle(handle)
    return Receipt(*_LAYOUT.unpack_from(raw, len(_MAGIC)))
