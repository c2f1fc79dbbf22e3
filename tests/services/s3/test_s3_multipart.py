"""S3 multipart uploads through boto3: create, parts, copy parts, complete, abort, list, errors."""

from __future__ import annotations

import base64
import hashlib
import os
import time
import zlib

import pytest
from botocore.exceptions import ClientError

MIB = 1024 * 1024


def error_of(excinfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def multipart_etag(*parts: bytes) -> str:
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def upload_parts(s3, bucket, key, bodies, **create):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    parts = []
    for number, body in enumerate(bodies, 1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    return upload_id, parts


def blob_count(server) -> int:
    path = os.path.join(server.data_dir, "blobs", "s3")
    return len([n for n in os.listdir(path) if not n.startswith(".")])


def test_round_trip_etag_and_headers(s3, bucket):
    first, last = os.urandom(5 * MIB), os.urandom(1234)
    upload_id, parts = upload_parts(s3, bucket, "big/object.bin", [first, last], ContentType="video/mp4",
                                    Metadata={"Origin": "test"}, CacheControl="max-age=60")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big/object.bin", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    assert done["ETag"] == multipart_etag(first, last)
    assert done["Bucket"] == bucket and done["Key"] == "big/object.bin"
    assert done["Location"] == f"{s3.meta.endpoint_url}/{bucket}/big/object.bin"
    assert "VersionId" not in done
    got = s3.get_object(Bucket=bucket, Key="big/object.bin")
    assert got["Body"].read() == first + last
    assert got["ETag"] == done["ETag"]
    assert got["ContentType"] == "video/mp4" and got["CacheControl"] == "max-age=60"
    assert got["Metadata"] == {"origin": "test"}
    assert got["ContentLength"] == len(first) + len(last)
    # a range across the part boundary reads across the part blobs
    ranged = s3.get_object(Bucket=bucket, Key="big/object.bin", Range=f"bytes={5 * MIB - 10}-{5 * MIB + 9}")
    assert ranged["Body"].read() == (first + last)[5 * MIB - 10: 5 * MIB + 10]
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listed] == [("big/object.bin", 5 * MIB + 1234, done["ETag"])]
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_single_small_part_and_empty_object(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "one", [b"only part"])
    done = s3.complete_multipart_upload(Bucket=bucket, Key="one", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert done["ETag"] == multipart_etag(b"only part")
    assert s3.get_object(Bucket=bucket, Key="one")["Body"].read() == b"only part"
    upload_id, parts = upload_parts(s3, bucket, "empty", [b""])
    s3.complete_multipart_upload(Bucket=bucket, Key="empty", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket=bucket, Key="empty")["Body"].read() == b""


def test_part_etag_is_md5_and_reupload_replaces(s3, bucket, server):
    before = blob_count(server)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    first = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"old bytes")
    assert first["ETag"] == f'"{hashlib.md5(b"old bytes").hexdigest()}"'
    second = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"new bytes!")
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [(1, second["ETag"], 10)]
    assert blob_count(server) == before + 1  # the replaced part's blob is gone
    with pytest.raises(ClientError) as excinfo:  # the old ETag no longer names the part
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": first["ETag"]}]})
    assert error_of(excinfo) == ("InvalidPart", 400)
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": second["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"new bytes!"


def test_unused_parts_are_freed_on_complete(s3, bucket, server):
    before = blob_count(server)
    upload_id, parts = upload_parts(s3, bucket, "k", [b"a", b"b", b"c"])
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts[2:]})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"c"
    assert blob_count(server) == before + 1


def test_content_md5_checked(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    good = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"data", ContentMD5=good)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=2, Body=b"data", ContentMD5=wrong)
    assert error_of(excinfo) == ("BadDigest", 400)
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=2, Body=b"data", ContentMD5="nope")
    assert error_of(excinfo) == ("InvalidDigest", 400)
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]] == [1]


@pytest.mark.parametrize("number", [0, 10001])
def test_part_number_out_of_range(s3, bucket, number):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=b"x")
    assert error_of(excinfo) == ("InvalidArgument", 400)
    assert "between 1 and 10000" in excinfo.value.response["Error"]["Message"]


def test_part_number_10000_is_accepted(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=10000, Body=b"x")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 10000, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_entity_too_small(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", [b"small", b"last"])
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert error_of(excinfo) == ("EntityTooSmall", 400)
    # the upload is still there: a failed Complete changes nothing
    assert len(s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]) == 2
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_invalid_part_and_order(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", [b"a", b"b"])
    missing = [{"PartNumber": 7, "ETag": parts[0]["ETag"]}]
    wrong_etag = [{"PartNumber": 1, "ETag": '"' + "0" * 32 + '"'}]
    for listing in (missing, wrong_etag):
        with pytest.raises(ClientError) as excinfo:
            s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                         MultipartUpload={"Parts": listing})
        assert error_of(excinfo) == ("InvalidPart", 400)
    for listing in (list(reversed(parts)), [parts[0], parts[0]]):
        with pytest.raises(ClientError) as excinfo:
            s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                         MultipartUpload={"Parts": listing})
        assert error_of(excinfo) == ("InvalidPartOrder", 400)


def test_empty_part_list_is_malformed(s3, bucket):
    upload_id, _ = upload_parts(s3, bucket, "k", [b"a"])
    for body in ({"Parts": []}, {}):
        with pytest.raises(ClientError) as excinfo:
            s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload=body)
        assert error_of(excinfo) == ("MalformedXML", 400)


def test_no_such_upload_everywhere(s3, bucket):
    bogus = "not-an-upload"
    calls = [
        lambda: s3.upload_part(Bucket=bucket, Key="k", UploadId=bogus, PartNumber=1, Body=b"x"),
        lambda: s3.list_parts(Bucket=bucket, Key="k", UploadId=bogus),
        lambda: s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=bogus),
        lambda: s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=bogus,
                                             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]}),
    ]
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("NoSuchUpload", 404)
    # an upload id is bound to its key
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="other", UploadId=upload_id, PartNumber=1, Body=b"x")
    assert error_of(excinfo) == ("NoSuchUpload", 404)


def test_completed_and_aborted_uploads_are_gone(s3, bucket, server):
    before = blob_count(server)
    upload_id, parts = upload_parts(s3, bucket, "k", [b"a"])
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=2, Body=b"x")
    assert error_of(excinfo) == ("NoSuchUpload", 404)
    # the same Complete again (a retry) succeeds as S3's does; other parts find no upload
    again = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert again["ETag"] == done["ETag"]
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{**parts[0], "PartNumber": 3}]})
    assert error_of(excinfo) == ("NoSuchUpload", 404)
    aborted, _ = upload_parts(s3, bucket, "k2", [b"a", b"b"])
    response = s3.abort_multipart_upload(Bucket=bucket, Key="k2", UploadId=aborted)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (lambda: s3.list_parts(Bucket=bucket, Key="k2", UploadId=aborted),
                 lambda: s3.abort_multipart_upload(Bucket=bucket, Key="k2", UploadId=aborted)):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("NoSuchUpload", 404)
    assert blob_count(server) == before + 1  # only the completed object's part


def test_versioned_complete_makes_versions(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = []
    for body in (b"one", b"two"):
        upload_id, parts = upload_parts(s3, bucket, "k", [body])
        done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                            MultipartUpload={"Parts": parts})
        ids.append(done["VersionId"])
    assert ids[0] != ids[1]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=ids[0])["Body"].read() == b"one"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"


def test_complete_replaces_an_object_and_frees_its_blob(s3, bucket, server):
    before = blob_count(server)
    s3.put_object(Bucket=bucket, Key="k", Body=os.urandom(300_000))
    upload_id, parts = upload_parts(s3, bucket, "k", [b"multi"])
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"multi"
    assert blob_count(server) == before + 1  # the part's blob; the replaced object's bytes are gone


def test_get_and_head_by_part_number(s3, bucket):
    first, second, third = os.urandom(5 * MIB), os.urandom(5 * MIB), b"tail"
    upload_id, parts = upload_parts(s3, bucket, "k", [first, second, third])
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    total = len(first) + len(second) + len(third)
    got = s3.get_object(Bucket=bucket, Key="k", PartNumber=2)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == f"bytes {5 * MIB}-{10 * MIB - 1}/{total}"
    assert got["PartsCount"] == 3 and got["ETag"] == done["ETag"]
    assert got["Body"].read() == second
    head = s3.head_object(Bucket=bucket, Key="k", PartNumber=3)
    assert head["ContentLength"] == 4 and head["PartsCount"] == 3
    assert "PartsCount" not in s3.head_object(Bucket=bucket, Key="k")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", PartNumber=4)
    assert error_of(excinfo) == ("InvalidPartNumber", 416)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", PartNumber=1, Range="bytes=0-1")
    assert error_of(excinfo) == ("InvalidRequest", 400)
    # an object stored by a single PUT is its own part 1
    s3.put_object(Bucket=bucket, Key="plain", Body=b"whole")
    assert s3.get_object(Bucket=bucket, Key="plain", PartNumber=1)["Body"].read() == b"whole"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="plain", PartNumber=2)
    assert error_of(excinfo) == ("InvalidPartNumber", 416)


def test_list_parts_pagination(s3, bucket):
    upload_id, parts = upload_parts(s3, bucket, "k", [bytes([n]) * n for n in range(1, 6)])
    page = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in page["Parts"]] == [1, 2]
    assert page["IsTruncated"] is True and page["NextPartNumberMarker"] == 2 and page["MaxParts"] == 2
    assert page["Initiator"]["ID"] and page["Owner"]["ID"] and page["StorageClass"] == "STANDARD"
    page = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id, MaxParts=2, PartNumberMarker=2)
    assert [p["PartNumber"] for p in page["Parts"]] == [3, 4]
    page = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id, PartNumberMarker=4)
    assert [(p["PartNumber"], p["Size"]) for p in page["Parts"]] == [(5, 5)]
    assert page["IsTruncated"] is False
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"][0]["ETag"] == parts[0]["ETag"]


def test_list_multipart_uploads(s3, bucket):
    made = {}
    for key in ("a/1", "a/2", "b", "b", "c/x/1"):
        made.setdefault(key, []).append(s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    listing = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in listing["Uploads"]] == [
        ("a/1", made["a/1"][0]), ("a/2", made["a/2"][0]), ("b", made["b"][0]), ("b", made["b"][1]),
        ("c/x/1", made["c/x/1"][0])]
    assert listing["IsTruncated"] is False
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=3)
    assert [u["Key"] for u in page["Uploads"]] == ["a/1", "a/2", "b"]
    assert page["IsTruncated"] and page["NextKeyMarker"] == "b" and page["NextUploadIdMarker"] == made["b"][0]
    page = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="b", UploadIdMarker=made["b"][0])
    assert [(u["Key"], u["UploadId"]) for u in page["Uploads"]] == [("b", made["b"][1]), ("c/x/1", made["c/x/1"][0])]
    page = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="b")
    assert [u["Key"] for u in page["Uploads"]] == ["c/x/1"]
    grouped = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in grouped["Uploads"]] == ["b", "b"]
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["a/", "c/"]
    nested = s3.list_multipart_uploads(Bucket=bucket, Prefix="c/", Delimiter="/")
    assert "Uploads" not in nested and [p["Prefix"] for p in nested["CommonPrefixes"]] == ["c/x/"]
    paged = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", MaxUploads=1)
    assert [p["Prefix"] for p in paged["CommonPrefixes"]] == ["a/"] and paged["NextKeyMarker"] == "a/"
    after = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", KeyMarker="a/")
    assert [u["Key"] for u in after["Uploads"]] == ["b", "b"]
    assert [p["Prefix"] for p in after["CommonPrefixes"]] == ["c/"]


def test_list_multipart_uploads_url_encoding(s3, bucket):
    s3.create_multipart_upload(Bucket=bucket, Key="sp ace/ü")
    raw = s3.list_multipart_uploads(Bucket=bucket)
    assert raw["Uploads"][0]["Key"] == "sp ace/ü"
    events = []
    s3.meta.events.register("after-call.s3.ListMultipartUploads", lambda http_response, **kw: events.append(
        http_response.content))
    s3.list_multipart_uploads(Bucket=bucket, EncodingType="url")
    assert b"<Key>sp%20ace/%C3%BC</Key>" in events[-1]


def test_upload_part_copy_ranges_and_conditions(s3, bucket):
    source = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="src", Body=source)
    src_etag = s3.head_object(Bucket=bucket, Key="src")["ETag"]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    whole = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src"})
    assert whole["CopyPartResult"]["ETag"] == src_etag
    piece = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=2,
                                CopySource=f"{bucket}/src", CopySourceRange="bytes=10-109",
                                CopySourceIfMatch=src_etag)
    assert piece["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source[10:110]).hexdigest()}"'
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload_id, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": whole["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": piece["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == source + source[10:110]
    # a multipart source: a range across its parts
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="again")["UploadId"]
    span = s3.upload_part_copy(Bucket=bucket, Key="again", UploadId=upload_id, PartNumber=1,
                               CopySource=f"{bucket}/dst", CopySourceRange=f"bytes={6 * MIB - 5}-{6 * MIB + 4}")
    assert span["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source[-5:] + source[10:15]).hexdigest()}"'
    for kwargs, code in [({"CopySourceIfMatch": '"0000"'}, ("PreconditionFailed", 412)),
                         ({"CopySourceIfNoneMatch": src_etag}, ("PreconditionFailed", 412)),
                         ({"CopySourceRange": f"bytes=0-{6 * MIB}"}, ("InvalidArgument", 400)),
                         ({"CopySourceRange": "bytes=5-"}, ("InvalidArgument", 400))]:
        with pytest.raises(ClientError) as excinfo:
            s3.upload_part_copy(Bucket=bucket, Key="again", UploadId=upload_id, PartNumber=2,
                                CopySource=f"{bucket}/src", **kwargs)
        assert error_of(excinfo) == code, kwargs
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part_copy(Bucket=bucket, Key="again", UploadId=upload_id, PartNumber=2,
                            CopySource=f"{bucket}/missing")
    assert error_of(excinfo) == ("NoSuchKey", 404)


def test_upload_part_copy_from_a_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="src", Body=b"version one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="src", Body=b"version two")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1,
                                 CopySource={"Bucket": bucket, "Key": "src", "VersionId": old})
    assert copied["CopySourceVersionId"] == old
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload_id, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"version one"


def test_crc32_composite_checksum(s3, bucket):
    first, last = os.urandom(5 * MIB), b"end"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32")["UploadId"]
    parts = []
    for number, body in enumerate((first, last), 1):
        response = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=body,
                                  ChecksumAlgorithm="CRC32")
        assert response["ChecksumCRC32"] == crc32_b64(body)
        parts.append({"PartNumber": number, "ETag": response["ETag"], "ChecksumCRC32": response["ChecksumCRC32"]})
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)
    assert listed["ChecksumAlgorithm"] == "CRC32"
    assert [p["ChecksumCRC32"] for p in listed["Parts"]] == [crc32_b64(first), crc32_b64(last)]
    with pytest.raises(ClientError) as excinfo:  # a part checksum that does not match
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": [
            parts[0], {**parts[1], "ChecksumCRC32": crc32_b64(b"other")}]})
    assert error_of(excinfo) == ("InvalidPart", 400)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    raw = zlib.crc32(zlib.crc32(first).to_bytes(4, "big") + zlib.crc32(last).to_bytes(4, "big"))
    expected = base64.b64encode(raw.to_bytes(4, "big")).decode() + "-2"
    assert done["ChecksumCRC32"] == expected and done["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == expected and head["ChecksumType"] == "COMPOSITE"


def test_crc32_full_object_checksum(s3, bucket):
    first, last = os.urandom(5 * MIB), os.urandom(777)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32",
                                           ChecksumType="FULL_OBJECT")["UploadId"]
    parts = []
    for number, body in enumerate((first, last), 1):
        response = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=body,
                                  ChecksumAlgorithm="CRC32")
        parts.append({"PartNumber": number, "ETag": response["ETag"], "ChecksumCRC32": response["ChecksumCRC32"]})
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts},
                                        ChecksumCRC32=crc32_b64(first + last), ChecksumType="FULL_OBJECT")
    assert done["ChecksumCRC32"] == crc32_b64(first + last) and done["ChecksumType"] == "FULL_OBJECT"


def test_default_full_object_crc64nvme(s3, bucket):
    from awscrt.checksums import crc64nvme

    first, last = os.urandom(5 * MIB), os.urandom(999)
    upload_id, parts = upload_parts(s3, bucket, "k", [first, last])
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    expected = base64.b64encode(crc64nvme(first + last).to_bytes(8, "big")).decode()
    assert done["ChecksumCRC64NVME"] == expected and done["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == expected
    # botocore checks a whole-object GET against it as it reads
    assert s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")["Body"].read() == first + last


def test_wrong_part_checksum_refused(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32")["UploadId"]
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"data",
                       ChecksumCRC32=crc32_b64(b"not the data"))
    assert error_of(excinfo) == ("BadDigest", 400)
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"data",
                       ChecksumSHA256=base64.b64encode(hashlib.sha256(b"data").digest()).decode())
    assert error_of(excinfo) == ("InvalidRequest", 400)


def test_create_checks(s3, bucket):
    with pytest.raises(ClientError) as excinfo:
        s3.create_multipart_upload(Bucket=bucket, Key="k", StorageClass="NOPE")
    assert error_of(excinfo) == ("InvalidStorageClass", 400)
    with pytest.raises(ClientError) as excinfo:
        s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256", ChecksumType="FULL_OBJECT")
    assert error_of(excinfo) == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as excinfo:
        s3.create_multipart_upload(Bucket="no-such-bucket-here", Key="k")
    assert error_of(excinfo) == ("NoSuchBucket", 404)
    with pytest.raises(ClientError) as excinfo:
        s3.create_multipart_upload(Bucket=bucket, Key="k" * 1025)
    assert error_of(excinfo) == ("KeyTooLongError", 400)


def test_storage_class_and_tags_carry_to_the_object(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", StorageClass="STANDARD_IA",
                                           Tagging="team=blue&env=test")["UploadId"]
    assert s3.list_multipart_uploads(Bucket=bucket)["Uploads"][0]["StorageClass"] == "STANDARD_IA"
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"x")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.head_object(Bucket=bucket, Key="k")["StorageClass"] == "STANDARD_IA"
    tags = s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "test"), ("team", "blue")]


def test_conditional_complete(s3, bucket):
    s3.put_object(Bucket=bucket, Key="taken", Body=b"first")
    upload_id, parts = upload_parts(s3, bucket, "taken", [b"second"])
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="taken", UploadId=upload_id,
                                     MultipartUpload={"Parts": parts}, IfNoneMatch="*")
    assert error_of(excinfo) == ("PreconditionFailed", 412)
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="taken", UploadId=upload_id,
                                     MultipartUpload={"Parts": parts}, IfMatch='"0123"')
    assert error_of(excinfo) == ("PreconditionFailed", 412)
    current = s3.head_object(Bucket=bucket, Key="taken")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="taken", UploadId=upload_id,
                                 MultipartUpload={"Parts": parts}, IfMatch=current)
    assert s3.get_object(Bucket=bucket, Key="taken")["Body"].read() == b"second"
    upload_id, parts = upload_parts(s3, bucket, "fresh", [b"new"])
    s3.complete_multipart_upload(Bucket=bucket, Key="fresh", UploadId=upload_id,
                                 MultipartUpload={"Parts": parts}, IfNoneMatch="*")
    assert s3.get_object(Bucket=bucket, Key="fresh")["Body"].read() == b"new"


def test_delete_bucket_takes_its_uploads(s3, bucket, server):
    before = blob_count(server)
    upload_parts(s3, bucket, "k", [b"a", b"b"])
    s3.delete_bucket(Bucket=bucket)
    assert blob_count(server) == before  # the two part blobs went with the bucket
    s3.create_bucket(Bucket=bucket)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_part_over_5gib_is_refused_before_the_body(s3, bucket, endpoint):
    from test_s3_put_limits import FIVE_GIB, _put_headers_only

    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    status, body = _put_headers_only(endpoint, f"/{bucket}/k?partNumber=1&uploadId={upload_id}",
                                     {"Content-Length": str(FIVE_GIB + 1)})
    assert status == 400 and b"<Code>EntityTooLarge</Code>" in body
    assert f"<MaxSizeAllowed>{FIVE_GIB}</MaxSizeAllowed>".encode() in body
    assert "Parts" not in s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)


def _start_part_upload(endpoint: str, path: str, body_length: int):
    """A signed UploadPart whose body is sent later (``send``), and its answer read then."""
    import http.client
    from urllib.parse import urlparse

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="PUT", url=endpoint + path,
                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Content-Length": str(body_length)})
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.putrequest("PUT", path, skip_accept_encoding=True)
    for name, value in request.headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    return conn


@pytest.mark.open_mode_only
@pytest.mark.parametrize("ending", ["complete", "abort", "delete-bucket"])
def test_part_in_flight_when_the_upload_ends_is_refused_and_freed(s3, bucket, endpoint, server, ending):
    upload_id, parts = upload_parts(s3, bucket, "k", [b"first"])
    before = blob_count(server)
    conn = _start_part_upload(endpoint, f"/{bucket}/k?partNumber=2&uploadId={upload_id}", 200_000)
    try:
        conn.send(b"x" * 100_000)
        time.sleep(0.2)  # the server is streaming the part to disk now
        if ending == "complete":
            s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
        elif ending == "abort":
            s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
        else:
            s3.delete_bucket(Bucket=bucket)
        conn.send(b"x" * 100_000)
        response = conn.getresponse()
        assert response.status == 404 and b"<Code>NoSuchUpload</Code>" in response.read()
    finally:
        conn.close()
    expected = before if ending == "complete" else before - 1  # the completed object keeps its part
    assert blob_count(server) == expected


def test_upload_part_copy_from_an_archived_object_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen", StorageClass="GLACIER")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1, CopySource=f"{bucket}/cold")
    assert error_of(excinfo) == ("InvalidObjectState", 403)
