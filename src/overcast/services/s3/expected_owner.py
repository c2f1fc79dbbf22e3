"""``x-amz-expected-bucket-owner``: the bucket owner condition, for every operation that takes it.

S3 checks the header's form before anything else about the bucket (a value that is not a
12-digit account id is ``InvalidBucketOwnerAWSAccountID``, even an empty one), then answers
``AccessDenied`` when the bucket belongs to another account. Each operation whose input has
``ExpectedBucketOwner`` in the service model gets the check in front of it
(``guard_expected_owner``), so no operation can forget it.

``x-amz-source-expected-bucket-owner`` (CopyObject, UploadPartCopy) is the same condition on
the copy source's bucket: checked for form with the other parameters, and against the source
bucket's owner once the copy source is found (``check_expected_source_owner``).
"""

from __future__ import annotations

import functools
import inspect
import re

from overcast.errors import AwsError
from overcast.protocols.models import service_model
from overcast.services.registry import snake_case

_ACCOUNT_ID = re.compile(r"\d{12}")


def check_expected_owner_form(params: dict) -> None:
    """InvalidBucketOwnerAWSAccountID for an ``ExpectedBucketOwner`` (or
    ``ExpectedSourceBucketOwner``) that is not a 12-digit account id (a parameter check: in
    strict mode it comes before authorization)."""
    for member in ("ExpectedBucketOwner", "ExpectedSourceBucketOwner"):
        expected = params.get(member)
        if expected is not None and not _ACCOUNT_ID.fullmatch(expected):
            raise AwsError("InvalidBucketOwnerAWSAccountID", "The value of the expected bucket owner parameter must "
                           f"be an AWS Account ID... [{expected}]", 400)


def check_expected_source_owner(params: dict, source_account: str) -> None:
    """AccessDenied when ``ExpectedSourceBucketOwner`` names another account than the one that
    owns the copy source's bucket."""
    expected = params.get("ExpectedSourceBucketOwner")
    if expected is not None and expected != source_account:
        raise AwsError("AccessDenied", "Access Denied", 403)


def check_expected_owner(provider, ctx, params: dict) -> None:
    """Raise S3's answer when ``ExpectedBucketOwner`` is malformed or names another account."""
    check_expected_owner_form(params)  # the source owner's form too: before any other check
    expected = params.get("ExpectedBucketOwner")
    if expected is None:
        return
    bucket = provider.bucket_row(ctx, params["Bucket"], owned=False)
    if bucket.account != expected:
        raise AwsError("AccessDenied", "Access Denied", 403)


def _guarded(fn):
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def operation(self, ctx, params):
            check_expected_owner(self, ctx, params)
            return await fn(self, ctx, params)
    else:
        @functools.wraps(fn)
        def operation(self, ctx, params):
            check_expected_owner(self, ctx, params)
            return fn(self, ctx, params)
    return operation


def guard_expected_owner(cls) -> type:
    """Put the check in front of each operation of ``cls`` whose input has ExpectedBucketOwner."""
    model = service_model("s3")
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        method = getattr(cls, snake_case(name), None)
        if shape is not None and "ExpectedBucketOwner" in shape.members and method is not None:
            setattr(cls, snake_case(name), _guarded(method))
    return cls
