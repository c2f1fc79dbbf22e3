"""Raw HTTP requests signed by botocore's own signers, for strict-mode tests that change a
request after signing it or sign it for another service or region than boto3 would."""

from __future__ import annotations

import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(endpoint: str, method: str, path: str, *, service: str, region: str = "us-east-1", body: bytes = b"",
         headers: dict | None = None, key: str = "test", secret: str = "test", token: str | None = None) -> AWSRequest:
    """A SigV4-signed request (S3's signer for ``s3``: it adds ``x-amz-content-sha256``)."""
    request = AWSRequest(method, endpoint + path, data=body, headers=dict(headers or {}))
    signer = botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth
    signer(Credentials(key, secret, token), service, region).add_auth(request)
    return request


def sign_v2(endpoint: str, method: str, path: str, *, body: bytes = b"", headers: dict | None = None,
            key: str = "test", secret: str = "test") -> AWSRequest:
    """An S3 SigV2 (HMAC-SHA1) request."""
    request = AWSRequest(method, endpoint + path, data=body, headers=dict(headers or {}))
    botocore.auth.HmacV1Auth(Credentials(key, secret)).add_auth(request)
    return request


def send(request: AWSRequest | None = None, *, url: str | None = None, method: str | None = None,
         headers: dict | None = None, body: bytes | None = None, extra: dict | None = None):
    """(status, headers, body) of a request as signed (``request``) or as given, with ``extra``
    headers added after signing."""
    if request is not None:
        url, method = request.url, request.method
        headers = {name: (value.decode() if isinstance(value, bytes) else value)
                   for name, value in request.headers.items()}
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
    headers = {**(headers or {}), **(extra or {})}
    http = urllib.request.Request(url, data=body if body else None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(http, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def xml_error(body: bytes) -> dict[str, str]:
    """The members of an S3 (or query) XML error document."""
    root = ET.fromstring(body)
    error = root if root.tag == "Error" else root.find(".//{*}Error")
    return {child.tag.split("}")[-1]: child.text or "" for child in error}
