"""The paths of SQS queue URLs as requests arrive at them: ``/<account>/<name>`` and the form
with the region, ``/queue/<region>/<account>/<name>``.

Routing (an unsigned request to such a path is SQS's, not an S3 key's) and SQS's own URL
reader (``services/sqs/urls.py``) share this, so the gateway needs no service module.
"""

from __future__ import annotations

import re

PATH_PREFIX = "queue"  # the first path segment of the path form: /queue/<region>/<account>/<name>
REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+$")


def is_queue_path(path: str) -> bool:
    """Whether an HTTP request path is a queue's (``/<account>/<name>`` or the path form), for
    telling a request to a queue URL from one to the service endpoint."""
    parts = [part for part in path.split("/") if part]
    return len(parts) == 2 or (len(parts) == 4 and parts[0] == PATH_PREFIX and bool(REGION.match(parts[1])))
