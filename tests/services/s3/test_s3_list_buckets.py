"""ListBuckets pagination through boto3: max-buckets, continuation token, prefix, bucket-region."""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

NAMES = ["alpha-one", "alpha-two", "beta-one", "beta-two", "gamma"]


@pytest.fixture
def buckets(s3):
    for name in NAMES:
        s3.create_bucket(Bucket=name)
    s3.create_bucket(Bucket="euro-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return sorted(NAMES + ["euro-bucket"])


def names(out: dict) -> list[str]:
    return [b["Name"] for b in out["Buckets"]]


def test_unpaged_lists_everything_without_token(s3, buckets):
    out = s3.list_buckets()
    assert names(out) == buckets
    assert "ContinuationToken" not in out and "Prefix" not in out and out["Owner"]["ID"]
    regions = {b["Name"]: b["BucketRegion"] for b in out["Buckets"]}
    assert regions["euro-bucket"] == "eu-west-1" and regions["gamma"] == "us-east-1"


def test_max_buckets_pages_with_continuation_tokens(s3, buckets):
    seen, kwargs = [], {}
    for _ in range(10):
        page = s3.list_buckets(MaxBuckets=2, **kwargs)
        assert len(page["Buckets"]) <= 2
        seen += names(page)
        if "ContinuationToken" not in page:
            break
        kwargs = {"ContinuationToken": page["ContinuationToken"]}
    assert seen == buckets
    assert len(s3.list_buckets(MaxBuckets=len(buckets))["Buckets"]) == len(buckets)
    assert "ContinuationToken" not in s3.list_buckets(MaxBuckets=len(buckets))


def test_paginator(s3, buckets):
    pages = list(s3.get_paginator("list_buckets").paginate(PaginationConfig={"PageSize": 4}))
    assert [len(p["Buckets"]) for p in pages] == [4, 2]
    assert [n for p in pages for n in names(p)] == buckets


def test_prefix_is_filtered_and_echoed(s3, buckets):
    out = s3.list_buckets(Prefix="beta")
    assert names(out) == ["beta-one", "beta-two"] and out["Prefix"] == "beta"
    first = s3.list_buckets(Prefix="alpha", MaxBuckets=1)
    assert names(first) == ["alpha-one"] and first["Prefix"] == "alpha"
    second = s3.list_buckets(Prefix="alpha", MaxBuckets=1, ContinuationToken=first["ContinuationToken"])
    assert names(second) == ["alpha-two"]
    assert s3.list_buckets(Prefix="zzz").get("Buckets", []) == []


def test_bucket_region_filter(s3, aws_client, buckets):
    # S3 takes bucket-region only at that region's endpoint (the ListBuckets reference)
    west = aws_client("s3", region="eu-west-1")
    assert names(west.list_buckets(BucketRegion="eu-west-1")) == ["euro-bucket"]
    assert names(s3.list_buckets(BucketRegion="us-east-1")) == [n for n in buckets if n != "euro-bucket"]


@pytest.mark.parametrize("max_buckets", [0, 10001, -5])
def test_max_buckets_out_of_range(aws_client, buckets, max_buckets):
    # boto3 itself refuses values under 1: let them through to see the server's answer
    raw = aws_client("s3", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as exc:
        raw.list_buckets(MaxBuckets=max_buckets)
    error = exc.value.response["Error"]
    assert error["Code"] == "InvalidArgument" and error["ArgumentName"] == "max-buckets"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_max_buckets_at_the_limit_is_accepted(s3, buckets):
    assert names(s3.list_buckets(MaxBuckets=10000)) == buckets


def test_bad_continuation_token(s3, buckets):
    with pytest.raises(ClientError) as exc:
        s3.list_buckets(ContinuationToken="%%%not-a-token")
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"
    assert exc.value.response["Error"]["ArgumentName"] == "continuation-token"
