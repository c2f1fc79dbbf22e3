"""What tests share besides fixtures: boto3 clients for a server, and the run's mode.

Import from here, never ``from aws_clients import ...``: several directories have a conftest.py
and which one a bare ``conftest`` names depends on collection order."""

from __future__ import annotations

import os

import boto3
from botocore.config import Config

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
STRICT = os.environ.get("OVERCAST_TEST_MODE") == "strict"


def make_client(endpoint: str, service: str, region: str = REGION, **kwargs):
    """A boto3 client for ``service`` pointed at Overcast (test/test credentials by default)."""
    creds = {**CREDENTIALS, **{k: kwargs.pop(k) for k in list(kwargs) if k.startswith("aws_")}}
    config = kwargs.pop("config", None) or Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=60)
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name=region, config=config, **creds, **kwargs
    )
