"""Multipart through the clients that use it on their own: boto3's transfer manager and
``aws s3 cp`` over the CLI's 8 MiB threshold."""

from __future__ import annotations

import hashlib
import io
import os

from boto3.s3.transfer import TransferConfig

MIB = 1024 * 1024
CONFIG = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_upload_file_and_download_file(s3, bucket, tmp_path):
    data = os.urandom(12 * MIB + 321)
    source = tmp_path / "in.bin"
    source.write_bytes(data)
    s3.upload_file(str(source), bucket, "transfer/file.bin", Config=CONFIG)
    head = s3.head_object(Bucket=bucket, Key="transfer/file.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"')  # 5 + 5 + 2 MiB: a multipart object
    target = tmp_path / "out.bin"
    s3.download_file(bucket, "transfer/file.bin", str(target), Config=CONFIG)
    assert sha256(target.read_bytes()) == sha256(data)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_upload_fileobj_round_trip(s3, bucket):
    data = os.urandom(11 * MIB)
    s3.upload_fileobj(io.BytesIO(data), bucket, "stream.bin", Config=CONFIG)
    out = io.BytesIO()
    s3.download_fileobj(bucket, "stream.bin", out, Config=CONFIG)
    assert sha256(out.getvalue()) == sha256(data)
    parts = [s3.head_object(Bucket=bucket, Key="stream.bin", PartNumber=n)["ContentLength"] for n in (1, 2, 3)]
    assert parts == [5 * MIB, 5 * MIB, MIB]


def test_cli_cp_over_the_multipart_threshold(aws_cli, tmp_path):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-multipart")
    data = os.urandom(9 * MIB + 17)  # over the CLI's 8 MiB multipart threshold
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    assert aws_cli("s3", "cp", str(source), "s3://cli-multipart/big.bin", check=False).returncode == 0
    head = aws_cli("s3api", "head-object", "--bucket", "cli-multipart", "--key", "big.bin")
    assert head["ContentLength"] == len(data) and head["ETag"].endswith('-2"')
    target = tmp_path / "back.bin"
    assert aws_cli("s3", "cp", "s3://cli-multipart/big.bin", str(target), check=False).returncode == 0
    assert sha256(target.read_bytes()) == sha256(data)
    listing = aws_cli("s3api", "list-multipart-uploads", "--bucket", "cli-multipart")
    assert not (listing or {}).get("Uploads")
