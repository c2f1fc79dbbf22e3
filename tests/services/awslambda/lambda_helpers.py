"""What Lambda tests share: zips of handler code, an execution role Lambda may assume, and a
Python function created from source in one call."""

from __future__ import annotations

import io
import json
import sys
import zipfile

import pytest
from botocore.exceptions import ClientError

from aws_clients import make_client

# the running interpreter's runtime: the one CI is sure to have
PYTHON_RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"

TRUST_LAMBDA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def zip_of(files: dict[str, str | bytes], *, executable: tuple[str, ...] = ()) -> bytes:
    """A zip holding ``files`` (name -> text or bytes); names in ``executable`` get mode 755."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o100755 if name in executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
    return out.getvalue()


def execution_role(client, name: str = "lambda-exec") -> str:
    """The ARN of a role trusting lambda.amazonaws.com (created through the IAM of the server
    ``client`` talks to; an existing one is reused)."""
    iam = make_client(client.meta.endpoint_url, "iam")
    try:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]
    except ClientError as e:
        if e.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        return iam.get_role(RoleName=name)["Role"]["Arn"]


def create_python_function(client, name: str, code: str, **config) -> dict:
    """CreateFunction of ``code`` as lambda_function.py (handler ``lambda_function.handler``) on
    the running interpreter's runtime; ``config`` adds to or overrides the request."""
    request = {"FunctionName": name, "Runtime": PYTHON_RUNTIME, "Handler": "lambda_function.handler",
               "Code": {"ZipFile": zip_of({"lambda_function.py": code})}}
    if "Role" not in config:
        request["Role"] = execution_role(client)
    request.update(config)
    return client.create_function(**request)


def error_of(call, *args, status: int = 400, **kwargs) -> tuple[str, str]:
    """(code, message) of a call that must fail with a client error of HTTP ``status``."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status, response
    return response["Error"]["Code"], response["Error"]["Message"]
