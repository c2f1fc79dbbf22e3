"""HTTP dates in S3's headers (``x-amz-expiration``, ``x-amz-restore``) that can never overflow.

An expiry computed from a client's day count (a lifecycle rule's ``Days``, a restore's
``Days``: any positive 32-bit integer, up to ~5.8 million years) can lie past the last
moment a date type holds. Such a date means "never" in practice, so it is written as the
last second an HTTP date can express (9999-12-31 23:59:59 GMT: its year has four digits)
rather than failing the request that reads it.
"""

from __future__ import annotations

from email.utils import formatdate

# 9999-12-31T23:59:59Z, the last instant of the four-digit years HTTP dates (and datetime) have
LATEST_EPOCH = 253402300799.0
# S3 reads day counts into a signed 32-bit integer
MAX_DAYS = 2**31 - 1


def http_date(epoch: float) -> str:
    """``epoch`` as an RFC 7231 date (``Fri, 04 Dec 2026 00:00:00 GMT``), capped at year 9999."""
    return formatdate(min(max(epoch, 0.0), LATEST_EPOCH), usegmt=True)
