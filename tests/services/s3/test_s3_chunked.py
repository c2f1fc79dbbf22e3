"""PutObject with an aws-chunked body and a CRC32 trailer, as boto3 sends over HTTPS
(``STREAMING-UNSIGNED-PAYLOAD-TRAILER``): stored de-chunked, trailer checked."""

from __future__ import annotations

import base64
import http.client
import os
import zlib
from urllib.parse import urlparse

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def _crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def _chunked_put(endpoint: str, path: str, payload: bytes, trailer_crc: str) -> tuple[int, bytes]:
    body = b""
    for i in range(0, len(payload), 65536):
        piece = payload[i:i + 65536]
        body += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    body += b"0\r\n" + f"x-amz-checksum-crc32:{trailer_crc}\r\n\r\n".encode()
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(payload)),
               "x-amz-trailer": "x-amz-checksum-crc32", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
               "Content-Length": str(len(body))}
    request = AWSRequest(method="PUT", url=endpoint + path, headers=headers)
    # botocore signs the trailer mode it is told the checksum travels in (else it rewrites the header)
    request.context["checksum"] = {"request_algorithm": {"in": "trailer", "algorithm": "crc32",
                                                         "name": "x-amz-checksum-crc32"}}
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("PUT", path, body=body, headers=dict(request.headers.items()))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("size", [0, 100, 200_000])
def test_chunked_upload_with_crc32_trailer(s3, bucket, endpoint, size):
    payload = os.urandom(size)
    status, _ = _chunked_put(endpoint, f"/{bucket}/chunked", payload, _crc32(payload))
    assert status == 200
    assert s3.get_object(Bucket=bucket, Key="chunked")["Body"].read() == payload


def test_chunked_upload_with_wrong_trailer_is_refused(s3, bucket, endpoint):
    status, body = _chunked_put(endpoint, f"/{bucket}/bad", b"payload" * 100, _crc32(b"other"))
    assert status == 400 and b"BadDigest" in body
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
