"""S3 through the AWS CLI: ``aws s3 cp`` both ways and ``aws s3api`` calls."""

from __future__ import annotations

import hashlib
import os


def test_cp_round_trip(aws_cli, tmp_path):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-bucket")
    source = tmp_path / "in.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 5))  # below the CLI's multipart threshold (8 MiB)
    assert aws_cli("s3", "cp", str(source), "s3://cli-bucket/path/in.bin", check=False).returncode == 0
    target = tmp_path / "out.bin"
    assert aws_cli("s3", "cp", "s3://cli-bucket/path/in.bin", str(target), check=False).returncode == 0
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
    listing = aws_cli("s3api", "list-objects-v2", "--bucket", "cli-bucket")
    assert [o["Key"] for o in listing["Contents"]] == ["path/in.bin"]
    head = aws_cli("s3api", "head-object", "--bucket", "cli-bucket", "--key", "path/in.bin")
    assert head["ContentLength"] == source.stat().st_size
    assert aws_cli("s3api", "get-bucket-location", "--bucket", "cli-bucket")["LocationConstraint"] is None
