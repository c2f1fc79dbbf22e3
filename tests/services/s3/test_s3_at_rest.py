"""Object bytes are encrypted at rest: no plaintext in the data dir, ranges read through the
encryption, a restart reads everything back, objects stored before encryption still read."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import stat

import boto3
import pytest
from botocore.config import Config
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from serverproc import ServerProcess

from overcast.services.s3.at_rest import AtRest

MARKER = b"PLAINTEXT-AT-REST-MARKER:"


def _client(endpoint: str):
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}))


def _files_containing(data_dir: str, needle: bytes) -> list[str]:
    found = []
    for folder, _, names in os.walk(data_dir):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                if needle in f.read():
                    found.append(path)
    return found


def _blob_sizes(data_dir: str) -> list[int]:
    folder = os.path.join(data_dir, "blobs", "s3")
    return [entry.stat().st_size for entry in os.scandir(folder) if entry.is_file()]


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def test_no_plaintext_on_disk_in_any_mode(own_server):
    s3 = _client(own_server.endpoint)
    s3.create_bucket(Bucket="secrets")
    big = MARKER * 20_000  # ~500 KiB: a blob file of its own
    small = MARKER * 10  # kept inline in the database
    s3.put_object(Bucket="secrets", Key="big", Body=big)
    s3.put_object(Bucket="secrets", Key="small", Body=small)
    s3.put_object(Bucket="secrets", Key="kms", Body=small + b"kms", ServerSideEncryption="aws:kms")
    s3.put_object(Bucket="secrets", Key="ssec", Body=small + b"c", SSECustomerAlgorithm="AES256",
                  SSECustomerKey=b"c" * 32)
    upload = s3.create_multipart_upload(Bucket="secrets", Key="multi")["UploadId"]
    etag = s3.upload_part(Bucket="secrets", Key="multi", UploadId=upload, PartNumber=1, Body=big)["ETag"]
    s3.complete_multipart_upload(Bucket="secrets", Key="multi", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    s3.copy_object(Bucket="secrets", Key="copy", CopySource="secrets/big", SSECustomerAlgorithm="AES256",
                   SSECustomerKey=b"d" * 32)
    s3.put_object(Bucket="secrets", Key="flush", Body=b"-")  # the small bodies above reach the database
    own_server.stop()  # and the WAL is checkpointed: everything is in the files now
    data_dir = own_server.data_dir
    assert _blob_sizes(data_dir).count(len(big)) >= 3  # big, the part and the copy's link: bytes are there
    assert _files_containing(data_dir, MARKER) == []
    own_server.start()
    s3 = _client(own_server.endpoint)
    assert s3.get_object(Bucket="secrets", Key="big")["Body"].read() == big
    assert s3.get_object(Bucket="secrets", Key="small")["Body"].read() == small
    assert s3.get_object(Bucket="secrets", Key="kms")["Body"].read() == small + b"kms"
    assert s3.get_object(Bucket="secrets", Key="multi")["Body"].read() == big
    got = s3.get_object(Bucket="secrets", Key="ssec", SSECustomerAlgorithm="AES256", SSECustomerKey=b"c" * 32)
    assert got["Body"].read() == small + b"c"
    got = s3.get_object(Bucket="secrets", Key="copy", SSECustomerAlgorithm="AES256", SSECustomerKey=b"d" * 32)
    assert got["Body"].read() == big


def test_service_key_is_private_and_kept_across_restarts(own_server):
    s3 = _client(own_server.endpoint)
    s3.create_bucket(Bucket="keyed")
    s3.put_object(Bucket="keyed", Key="k", Body=b"first")
    path = os.path.join(own_server.data_dir, "s3-service.key")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    with open(path, "rb") as f:
        key = f.read()
    assert mode == 0o600 and len(key) == 32
    own_server.stop()
    own_server.start()
    with open(path, "rb") as f:
        assert f.read() == key
    assert _client(own_server.endpoint).get_object(Bucket="keyed", Key="k")["Body"].read() == b"first"


def test_objects_stored_before_encryption_still_read(own_server):
    s3 = _client(own_server.endpoint)
    s3.create_bucket(Bucket="legacy")
    big, small = os.urandom(300_000), b"small and plain"
    s3.put_object(Bucket="legacy", Key="big", Body=big)
    s3.put_object(Bucket="legacy", Key="small", Body=small)
    s3.put_object(Bucket="legacy", Key="flush", Body=b"-")
    own_server.stop()
    # make both what a server before at-rest encryption wrote: plain bytes, no envelope
    db = sqlite3.connect(os.path.join(own_server.data_dir, "s3.db"))
    with db:
        for key, body in (("big", big), ("small", small)):
            blob, attrs = db.execute("SELECT blob, attrs FROM versions WHERE key = ?", (key,)).fetchone()
            attrs = json.loads(attrs)
            assert attrs.pop("enc")
            db.execute("UPDATE versions SET attrs = ? WHERE key = ?", (json.dumps(attrs), key))
            path = os.path.join(own_server.data_dir, "blobs", "s3", blob)
            if os.path.exists(path):
                with open(path, "wb") as f:
                    f.write(body)
            else:  # a small body, held in its row
                assert db.execute("UPDATE versions SET body = ? WHERE key = ? AND body IS NOT NULL",
                                  (body, key)).rowcount
    db.close()
    own_server.start()
    s3 = _client(own_server.endpoint)
    assert s3.get_object(Bucket="legacy", Key="big")["Body"].read() == big
    assert s3.get_object(Bucket="legacy", Key="small")["Body"].read() == small
    assert s3.get_object(Bucket="legacy", Key="big", Range="bytes=100-199")["Body"].read() == big[100:200]
    s3.copy_object(Bucket="legacy", Key="copied", CopySource="legacy/big")
    assert s3.get_object(Bucket="legacy", Key="copied")["Body"].read() == big


@pytest.mark.parametrize("size", [1000, 200_003])  # inline and in a file of its own
def test_range_reads_decrypt_any_offset(s3, bucket, size):
    body = os.urandom(size)
    s3.put_object(Bucket=bucket, Key="r", Body=body)
    for first, last in ((0, 0), (1, 16), (15, 17), (17, 200), (size - 33, size - 1), (size // 2, size + 50)):
        got = s3.get_object(Bucket=bucket, Key="r", Range=f"bytes={first}-{last}")["Body"].read()
        assert got == body[first:last + 1], (first, last)
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-7")["Body"].read() == body[-7:]


def test_range_reads_across_encrypted_parts(s3, bucket):
    part = 5 * 1024 * 1024
    bodies = [os.urandom(part), os.urandom(part), os.urandom(1234)]
    whole = b"".join(bodies)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=n,
                                                      Body=body)["ETag"]}
             for n, body in enumerate(bodies, start=1)]
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload, MultipartUpload={"Parts": parts})
    for first, last in ((part - 5, part + 7), (part + 3, 2 * part + 100), (2 * part - 1, len(whole) - 1)):
        got = s3.get_object(Bucket=bucket, Key="m", Range=f"bytes={first}-{last}")["Body"].read()
        assert got == whole[first:last + 1], (first, last)
    assert s3.get_object(Bucket=bucket, Key="m", PartNumber=2)["Body"].read() == bodies[1]
    # a copy of a range of it into a new upload's part: decrypted, re-encrypted
    target = s3.create_multipart_upload(Bucket=bucket, Key="t")["UploadId"]
    etag = s3.upload_part_copy(Bucket=bucket, Key="t", UploadId=target, PartNumber=1, CopySource=f"{bucket}/m",
                               CopySourceRange=f"bytes={part - 10}-{part + 9}")["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="t", UploadId=target,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="t")["Body"].read() == whole[part - 10:part + 10]
    # CopyObject of a multipart object makes one new (encrypted) blob
    s3.copy_object(Bucket=bucket, Key="flat", CopySource=f"{bucket}/m")
    assert s3.get_object(Bucket=bucket, Key="flat")["Body"].read() == whole


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 1024, 70_000])
@pytest.mark.parametrize("first_chunk", [1, 16, 1000, None])
def test_a_blob_sealed_in_chunks_is_the_ctr_stream_of_its_envelope(tmp_path, size, first_chunk):
    """The first chunk is sealed by one AES-GCM call (at_rest.py): the bytes must be exactly
    AES-256-CTR under the envelope's data key from its counter, whatever the chunking, and
    read back from any offset."""
    at_rest = AtRest(str(tmp_path))
    data = os.urandom(size)
    seal = at_rest.sealer()
    cut = size if first_chunk is None else min(first_chunk, size)
    sealed = seal(data[:cut]) + b"".join(seal(data[i:i + 4099]) for i in range(cut, size, 4099))
    data_key, counter = at_rest._open(seal.envelope, None)
    assert sealed == Cipher(algorithms.AES(data_key), modes.CTR(counter)).encryptor().update(data)
    for offset in {0, size // 3, max(0, size - 1), size}:
        assert at_rest.decryptor(seal.envelope, None, offset)(sealed[offset:]) == data[offset:]


@pytest.mark.parametrize("offset", [0, 1, 16, 1000])
def test_a_blob_with_a_random_counter_reads_from_any_offset(tmp_path, offset):
    """Blobs sealed before the AES-GCM first chunk have random 128-bit counters: read by CTR."""
    at_rest = AtRest(str(tmp_path))
    data_key, counter, nonce = os.urandom(32), os.urandom(16), os.urandom(12)
    envelope = "1:" + base64.b64encode(nonce + at_rest._service.encrypt(nonce, data_key, None) + counter).decode()
    data = os.urandom(5000)
    sealed = Cipher(algorithms.AES(data_key), modes.CTR(counter)).encryptor().update(data)
    for _ in range(2):  # the second read opens the remembered envelope
        decrypt = at_rest.decryptor(envelope, None, offset)
        assert decrypt(sealed[offset:offset + 7]) + decrypt(sealed[offset + 7:]) == data[offset:]
