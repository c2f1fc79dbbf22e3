"""Flexible checksums on PutObject: every algorithm through boto3, headers and aws-chunked
trailers on the wire, the errors S3 answers, the default CRC64NVME, and presigned uploads
whose URL carries checksum query parameters (ignored, as AWS does).

Expected values come from implementations independent of the server's: hashlib, zlib,
pure-Python CRC32C / CRC64NVME below, and xxhash from the client-side awscrt one-shots.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import zlib
from urllib.parse import urlparse

import pytest
import requests
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

CREDS = Credentials("test", "test")


def _reflected_crc(poly: int, width: int):
    """A bitwise reflected CRC with all-ones init and final xor (CRC32C, CRC64/NVME)."""
    mask = (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)

    def crc(data: bytes) -> bytes:
        value = mask
        for byte in data:
            value = table[(value ^ byte) & 0xFF] ^ (value >> 8)
        return (value ^ mask).to_bytes(width // 8, "big")

    return crc


_crc32c = _reflected_crc(0x82F63B78, 32)
_crc64nvme = _reflected_crc(0x9A6C9329AC4BC9B5, 64)


def _xxhash(kind: str):
    from awscrt.checksums import XXHash
    return getattr(XXHash, f"compute_{kind}")


REFERENCE = {
    "CRC32": lambda d: zlib.crc32(d).to_bytes(4, "big"),
    "CRC32C": _crc32c,
    "CRC64NVME": _crc64nvme,
    "SHA1": lambda d: hashlib.sha1(d).digest(),
    "SHA256": lambda d: hashlib.sha256(d).digest(),
    "SHA512": lambda d: hashlib.sha512(d).digest(),
    "XXHASH64": lambda d: _xxhash("xxhash64")(d),
    "XXHASH3": lambda d: _xxhash("xxhash3_64")(d),
    "XXHASH128": lambda d: _xxhash("xxhash3_128")(d),
}
ALGORITHMS = list(REFERENCE)


def expected(algorithm: str, data: bytes) -> str:
    return base64.b64encode(REFERENCE[algorithm](data)).decode()


def test_reference_crcs_match_published_check_values():
    # the catalogue's check values of "123456789" (CRC RevEng): the references are right
    assert _crc32c(b"123456789").hex() == "e3069283"
    assert _crc64nvme(b"123456789").hex() == "ae8b14860a799888"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_boto3_checksum_algorithm_round_trip(s3, bucket, algorithm):
    data = os.urandom(70_000) + "ünï".encode()
    put = s3.put_object(Bucket=bucket, Key="obj", Body=data, ChecksumAlgorithm=algorithm)
    value = expected(algorithm, data)
    assert put[f"Checksum{algorithm}"] == value
    assert put["ChecksumType"] == "FULL_OBJECT"
    assert put["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    head = s3.head_object(Bucket=bucket, Key="obj", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == value and head["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="obj", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == value and got["Body"].read() == data


def test_checksum_returned_only_with_checksum_mode(endpoint, bucket, aws_client):
    # a client that never adds ChecksumMode by itself
    s3 = aws_client("s3", config=Config(response_checksum_validation="when_required",
                                        request_checksum_calculation="when_required"))
    s3.put_object(Bucket=bucket, Key="obj", Body=b"data", ChecksumAlgorithm="SHA256")
    head = s3.head_object(Bucket=bucket, Key="obj")
    assert not [name for name in head if name.startswith("Checksum")]
    assert s3.head_object(Bucket=bucket, Key="obj", ChecksumMode="ENABLED")["ChecksumSHA256"] == expected(
        "SHA256", b"data")


def test_upload_without_checksum_gets_default_crc64nvme(bucket, aws_client):
    s3 = aws_client("s3", config=Config(request_checksum_calculation="when_required"))
    data = b"no checksum sent" * 100
    put = s3.put_object(Bucket=bucket, Key="plain", Body=data)
    assert put["ChecksumCRC64NVME"] == expected("CRC64NVME", data)
    head = s3.head_object(Bucket=bucket, Key="plain", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == expected("CRC64NVME", data)
    assert head["ChecksumType"] == "FULL_OBJECT"


def _raw_put(endpoint: str, path: str, body: bytes, headers: dict) -> requests.Response:
    request = AWSRequest(method="PUT", url=endpoint + path,
                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD", **headers})
    S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(request)
    return requests.put(endpoint + path, data=body, headers=dict(request.headers.items()), timeout=30)


def _error(response: requests.Response) -> tuple[int, str, str]:
    text = response.text
    code = text.split("<Code>")[1].split("</Code>")[0] if "<Code>" in text else ""
    message = text.split("<Message>")[1].split("</Message>")[0] if "<Message>" in text else ""
    return response.status_code, code, message


@pytest.mark.open_mode_only
@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"])
def test_header_checksum_without_sdk_algorithm(s3, bucket, endpoint, algorithm):
    data = b"header checksum " * 50
    response = _raw_put(endpoint, f"/{bucket}/h", data, {f"x-amz-checksum-{algorithm.lower()}":
                                                          expected(algorithm, data)})
    assert response.status_code == 200, response.text
    assert response.headers[f"x-amz-checksum-{algorithm.lower()}"] == expected(algorithm, data)


@pytest.mark.open_mode_only
@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"])
def test_wrong_header_value_is_bad_digest(s3, bucket, endpoint, algorithm):
    data = b"the real body"
    response = _raw_put(endpoint, f"/{bucket}/bad", data, {f"x-amz-checksum-{algorithm.lower()}":
                                                            expected(algorithm, b"another body")})
    assert _error(response) == (400, "BadDigest",
                                f"The {algorithm} you specified did not match the calculated checksum.")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


@pytest.mark.parametrize("value", ["not base64!", "AAAA", base64.b64encode(b"x" * 9).decode()])
def test_malformed_header_value_is_invalid_request(s3, bucket, endpoint, value):
    response = _raw_put(endpoint, f"/{bucket}/bad", b"body", {"x-amz-checksum-crc32c": value})
    assert _error(response) == (400, "InvalidRequest", "Value for x-amz-checksum-crc32c header is invalid.")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_two_checksum_headers_are_refused(s3, bucket, endpoint):
    data = b"body"
    response = _raw_put(endpoint, f"/{bucket}/two", data, {"x-amz-checksum-crc32": expected("CRC32", data),
                                                            "x-amz-checksum-sha1": expected("SHA1", data)})
    status, code, _ = _error(response)
    assert (status, code) == (400, "InvalidRequest")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_sdk_algorithm_must_match_a_checksum(bucket, endpoint):
    alone = _raw_put(endpoint, f"/{bucket}/a", b"body", {"x-amz-sdk-checksum-algorithm": "CRC32"})
    assert _error(alone) == (400, "InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding "
                                                    "x-amz-checksum-* or x-amz-trailer headers were found.")
    other = _raw_put(endpoint, f"/{bucket}/a", b"body", {"x-amz-sdk-checksum-algorithm": "SHA256",
                                                         "x-amz-checksum-crc32": expected("CRC32", b"body")})
    assert _error(other) == (400, "InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.")


def _chunked_put(endpoint: str, path: str, payload: bytes, algorithm: str, value: str, sdk: bool = True):
    """aws-chunked body with the checksum as a trailer (what boto3 sends over HTTPS)."""
    name = f"x-amz-checksum-{algorithm.lower()}"
    body = b""
    for i in range(0, len(payload), 65536):
        piece = payload[i:i + 65536]
        body += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    body += b"0\r\n" + f"{name}:{value}\r\n\r\n".encode()
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(payload)),
               "x-amz-trailer": name, "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
               "Content-Length": str(len(body))}
    if sdk:
        headers["x-amz-sdk-checksum-algorithm"] = algorithm
    request = AWSRequest(method="PUT", url=endpoint + path, headers=headers)
    request.context["checksum"] = {"request_algorithm": {"in": "trailer", "algorithm": algorithm.lower(),
                                                         "name": name}}
    S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(request)
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("PUT", path, body=body, headers=dict(request.headers.items()))
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"])
def test_trailer_checksum(s3, bucket, endpoint, algorithm):
    payload = os.urandom(150_000)
    status, headers, body = _chunked_put(endpoint, f"/{bucket}/t", payload, algorithm, expected(algorithm, payload))
    assert status == 200, body
    lowered = {k.lower(): v for k, v in headers.items()}
    assert lowered[f"x-amz-checksum-{algorithm.lower()}"] == expected(algorithm, payload)
    head = s3.head_object(Bucket=bucket, Key="t", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == expected(algorithm, payload)
    assert s3.get_object(Bucket=bucket, Key="t")["Body"].read() == payload


@pytest.mark.parametrize("algorithm", ["CRC32C", "CRC64NVME", "SHA256"])
def test_wrong_trailer_is_bad_digest(s3, bucket, endpoint, algorithm):
    status, _, body = _chunked_put(endpoint, f"/{bucket}/t", b"payload" * 100, algorithm,
                                   expected(algorithm, b"other"), sdk=False)
    assert status == 400 and b"<Code>BadDigest</Code>" in body
    assert f"The {algorithm} you specified did not match the calculated checksum.".encode() in body
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_presigned_put_ignores_checksum_query_parameters(s3, bucket, endpoint):
    # as the JavaScript SDK signs it: the CRC32 of an empty body, hoisted into the query string
    url = (f"{endpoint}/{bucket}/presigned?x-amz-checksum-crc32=AAAAAA%3D%3D"
           "&x-amz-sdk-checksum-algorithm=CRC32")
    request = AWSRequest(method="PUT", url=url, headers={})
    S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=300).add_auth(request)
    data = b"a body that is not empty"
    response = requests.put(request.url, data=data, timeout=30)
    assert response.status_code == 200, response.text
    assert s3.get_object(Bucket=bucket, Key="presigned")["Body"].read() == data


def test_presigned_put_with_checksum_query_in_strict_mode(tmp_path):
    """With signatures verified: the signed query's checksum parameters are still ignored."""
    from serverproc import ServerProcess

    server = ServerProcess(str(tmp_path / "strict"), "--strict").start()
    try:
        endpoint = server.endpoint
        create = AWSRequest(method="PUT", url=f"{endpoint}/strict-bucket",
                            headers={"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()})
        S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(create)
        assert requests.put(create.url, headers=dict(create.headers.items()), timeout=10).status_code == 200
        url = f"{endpoint}/strict-bucket/p?x-amz-checksum-crc32=AAAAAA%3D%3D&x-amz-sdk-checksum-algorithm=CRC32"
        request = AWSRequest(method="PUT", url=url, headers={})
        S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=300).add_auth(request)
        response = requests.put(request.url, data=b"uploaded from a browser", timeout=10)
        assert response.status_code == 200, response.text
        get = AWSRequest(method="GET", url=f"{endpoint}/strict-bucket/p", headers={})
        S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=300).add_auth(get)
        assert requests.get(get.url, timeout=10).content == b"uploaded from a browser"
    finally:
        server.stop()
