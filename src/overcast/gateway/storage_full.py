"""A backend that cannot store (disk full, a file size limit, a failing disk).

The write fails and is not acknowledged; the client gets the error AWS gives when its
backend cannot take a request, which every SDK retries: S3's 503 ``ServiceUnavailable``
("Service is unable to handle request.", S3's error code list), SQS's 500 ``InternalError``
(``AWS.SimpleQueueService.InternalError`` in the query protocol), and the common 500
``InternalFailure`` elsewhere. It is the machine's condition, not an Overcast bug: the log
gets one line (not a traceback per request), repeated at most once a minute while it lasts.
Reads keep being served.
"""

from __future__ import annotations

import errno
import logging
import time

from overcast.errors import AwsError, InternalFailure
from overcast.storage import StorageUnavailable

log = logging.getLogger("overcast.storage")

# A blob write (S3 bodies, multipart parts) fails with these when the disk cannot take it
_CANNOT_STORE = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_LOG_EVERY = 60.0


def cannot_store(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from) says the backend cannot store."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, StorageUnavailable) or (isinstance(exc, OSError) and exc.errno in _CANNOT_STORE):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unavailable_error(service: str) -> AwsError:
    """The error ``service`` answers when it cannot store the request."""
    if service == "s3":
        return AwsError("ServiceUnavailable", "Service is unable to handle request.", 503, sender_fault=False)
    if service == "sqs":
        return AwsError("InternalError", "We encountered an internal error. Please try again.", 500,
                        sender_fault=False)
    return InternalFailure(message="We encountered an internal error. Please try again.")


class StorageAlarm:
    """Logs that storage is failing: one line, at most once a minute, with a count."""

    def __init__(self):
        self._last = 0.0
        self._since = 0

    def report(self, service: str, operation: str, exc: BaseException) -> None:
        self._since += 1
        now = time.monotonic()
        if now - self._last < _LOG_EVERY:
            return
        log.error("cannot store (%s %s refused, %d request(s) since the last report): %s",
                  service or "-", operation or "-", self._since, exc)
        self._last, self._since = now, 0
