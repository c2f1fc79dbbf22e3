"""Conditional writes: ``If-None-Match: *`` and ``If-Match: <etag>`` on PutObject,
CompleteMultipartUpload and CopyObject (the destination's current version).

AWS (User Guide, "How to prevent object overwrites with conditional writes"):

- ``If-None-Match`` accepts only ``*``: the write fails with 412 PreconditionFailed when the
  key has a current version; a delete marker as the current version counts as no object.
  Any other value, ``If-Match: *``, or both headers at once answer 501 NotImplemented ("A
  header you provided implies functionality that is not implemented", with ``Header`` and
  ``additionalMessage``), before the key is looked up.
- ``If-Match: <etag>``: the write fails with 412 when the current version's ETag differs, and
  with 404 NoSuchKey when there is no current version (or it is a delete marker).

An operation checks once before it reads the body (a doomed upload fails fast) and once more
right before it commits the new version. The second check and ``ObjectStore.put`` run with no
``await`` in between, so on the single event loop no other write can slip between them: of
two racing ``If-None-Match: *`` uploads exactly one wins, the other gets 412.
"""

from __future__ import annotations

from overcast.errors import AwsError


def _precondition_failed(condition: str) -> AwsError:
    return AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412,
                    fields={"Condition": condition})


def _same_etag(given: str, etag: str) -> bool:
    # clients echo the ETag with or without its quotes; ``*`` matches any existing object
    given = given.strip()
    return given == "*" or given.strip('"') == etag.strip('"')


def _not_implemented(header: str, detail: str) -> AwsError:
    return AwsError("NotImplemented", "A header you provided implies functionality that is not implemented", 501,
                    fields={"Header": header, "additionalMessage": detail})


def validate_write_conditions(params: dict, complete: bool = False) -> None:
    """Refuse the condition headers S3 does not implement for writes, before the key is looked
    up: ``If-None-Match`` other than ``*``, ``If-Match: *``, or both headers at once.
    (``complete``: CompleteMultipartUpload, which names If-None-Match for an ``If-Match: *``.)"""
    if_none, if_match = params.get("IfNoneMatch"), params.get("IfMatch")
    if if_none is not None and if_match is not None:
        raise _not_implemented("If-Match,If-None-Match",
                               "Multiple conditional request headers present in the request")
    if if_none is not None and if_none.strip() != "*":
        raise _not_implemented("If-None-Match",
                               "We don't accept the provided value of If-None-Match header for this API")
    if if_match is not None and if_match.strip() == "*":
        header = "If-None-Match" if complete else "If-Match"
        raise _not_implemented(header, f"We don't accept the provided value of {header} header for this API")


def conflict(condition: str, key: str) -> AwsError:
    """409: a conditional CompleteMultipartUpload whose key was written or deleted after the
    upload began (S3 cannot tell which write the condition was meant against)."""
    return AwsError("ConditionalRequestConflict", "The conditional request cannot succeed due to a conflicting "
                    "operation against this resource.", 409, fields={"Condition": condition, "Key": key})


def check_write_conditions(store, partition: str, bucket: str, key: str, params: dict,
                           complete: bool = False) -> None:
    """Raise what S3 answers when ``If-None-Match`` / ``If-Match`` in ``params`` do not hold
    against the current version of ``key``; return quietly when they hold (or are absent).

    Call it before streaming the body and again immediately before ``store.put`` (no
    ``await`` between the check and the put)."""
    if_none, if_match = params.get("IfNoneMatch"), params.get("IfMatch")
    if if_none is None and if_match is None:
        return
    validate_write_conditions(params, complete)
    current = store.current(partition, bucket, key)
    exists = current is not None and not current.marker
    if if_none is not None and exists:
        raise _precondition_failed("If-None-Match")
    if if_match is not None:
        if not exists:
            raise AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": key})
        if not _same_etag(if_match, current.etag):
            raise _precondition_failed("If-Match")
