"""Requester Pays, applied: a bucket whose request payment is ``Requester`` serves another
account (and, in strict mode, no anonymous caller) only on requests that accept the charge.

S3 refuses such a request without ``x-amz-request-payer: requester`` with 403
``AccessDenied``, and answers one that has it with ``x-amz-request-charged: requester``. The
bucket owner is never refused and never charged. The check applies to the operations whose
input takes ``RequestPayer`` in the service model; it runs where an operation reads a bucket
(``bucket_row``) and only when the caller is not the owner, so the owner's requests pay
nothing for it.
"""

from __future__ import annotations

import functools
import inspect

from overcast.errors import AwsError
from overcast.protocols.models import service_model
from overcast.services.registry import snake_case

_CHARGED = "request_charged"  # ctx.extra key: the requester accepted a charge


def _operations_with(shape_of: str, member: str) -> frozenset[str]:
    model = service_model("s3")
    names = set()
    for name in model.operation_names:
        shape = getattr(model.operation_model(name), shape_of)
        if shape is not None and member in shape.members:
            names.add(name)
    return frozenset(names)


PAYER_OPERATIONS = _operations_with("input_shape", "RequestPayer")
_CHARGED_OPERATIONS = _operations_with("output_shape", "RequestCharged")


class RequestPaymentMixin:
    def check_request_payer(self, ctx, bucket) -> None:
        """Called by ``bucket_row`` for a caller that is not the bucket's owner (or, in
        strict mode, is anonymous): raise unless the request accepts the charge."""
        if ctx.operation not in PAYER_OPERATIONS:
            return
        if self.configs.get(bucket, "request-payment", "BucketOwner") != "Requester":
            return
        request = ctx.extra.get("request")
        if request is None:  # an internal call (a log or inventory delivery), not a client's
            return
        if not ctx.principal_arn:  # anonymous requests are not allowed on Requester Pays buckets
            raise AwsError("AccessDenied", "Access Denied", 403)
        if request.headers.get("x-amz-request-payer") != "requester":
            raise AwsError("AccessDenied", "Access Denied", 403)
        ctx.extra[_CHARGED] = True


def _charging(fn):
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def operation(self, ctx, params):
            return _charged(ctx, await fn(self, ctx, params))
    else:
        @functools.wraps(fn)
        def operation(self, ctx, params):
            return _charged(ctx, fn(self, ctx, params))
    return operation


def _charged(ctx, result):
    if ctx.extra.get(_CHARGED) and isinstance(result, dict):
        result["RequestCharged"] = "requester"
    return result


def report_request_charged(cls) -> type:
    """Answer ``x-amz-request-charged: requester`` from each operation that reports it, when
    the request was charged to its requester (``check_request_payer``)."""
    for name in _CHARGED_OPERATIONS:
        method = getattr(cls, snake_case(name), None)
        if method is not None:
            setattr(cls, snake_case(name), _charging(method))
    return cls
