"""BucketArn: CreateBucket and HeadBucket (``x-amz-bucket-arn``) and ListBuckets report it."""

from __future__ import annotations


def test_create_bucket_reports_its_arn(s3):
    created = s3.create_bucket(Bucket="arn-created")
    assert created["BucketArn"] == "arn:aws:s3:::arn-created"
    assert created["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-arn"] == "arn:aws:s3:::arn-created"


def test_create_bucket_in_another_region(aws_client):
    s3 = aws_client("s3", region="eu-west-1")
    created = s3.create_bucket(Bucket="arn-in-ireland",
                               CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert created["BucketArn"] == "arn:aws:s3:::arn-in-ireland"  # no region or account in it
    assert s3.head_bucket(Bucket="arn-in-ireland")["BucketArn"] == "arn:aws:s3:::arn-in-ireland"


def test_head_bucket_reports_its_arn(s3, bucket):
    head = s3.head_bucket(Bucket=bucket)
    assert head["BucketArn"] == f"arn:aws:s3:::{bucket}"
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-arn"] == f"arn:aws:s3:::{bucket}"


def test_list_buckets_reports_each_arn(s3):
    for name in ("arn-a", "arn-b"):
        s3.create_bucket(Bucket=name)
    listed = {b["Name"]: b["BucketArn"] for b in s3.list_buckets()["Buckets"]}
    assert listed == {"arn-a": "arn:aws:s3:::arn-a", "arn-b": "arn:aws:s3:::arn-b"}
    paged = s3.list_buckets(MaxBuckets=1)["Buckets"]
    assert paged == [{**paged[0], "BucketArn": "arn:aws:s3:::arn-a"}]


def test_recreating_an_owned_us_east_1_bucket_reports_its_arn(s3, bucket):
    assert s3.create_bucket(Bucket=bucket)["BucketArn"] == f"arn:aws:s3:::{bucket}"
