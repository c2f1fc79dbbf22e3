"""Batch requests: the checks on a batch as a whole, and per-entry answers.

A batch holds 1 to 10 entries (``EmptyBatchRequest``, ``TooManyEntriesInBatchRequest``) with
distinct ids (``BatchEntryIdsNotDistinct``) of up to 80 alphanumerics, hyphens and underscores
(``InvalidBatchEntryId``); SendMessageBatch's messages together may not exceed 1 MiB
(``BatchRequestTooLong``); on a FIFO queue every entry names its message group (and its
deduplication id without content-based deduplication). Those fail the whole request. Anything wrong with one entry fails
only that entry, reported in ``Failed`` beside the ``Successful`` ones.
"""

from __future__ import annotations

import re

from overcast.errors import AwsError

MAX_ENTRIES = 10  # entries per batch request
MAX_BATCH_BYTES = 1_048_576  # 1 MiB: the sum of a SendMessageBatch's message sizes

_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,80}\Z")


def check_batch(entries, entry_name: str) -> list[dict]:
    """The entries of a batch request, checked as a whole (in the order SQS checks)."""
    if not entries:
        raise AwsError("EmptyBatchRequest", f"There should be at least one {entry_name} in the request.")
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise AwsError("InvalidParameterValue", f"The parameter Entries must be a list of {entry_name}.")
    if len(entries) > MAX_ENTRIES:
        raise AwsError(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_ENTRIES}. You have sent {len(entries)}.",
        )
    seen = set()
    for index, entry in enumerate(entries, 1):
        entry_id = entry.get("Id")
        if entry_id is None:
            raise AwsError("MissingParameter", f"The request must contain the parameter {entry_name}.{index}.Id.")
        if not isinstance(entry_id, str) or not _ENTRY_ID.match(entry_id):
            raise AwsError(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long.",
            )
        if entry_id in seen:
            raise AwsError("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")
        seen.add(entry_id)
    return entries


def check_fifo_batch(entries: list[dict], content_based_deduplication: bool) -> None:
    """A FIFO queue's SendMessageBatch fails as a whole, before any entry is sent, when an
    entry lacks its MessageGroupId, or its MessageDeduplicationId on a queue without
    ContentBasedDeduplication (SendMessage answers these for its single message)."""
    for entry in entries:
        if entry.get("MessageGroupId") in (None, ""):
            raise AwsError("InvalidParameterValue", "The request must contain the parameter MessageGroupId.")
        if entry.get("MessageDeduplicationId") is None and not content_based_deduplication:
            raise AwsError(
                "InvalidParameterValue",
                "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                "provided explicitly",
            )


def check_batch_size(total: int) -> None:
    if total > MAX_BATCH_BYTES:
        raise AwsError(
            "BatchRequestTooLong",
            f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {total} bytes.",
        )


def failure(entry_id: str, error: AwsError) -> dict:
    """A ``BatchResultErrorEntry`` for one failed entry."""
    return {"Id": entry_id, "SenderFault": error.sender_fault and error.status < 500,
            "Code": error.code, "Message": error.message}


def answer(successful: list[dict], failed: list[dict], omit_empty_failed: bool = False) -> dict:
    """A batch answer: both lists present (the model marks them required), except an empty
    ``Failed`` where SQS leaves it out (SendMessageBatch)."""
    if omit_empty_failed and not failed:
        return {"Successful": successful}
    return {"Successful": successful, "Failed": failed}
