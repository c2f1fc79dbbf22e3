"""S3 browser uploads: ``POST /<bucket>`` with an HTML form and a POST policy, from boto3's
``generate_presigned_post`` + ``requests`` and from a hand-built browser-style form."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from botocore.config import Config
from serverproc import ServerProcess

STRICT_KEY, STRICT_SECRET = "AKIAPOSTFORMEXAMPLE", "postformsecret"


def client(endpoint: str, signature_version: str | None = None, key: str = "test", secret: str = "test"):
    options = {"retries": {"max_attempts": 1}, "connect_timeout": 5, "read_timeout": 30}
    if signature_version:
        options["signature_version"] = signature_version
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
        aws_secret_access_key=secret, config=Config(**options),
    )


def error_of(response) -> dict:
    root = ET.fromstring(response.content)
    assert root.tag == "Error", response.text
    return {child.tag: child.text for child in root}


def expect_error(response, status: int, code: str, message: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["Code"] == code, error
    if message is not None:
        assert error["Message"] == message, error
    return error


def upload(post: dict, data: bytes = b"form file", filename: str = "file.txt", content_type: str = "text/plain",
           extra: dict | None = None, **kwargs):
    fields = {**post["fields"], **(extra or {})}
    return requests.post(post["url"], data=fields, files={"file": (filename, data, content_type)}, timeout=30,
                         **kwargs)


def policy_of(post: dict) -> dict:
    return json.loads(base64.b64decode(post["fields"]["policy"]))


def signed_v2(policy: dict, secret: str = "test", key: str = "test") -> dict:
    """SigV2 form fields for ``policy``, signed by hand (as a browser app's server would)."""
    import hmac

    text = base64.b64encode(json.dumps(policy).encode()).decode()
    signature = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()
    return {"AWSAccessKeyId": key, "policy": text, "signature": signature}


def expiry(seconds: float = 3600) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + seconds))


SIGNERS = ["s3v4", "s3"]


# -- boto3's generate_presigned_post ------------------------------------------------------------


@pytest.mark.parametrize("signer", SIGNERS)
def test_presigned_post_with_fields_and_conditions(endpoint, s3, bucket, signer):
    post = client(endpoint, signer).generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"Content-Type": "image/png", "x-amz-meta-owner": "alice", "Cache-Control": "max-age=60"},
        Conditions=[{"Content-Type": "image/png"}, {"x-amz-meta-owner": "alice"}, {"Cache-Control": "max-age=60"},
                    ["starts-with", "$key", "uploads/"], ["content-length-range", 1, 1024 * 1024]],
    )
    if signer == "s3v4":
        assert post["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    else:
        assert "AWSAccessKeyId" in post["fields"]
    response = upload(post, b"\x89PNG not really", filename="cat.png", content_type="image/png")
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert response.headers["ETag"] == '"%s"' % hashlib.md5(b"\x89PNG not really").hexdigest()
    assert response.headers["Location"].endswith(f"/{bucket}/uploads/cat.png")
    got = s3.get_object(Bucket=bucket, Key="uploads/cat.png")
    assert got["Body"].read() == b"\x89PNG not really"
    assert got["ContentType"] == "image/png"
    assert got["Metadata"] == {"owner": "alice"}
    assert got["CacheControl"] == "max-age=60"


def test_part_content_type_is_not_the_object_content_type(endpoint, s3, bucket):
    # the Content-Type of the file's part is the browser's guess; S3 stores only the field's
    post = client(endpoint).generate_presigned_post(bucket, "plain.bin")
    assert upload(post, content_type="text/html").status_code == 204
    assert s3.head_object(Bucket=bucket, Key="plain.bin")["ContentType"] == "binary/octet-stream"


def test_success_action_status_200_and_201(endpoint, s3, bucket):
    presigner = client(endpoint, "s3v4")
    post = presigner.generate_presigned_post(bucket, "ok200.txt", Fields={"success_action_status": "200"},
                                             Conditions=[{"success_action_status": "200"}])
    response = upload(post)
    assert (response.status_code, response.content) == (200, b"")
    post = presigner.generate_presigned_post(bucket, "dir/ok 201.txt", Fields={"success_action_status": "201"},
                                             Conditions=[{"success_action_status": "201"}])
    response = upload(post, b"created")
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    assert root.tag == "PostResponse"
    document = {child.tag: child.text for child in root}
    assert document["Bucket"] == bucket and document["Key"] == "dir/ok 201.txt"
    assert document["ETag"] == '"%s"' % hashlib.md5(b"created").hexdigest()
    assert document["Location"].endswith(f"/{bucket}/dir/ok%20201.txt")
    assert s3.get_object(Bucket=bucket, Key="dir/ok 201.txt")["Body"].read() == b"created"
    # an unrecognised status is the default 204
    post = presigner.generate_presigned_post(bucket, "odd.txt", Fields={"success_action_status": "302"},
                                             Conditions=[{"success_action_status": "302"}])
    assert upload(post).status_code == 204


def test_success_action_redirect(endpoint, bucket):
    target = "https://app.example.com/done?from=upload"
    post = client(endpoint, "s3v4").generate_presigned_post(
        bucket, "redirected.txt", Fields={"success_action_redirect": target},
        Conditions=[{"success_action_redirect": target}],
    )
    response = upload(post, b"moved", allow_redirects=False)
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", "app.example.com", "/done")
    query = parse_qs(location.query)
    assert query == {"from": ["upload"], "bucket": [bucket], "key": ["redirected.txt"],
                     "etag": ['"%s"' % hashlib.md5(b"moved").hexdigest()]}


def test_versioned_bucket_answers_the_version(endpoint, s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    post = client(endpoint, "s3v4").generate_presigned_post(bucket, "v.txt")
    first = upload(post, b"one").headers["x-amz-version-id"]
    second = upload(post, b"two").headers["x-amz-version-id"]
    assert first != second
    assert s3.get_object(Bucket=bucket, Key="v.txt", VersionId=first)["Body"].read() == b"one"
    assert s3.get_object(Bucket=bucket, Key="v.txt")["Body"].read() == b"two"


def test_a_few_mib_stream_byte_identical(endpoint, s3, bucket):
    data = hashlib.sha256(b"seed").digest() * (3 * 1024 * 1024 // 32 + 7)
    post = client(endpoint, "s3v4").generate_presigned_post(bucket, "big.bin")
    response = upload(post, data, content_type="application/octet-stream")
    assert response.status_code == 204
    body = s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest() and len(body) == len(data)


# -- a browser's form, byte by byte ---------------------------------------------------------------


def browser_form(fields: list[tuple[str, str]], filename: str, part_type: str, data: bytes, after=()) -> tuple:
    """(body, content type) as a browser sends a form: fields in order, the file, then any
    later fields (a submit button)."""
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    out = []
    for name, value in fields:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
               f"Content-Type: {part_type}\r\n\r\n".encode() + data + b"\r\n")
    for name, value in after:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def test_hand_built_browser_form(endpoint, s3, bucket):
    policy = {"expiration": expiry(), "conditions": [
        {"bucket": bucket}, ["starts-with", "$key", "photos/"], {"acl": "private"},
        ["starts-with", "$Content-Type", "image/"], ["eq", "$x-amz-meta-album", "summer"],
        ["content-length-range", 0, 10000],
    ]}
    fields = [("key", "photos/${filename}"), ("acl", "private"), ("Content-Type", "image/jpeg"),
              ("x-amz-meta-album", "summer"), ("x-ignore-tracking", "anything"), *signed_v2(policy).items()]
    data = b"\xff\xd8\xff jpeg bytes \r\n--not-a-boundary\r\n"
    body, content_type = browser_form(fields, "beach day.jpg", "image/jpeg", data, after=[("submit", "Upload")])
    response = requests.post(f"{endpoint}/{bucket}", data=body, headers={"Content-Type": content_type}, timeout=30)
    assert response.status_code == 204, response.text
    got = s3.get_object(Bucket=bucket, Key="photos/beach day.jpg")
    assert got["Body"].read() == data
    assert (got["ContentType"], got["Metadata"]) == ("image/jpeg", {"album": "summer"})


def test_virtual_hosted_form_post(endpoint, s3, bucket):
    policy = {"expiration": expiry(), "conditions": [{"bucket": bucket}, {"key": "vhost.txt"}]}
    fields = [("key", "vhost.txt"), *signed_v2(policy).items()]
    body, content_type = browser_form(fields, "v.txt", "text/plain", b"virtual form")
    port = urlsplit(endpoint).port
    response = requests.post(f"{endpoint}/", data=body, timeout=30,
                             headers={"Content-Type": content_type, "Host": f"{bucket}.localhost:{port}"})
    assert response.status_code == 204, response.text
    assert response.headers["Location"] == f"http://{bucket}.localhost:{port}/vhost.txt"
    assert s3.get_object(Bucket=bucket, Key="vhost.txt")["Body"].read() == b"virtual form"


@pytest.mark.open_mode_only
def test_unsigned_form_without_policy_in_open_mode(endpoint, s3, bucket):
    body, content_type = browser_form([("key", "anon.txt")], "a.txt", "text/plain", b"anonymous")
    response = requests.post(f"{endpoint}/{bucket}", data=body, headers={"Content-Type": content_type}, timeout=30)
    assert response.status_code == 204, response.text
    assert s3.get_object(Bucket=bucket, Key="anon.txt")["Body"].read() == b"anonymous"


# -- errors ----------------------------------------------------------------------------------------


def test_expired_policy(endpoint, bucket):
    post = client(endpoint, "s3v4").generate_presigned_post(bucket, "late.txt", ExpiresIn=60)
    requests.post(endpoint + "/_overcast/clock", data=json.dumps({"advance": 120}), timeout=10).raise_for_status()
    expect_error(upload(post), 403, "AccessDenied", "Invalid according to Policy: Policy expired.")


def test_condition_failures(endpoint, bucket):
    presigner = client(endpoint, "s3v4")
    post = presigner.generate_presigned_post(bucket, "k.txt", Fields={"Content-Type": "text/plain"},
                                             Conditions=[{"Content-Type": "text/plain"}])
    expect_error(upload(post, extra={"Content-Type": "text/html"}), 403, "AccessDenied",
                 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "text/plain"]')
    expect_error(upload(post, extra={"key": "other.txt"}), 403, "AccessDenied",
                 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "k.txt"]')
    post = presigner.generate_presigned_post(bucket, "inbox/${filename}",
                                             Conditions=[["starts-with", "$key", "inbox/"]])
    expect_error(upload(post, extra={"key": "outbox/x.txt"}), 403, "AccessDenied",
                 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "inbox/"]')


def test_extra_fields_must_be_covered(endpoint, bucket):
    post = client(endpoint, "s3v4").generate_presigned_post(bucket, "k.txt")
    expect_error(upload(post, extra={"x-amz-meta-sneaky": "1"}), 403, "AccessDenied",
                 "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky")
    # x-ignore-* fields need no condition
    assert upload(post, extra={"x-ignore-anything": "1"}).status_code == 204


def test_bucket_condition(endpoint, s3, bucket):
    other = f"other-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=other)
    post = client(endpoint, "s3v4").generate_presigned_post(bucket, "k.txt")
    post["url"] = post["url"].rsplit("/", 1)[0] + "/" + other
    expect_error(upload(post), 403, "AccessDenied",
                 f'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "{bucket}"]')


def test_content_length_range(endpoint, s3, bucket):
    post = client(endpoint, "s3v4").generate_presigned_post(bucket, "sized.txt",
                                                            Conditions=[["content-length-range", 5, 10]])
    error = expect_error(upload(post, b"1234"), 400, "EntityTooSmall",
                         "Your proposed upload is smaller than the minimum allowed size")
    assert (error["ProposedSize"], error["MinSizeAllowed"]) == ("4", "5")
    error = expect_error(upload(post, b"x" * 4096), 400, "EntityTooLarge",
                         "Your proposed upload exceeds the maximum allowed size")
    assert (error["ProposedSize"], error["MaxSizeAllowed"]) == ("4096", "10")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert upload(post, b"12345").status_code == 204
    assert upload(post, b"1234567890").status_code == 204


def test_missing_key_and_missing_file(endpoint, bucket):
    post = client(endpoint, "s3v4").generate_presigned_post(bucket, "k.txt")
    fields = {name: value for name, value in post["fields"].items() if name != "key"}
    response = requests.post(post["url"], data=fields, files={"file": ("f", b"x")}, timeout=30)
    error = expect_error(response, 400, "InvalidArgument",
                         "Bucket POST must contain a field named 'key'.  If it is specified, please check the "
                         "order of the fields.")
    assert error["ArgumentName"] == "key"
    # requests sends a form without files as urlencoded: build the multipart body by hand
    body, content_type = browser_form(list(post["fields"].items()), "f", "text/plain", b"")
    body = body[: body.index(b'Content-Disposition: form-data; name="file"') - len(b"------WebKitFormBoundary"
                                                                                    b"7MA4YWxkTrZu0gW\r\n")]
    body += b"------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n"
    response = requests.post(post["url"], data=body, headers={"Content-Type": content_type}, timeout=30)
    error = expect_error(response, 400, "InvalidArgument", "POST requires exactly one file upload per request.")
    assert error["ArgumentName"] == "file"


def test_field_after_the_file_does_not_count(endpoint, bucket):
    post = client(endpoint, "s3v4").generate_presigned_post(bucket, "k.txt")
    fields = [(name, value) for name, value in post["fields"].items() if name != "key"]
    body, content_type = browser_form(fields, "f.txt", "text/plain", b"data", after=[("key", "k.txt")])
    response = requests.post(post["url"], data=body, headers={"Content-Type": content_type}, timeout=30)
    expect_error(response, 400, "InvalidArgument")


@pytest.mark.open_mode_only
def test_invalid_policy_documents(endpoint, bucket):
    def post_with(policy_text: str):
        fields = [("key", "k.txt"), ("AWSAccessKeyId", "test"), ("policy", policy_text), ("signature", "x")]
        body, content_type = browser_form(fields, "f.txt", "text/plain", b"data")
        return requests.post(f"{endpoint}/{bucket}", data=body, headers={"Content-Type": content_type}, timeout=30)

    expect_error(post_with("not base64!"), 400, "InvalidPolicyDocument")
    expect_error(post_with(base64.b64encode(b"{not json").decode()), 400, "InvalidPolicyDocument",
                 "Invalid Policy: Invalid JSON.")
    expect_error(post_with(base64.b64encode(b'{"conditions": []}').decode()), 400, "InvalidPolicyDocument",
                 "Invalid Policy: Policy missing expiration.")
    expect_error(post_with(base64.b64encode(json.dumps({"expiration": expiry()}).encode()).decode()), 400,
                 "InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.")
    expect_error(post_with(base64.b64encode(b'{"expiration": "tomorrow", "conditions": []}').decode()), 400,
                 "InvalidPolicyDocument")


def test_policy_without_credentials(endpoint, bucket):
    policy = base64.b64encode(json.dumps({"expiration": expiry(), "conditions": [{"key": "k"}]}).encode()).decode()
    body, content_type = browser_form([("key", "k"), ("policy", policy)], "f.txt", "text/plain", b"data")
    response = requests.post(f"{endpoint}/{bucket}", data=body, headers={"Content-Type": content_type}, timeout=30)
    error = expect_error(response, 400, "InvalidArgument")
    assert error["ArgumentName"] == "AWSAccessKeyId"


def test_malformed_multipart_and_oversized_fields(endpoint, bucket):
    response = requests.post(f"{endpoint}/{bucket}", data=b"no parts here",
                             headers={"Content-Type": "multipart/form-data; boundary=xyz"}, timeout=30)
    expect_error(response, 400, "MalformedPOSTRequest",
                 "The body of your POST request is not well-formed multipart/form-data.")
    body, content_type = browser_form([("key", "k")], "f.txt", "text/plain", b"data")
    response = requests.post(f"{endpoint}/{bucket}", data=body[: len(body) // 2 + 60],
                             headers={"Content-Type": content_type}, timeout=30)
    expect_error(response, 400, "MalformedPOSTRequest")
    body, content_type = browser_form([("key", "k"), ("x-ignore-pad", "p" * 25000)], "f.txt", "text/plain", b"d")
    response = requests.post(f"{endpoint}/{bucket}", data=body, headers={"Content-Type": content_type}, timeout=30)
    error = expect_error(response, 400, "MaxPostPreDataLengthExceededError")
    assert error["MaxPostPreDataLength"] == "20480"


def test_no_such_bucket(endpoint):
    body, content_type = browser_form([("key", "k")], "f.txt", "text/plain", b"data")
    response = requests.post(f"{endpoint}/no-such-bucket-here", data=body, headers={"Content-Type": content_type},
                             timeout=30)
    expect_error(response, 404, "NoSuchBucket")


def test_content_md5_field(endpoint, s3, bucket):
    good = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    policy = {"expiration": expiry(), "conditions": [{"key": "md5.txt"}, ["starts-with", "$Content-MD5", ""]]}
    for md5, status in ((good, 204), (base64.b64encode(hashlib.md5(b"other").digest()).decode(), 400)):
        fields = [("key", "md5.txt"), ("Content-MD5", md5), *signed_v2(policy).items()]
        body, content_type = browser_form(fields, "f.txt", "text/plain", b"data")
        response = requests.post(f"{endpoint}/{bucket}", data=body, headers={"Content-Type": content_type},
                                 timeout=30)
        assert response.status_code == status, response.text
    assert error_of(response)["Code"] == "BadDigest"


# -- strict mode -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(
        str(tmp_path_factory.mktemp("overcast-post-strict")),
        "--strict",
        env={"OVERCAST_ACCESS_KEYS": f"{STRICT_KEY}:{STRICT_SECRET}"},
    ).start()
    yield proc
    proc.stop()


@pytest.fixture
def strict_bucket(strict_server):
    name = f"form-{uuid.uuid4().hex[:12]}"
    client(strict_server.endpoint, "s3v4", STRICT_KEY, STRICT_SECRET).create_bucket(Bucket=name)
    return name


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_signed_form_uploads(strict_server, strict_bucket, signer):
    s3 = client(strict_server.endpoint, signer, STRICT_KEY, STRICT_SECRET)
    post = s3.generate_presigned_post(strict_bucket, "signed.txt")
    assert upload(post, b"signed form").status_code == 204
    assert s3.get_object(Bucket=strict_bucket, Key="signed.txt")["Body"].read() == b"signed form"


@pytest.mark.parametrize("signer", SIGNERS)
def test_strict_signature_failures(strict_server, strict_bucket, signer):
    wrong = client(strict_server.endpoint, signer, STRICT_KEY, "wrong-secret").generate_presigned_post(
        strict_bucket, "k.txt")
    error = expect_error(upload(wrong), 403, "SignatureDoesNotMatch")
    assert error["StringToSign"] == wrong["fields"]["policy"]
    assert error["AWSAccessKeyId"] == STRICT_KEY
    unknown = client(strict_server.endpoint, signer, "AKIANOBODYATALL", "x").generate_presigned_post(
        strict_bucket, "k.txt")
    error = expect_error(upload(unknown), 403, "InvalidAccessKeyId")
    assert error["AWSAccessKeyId"] == "AKIANOBODYATALL"
    # a policy edited after signing (a longer expiry) no longer matches its signature
    good = client(strict_server.endpoint, signer, STRICT_KEY, STRICT_SECRET).generate_presigned_post(
        strict_bucket, "k.txt")
    policy = policy_of(good)
    policy["expiration"] = expiry(86400 * 30)
    good["fields"]["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()
    expect_error(upload(good), 403, "SignatureDoesNotMatch")


def test_strict_refuses_unsigned_forms(strict_server, strict_bucket):
    body, content_type = browser_form([("key", "anon.txt")], "a.txt", "text/plain", b"anonymous")
    response = requests.post(f"{strict_server.endpoint}/{strict_bucket}", data=body,
                             headers={"Content-Type": content_type}, timeout=30)
    expect_error(response, 403, "AccessDenied")


# -- the form reader itself, against every way a body can be cut into chunks ---------------------


@pytest.mark.parametrize("chunk_size", [1, 2, 7, 38, 39, 40, 4096])
def test_form_reader_across_chunk_boundaries(chunk_size):
    import asyncio

    from overcast.services.s3.post_form import FormReader, boundary_of

    data = b"\r\n--" + b"x" * 100 + b"\r\n------WebKitFormBoundary7MA4YWxkTrZu0g\r\n" + bytes(range(256))
    body, content_type = browser_form([("key", "a/${filename}"), ("note", "ünï\r\ncode")], "q.bin",
                                      "application/octet-stream", data, after=[("submit", "Go")])

    async def chunks():
        for start in range(0, len(body), chunk_size):
            yield body[start:start + chunk_size]

    async def read():
        reader = FormReader(chunks(), boundary_of(content_type))
        fields, part = await reader.read_fields()
        received = b"".join([chunk async for chunk in reader.file_chunks()])
        await reader.discard_rest()
        return fields, part, received

    fields, part, received = asyncio.run(read())
    assert fields == [("key", "a/${filename}"), ("note", "ünï\r\ncode")]
    assert (part.filename, part.content_type) == ("q.bin", "application/octet-stream")
    assert received == data


def test_curl_form_upload(endpoint, s3, bucket, tmp_path):
    import subprocess

    source = tmp_path / "photo.jpg"
    source.write_bytes(bytes(range(256)) * 40)  # over curl's 1 KiB: it sends Expect: 100-continue
    post = client(endpoint, "s3v4").generate_presigned_post(
        bucket, "curl/${filename}", Fields={"success_action_status": "201"},
        Conditions=[{"success_action_status": "201"}, ["starts-with", "$key", "curl/"]],
    )
    args = ["curl", "-s", "-w", "\n%{http_code}"]
    for name, value in post["fields"].items():
        args += ["--form-string", f"{name}={value}"]
    args += ["-F", f"file=@{source};type=image/jpeg", post["url"]]
    out = subprocess.run(args, capture_output=True, timeout=30, check=True).stdout
    body, _, status = out.rpartition(b"\n")
    assert status == b"201", body
    assert ET.fromstring(body).find("Key").text == "curl/photo.jpg"
    assert s3.get_object(Bucket=bucket, Key="curl/photo.jpg")["Body"].read() == source.read_bytes()
