"""Shared S3 fixtures: a boto3 client and a bucket factory."""

from __future__ import annotations

import itertools

import pytest

_names = itertools.count(1)


@pytest.fixture
def s3(aws_client):
    return aws_client("s3")


@pytest.fixture
def bucket(s3):
    """A new, empty bucket's name."""
    name = f"bucket-{next(_names)}"
    s3.create_bucket(Bucket=name)
    return name
