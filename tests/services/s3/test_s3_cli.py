"""S3 through the AWS CLI: the high-level ``aws s3`` commands (mb, ls, cp, sync, rm, rb,
presign), multipart uploads as the CLI makes them, and ``aws s3api`` calls."""

from __future__ import annotations

import hashlib
import os
import time
import urllib.request


def _run(aws_cli, *args, env=None):
    """Run an ``aws s3`` command that prints text; returns its stdout (fails the test on error)."""
    proc = aws_cli(*args, check=False, env=env)
    assert proc.returncode == 0, f"aws {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}"
    return proc.stdout


def _tree(root) -> dict[str, str]:
    """relative path -> SHA-256 of every file under ``root``."""
    out = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root).replace(os.sep, "/")] = hashlib.sha256(f.read()).hexdigest()
    return out


def test_cp_round_trip(aws_cli, tmp_path):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-bucket")
    source = tmp_path / "in.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 5))  # below the CLI's multipart threshold (8 MiB)
    _run(aws_cli, "s3", "cp", str(source), "s3://cli-bucket/path/in.bin")
    target = tmp_path / "out.bin"
    _run(aws_cli, "s3", "cp", "s3://cli-bucket/path/in.bin", str(target))
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
    listing = aws_cli("s3api", "list-objects-v2", "--bucket", "cli-bucket")
    assert [o["Key"] for o in listing["Contents"]] == ["path/in.bin"]
    head = aws_cli("s3api", "head-object", "--bucket", "cli-bucket", "--key", "path/in.bin")
    assert head["ContentLength"] == source.stat().st_size
    assert aws_cli("s3api", "get-bucket-location", "--bucket", "cli-bucket")["LocationConstraint"] is None


def test_mb_ls_rb(aws_cli):
    assert _run(aws_cli, "s3", "mb", "s3://cli-made").strip() == "make_bucket: cli-made"
    assert "cli-made" in _run(aws_cli, "s3", "ls").split()
    failed = aws_cli("s3", "mb", "s3://Not_A_Bucket", check=False)
    assert failed.returncode != 0 and "InvalidBucketName" in failed.stderr
    assert _run(aws_cli, "s3", "rb", "s3://cli-made").strip() == "remove_bucket: cli-made"
    assert "cli-made" not in _run(aws_cli, "s3", "ls").split()


def test_rb_refuses_a_bucket_with_objects_unless_forced(aws_cli, tmp_path):
    _run(aws_cli, "s3", "mb", "s3://cli-full")
    (tmp_path / "f.txt").write_text("data")
    _run(aws_cli, "s3", "cp", str(tmp_path / "f.txt"), "s3://cli-full/a/f.txt")
    refused = aws_cli("s3", "rb", "s3://cli-full", check=False)
    assert refused.returncode != 0 and "BucketNotEmpty" in refused.stderr
    out = _run(aws_cli, "s3", "rb", "--force", "s3://cli-full")
    assert "delete: s3://cli-full/a/f.txt" in out and "remove_bucket: cli-full" in out
    assert "cli-full" not in _run(aws_cli, "s3", "ls").split()


def test_sync_up_and_down_uploads_only_what_changed(aws_cli, tmp_path):
    local = tmp_path / "site"
    (local / "css").mkdir(parents=True)
    (local / "index.html").write_text("<h1>hello</h1>")
    (local / "css" / "main.css").write_text("body { color: red }")
    (local / "old.txt").write_text("to be removed")
    (local / "ünï cödé.txt").write_text("unicode names travel too")
    # S3 keeps LastModified in whole seconds (as AWS does): files written within the second
    # of their upload would look newer than their copies, and sync would send them again
    settled = int(time.time()) - 10
    for path in local.rglob("*"):
        os.utime(path, (settled, settled))
    _run(aws_cli, "s3", "mb", "s3://cli-sync")
    first = _run(aws_cli, "s3", "sync", str(local), "s3://cli-sync/site")
    assert first.count("upload:") == 4

    again = _run(aws_cli, "s3", "sync", str(local), "s3://cli-sync/site")
    assert "upload:" not in again  # sizes and times match: nothing to send

    (local / "index.html").write_text("<h1>hello, world</h1>")  # another size: changed
    (local / "new.txt").write_text("new file")
    (local / "old.txt").unlink()
    changed = _run(aws_cli, "s3", "sync", "--delete", "--no-progress", str(local), "s3://cli-sync/site")
    assert sorted(line.split()[0] for line in changed.splitlines() if line.strip()) == ["delete:", "upload:", "upload:"]
    assert "s3://cli-sync/site/old.txt" in changed

    listed = _run(aws_cli, "s3", "ls", "--recursive", "s3://cli-sync/site/")
    assert sorted(line.split(None, 3)[3] for line in listed.splitlines()) == sorted(
        f"site/{name}" for name in _tree(local))
    down = tmp_path / "down"
    _run(aws_cli, "s3", "sync", "s3://cli-sync/site", str(down))
    assert _tree(down) == _tree(local)


def test_ls_shows_prefixes_and_objects_of_one_level(aws_cli, tmp_path):
    _run(aws_cli, "s3", "mb", "s3://cli-ls")
    (tmp_path / "f").write_bytes(b"12345")
    for key in ("top.txt", "dir/a.txt", "dir/sub/b.txt"):
        _run(aws_cli, "s3", "cp", str(tmp_path / "f"), f"s3://cli-ls/{key}")
    top = _run(aws_cli, "s3", "ls", "s3://cli-ls/").splitlines()
    assert any(line.split() == ["PRE", "dir/"] for line in top)
    assert any(line.endswith(" 5 top.txt") for line in top)
    inside = _run(aws_cli, "s3", "ls", "s3://cli-ls/dir/").splitlines()
    assert [line.split()[-1] for line in inside] == ["sub/", "a.txt"]


def test_rm_one_key_and_recursive(aws_cli, tmp_path):
    _run(aws_cli, "s3", "mb", "s3://cli-rm")
    (tmp_path / "f").write_text("x")
    for key in ("keep.txt", "logs/1.txt", "logs/2.txt", "logs/deep/3.txt"):
        _run(aws_cli, "s3", "cp", str(tmp_path / "f"), f"s3://cli-rm/{key}")
    assert _run(aws_cli, "s3", "rm", "s3://cli-rm/logs/1.txt").strip() == "delete: s3://cli-rm/logs/1.txt"
    out = _run(aws_cli, "s3", "rm", "--recursive", "s3://cli-rm/logs/")
    assert out.count("delete:") == 2
    keys = [o["Key"] for o in aws_cli("s3api", "list-objects-v2", "--bucket", "cli-rm")["Contents"]]
    assert keys == ["keep.txt"]


def test_cp_uses_multipart_above_the_threshold(aws_cli, tmp_path):
    config = tmp_path / "aws-config"
    config.write_text("[default]\ns3 =\n  multipart_threshold = 5MB\n  multipart_chunksize = 5MB\n")
    _run(aws_cli, "s3", "mb", "s3://cli-multi")
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(12 * 1024 * 1024 + 7))  # three parts of 5, 5 and 2 MiB
    _run(aws_cli, "s3", "cp", str(source), "s3://cli-multi/big.bin")
    head = aws_cli("s3api", "head-object", "--bucket", "cli-multi", "--key", "big.bin")
    assert head["ETag"].endswith('-3"') and head["ContentLength"] == source.stat().st_size
    target = tmp_path / "back.bin"
    _run(aws_cli, "s3", "cp", "s3://cli-multi/big.bin", str(target))
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
    assert aws_cli("s3api", "list-multipart-uploads", "--bucket", "cli-multi").get("Uploads") is None


def test_s3api_object_calls(aws_cli, tmp_path):
    aws_cli("s3api", "create-bucket", "--bucket", "cli-api")
    body = tmp_path / "body.json"
    body.write_text('{"hello": "world"}')
    put = aws_cli("s3api", "put-object", "--bucket", "cli-api", "--key", "doc.json", "--body", str(body),
                  "--content-type", "application/json", "--metadata", "owner=team-a")
    assert put["ETag"] == '"%s"' % hashlib.md5(body.read_bytes()).hexdigest()
    out = tmp_path / "out.json"
    got = aws_cli("s3api", "get-object", "--bucket", "cli-api", "--key", "doc.json", str(out))
    assert got["ContentType"] == "application/json" and got["Metadata"] == {"owner": "team-a"}
    assert out.read_text() == body.read_text()
    aws_cli("s3api", "put-bucket-versioning", "--bucket", "cli-api",
            "--versioning-configuration", "Status=Enabled")
    v2 = aws_cli("s3api", "put-object", "--bucket", "cli-api", "--key", "doc.json", "--body", str(body))["VersionId"]
    versions = aws_cli("s3api", "list-object-versions", "--bucket", "cli-api")["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(v2, True), ("null", False)]
    missing = aws_cli("s3api", "get-object", "--bucket", "cli-api", "--key", "nope", str(out), check=False)
    assert missing.returncode != 0 and "NoSuchKey" in missing.stderr


def test_presign_gives_a_url_any_http_client_can_read(aws_cli, tmp_path):
    _run(aws_cli, "s3", "mb", "s3://cli-presign")
    (tmp_path / "f").write_bytes(b"shared by link")
    _run(aws_cli, "s3", "cp", str(tmp_path / "f"), "s3://cli-presign/f")
    url = _run(aws_cli, "s3", "presign", "s3://cli-presign/f", "--expires-in", "300").strip()
    assert "X-Amz-Signature=" in url or "Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"shared by link"
