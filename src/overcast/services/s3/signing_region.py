"""A SigV4 request must be signed for its bucket's region (strict mode).

S3's endpoints each serve one region: a request whose credential scope names another region
than the bucket's is refused before authorization with ``AuthorizationHeaderMalformed``
(``AuthorizationQueryParametersError`` for a presigned URL) naming the bucket's region in
``Region`` and ``x-amz-bucket-region``, which SDKs read to sign again for that region
(botocore's S3 redirector; HEAD answers carry no body, hence the header). Overcast serves every
region on one port, so only the bucket decides; CreateBucket and bucketless operations accept
any real region (``overcast.auth.scope``). SigV2 signatures name no region.
"""

from __future__ import annotations

from overcast.auth.failures import S3
from overcast.errors import AwsError


def check_signing_region(provider, ctx, params: dict) -> None:
    """Raise S3's wrong-region error when the signature's region is not the bucket's."""
    name = params.get("Bucket")
    request = ctx.extra.get("request")
    if not name or request is None or ctx.operation == "CreateBucket":
        return
    presigned = "X-Amz-Credential=" in request.query_string
    if not presigned and not request.headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 "):
        return
    try:
        bucket = provider.bucket_row(ctx, name, owned=False)
    except AwsError:  # no such bucket: the operation answers that, after authorization
        return
    if bucket.region != ctx.region:
        error = S3.wrong_scope("region", ctx.region, bucket.region, presigned)
        error.headers["x-amz-bucket-region"] = bucket.region
        raise error
