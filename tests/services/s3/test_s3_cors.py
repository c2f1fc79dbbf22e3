"""S3 CORS: Put/Get/DeleteBucketCors and the rules enforced on browser preflights (OPTIONS)
and on actual responses, path-style and virtual-hosted, with the headers browsers send."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest
import requests
from botocore.exceptions import ClientError

APP = "https://app.example.com"
# What Chrome sends before a PUT from the JavaScript SDK
PREFLIGHT = {
    "Origin": APP,
    "Access-Control-Request-Method": "PUT",
    "Access-Control-Request-Headers": "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,"
                                      "x-amz-content-sha256,x-amz-date,x-amz-user-agent",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Site": "cross-site",
    "Referer": APP + "/",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
}
RULES = [
    {"ID": "uploads", "AllowedOrigins": ["https://*.example.com"], "AllowedMethods": ["PUT", "POST"],
     "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag", "x-amz-version-id"], "MaxAgeSeconds": 3000},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"], "AllowedHeaders": ["range", "x-amz-*"]},
]


def _error(exc) -> tuple[str, int, str]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def _xml_error(response) -> dict:
    return {child.tag: child.text for child in ET.fromstring(response.content)}


@pytest.fixture
def cors_bucket(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    s3.put_object(Bucket=bucket, Key="photo.jpg", Body=b"jpeg bytes")
    return bucket


def test_cors_round_trip(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_cors(Bucket=bucket)
    assert _error(exc) == ("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist")
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == RULES
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_cors(Bucket=bucket)
    assert _error(exc)[0] == "NoSuchCORSConfiguration"


def test_cors_configuration_errors(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PATCH"]}]})
    assert _error(exc) == ("InvalidRequest", 400,
                           "Found unsupported HTTP method in CORS config. Unsupported method is PATCH")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["https://*.*.example.com"], "AllowedMethods": ["GET"]}]})
    assert _error(exc)[:2] == ("InvalidRequest", 400)
    many = [{"AllowedOrigins": [f"https://site{i}.example"], "AllowedMethods": ["GET"]} for i in range(101)]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": many})
    assert _error(exc)[:2] == ("MalformedXML", 400)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": many[:100]})
    assert len(s3.get_bucket_cors(Bucket=bucket)["CORSRules"]) == 100


def test_preflight_answered_from_the_matching_rule(endpoint, cors_bucket):
    response = requests.options(f"{endpoint}/{cors_bucket}/photo.jpg", headers=PREFLIGHT, timeout=10)
    assert response.status_code == 200, response.text
    headers = response.headers
    assert headers["Access-Control-Allow-Origin"] == APP
    assert headers["Access-Control-Allow-Methods"] == "PUT, POST"
    assert headers["Access-Control-Allow-Headers"] == PREFLIGHT["Access-Control-Request-Headers"].replace(",", ", ")
    assert headers["Access-Control-Expose-Headers"] == "ETag, x-amz-version-id"
    assert headers["Access-Control-Max-Age"] == "3000"
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in headers["Vary"]
    assert response.content == b""


def test_preflight_wildcard_origin_and_header_patterns(endpoint, cors_bucket):
    headers = {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
               "Access-Control-Request-Headers": "range,x-amz-checksum-mode"}
    response = requests.options(f"{endpoint}/{cors_bucket}/photo.jpg", headers=headers, timeout=10)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    headers["Access-Control-Request-Headers"] = "range,authorization"  # authorization is not allowed for GET
    response = requests.options(f"{endpoint}/{cors_bucket}/photo.jpg", headers=headers, timeout=10)
    assert response.status_code == 403


def test_preflight_refused_when_no_rule_matches(endpoint, cors_bucket):
    headers = {**PREFLIGHT, "Origin": "https://evil.test"}
    response = requests.options(f"{endpoint}/{cors_bucket}/photo.jpg", headers=headers, timeout=10)
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    error = _xml_error(response)
    assert error["Code"] == "AccessForbidden"
    assert error["Message"].startswith("CORSResponse: This CORS request is not allowed.")
    assert error["Method"] == "PUT" and error["ResourceType"] == "OBJECT"
    delete = {**PREFLIGHT, "Access-Control-Request-Method": "DELETE"}
    assert requests.options(f"{endpoint}/{cors_bucket}/photo.jpg", headers=delete, timeout=10).status_code == 403


def test_preflight_refused_without_cors_configuration(endpoint, s3, bucket):
    response = requests.options(f"{endpoint}/{bucket}", headers=PREFLIGHT, timeout=10)
    assert response.status_code == 403
    error = _xml_error(response)
    assert (error["Code"], error["Message"]) == ("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.")
    assert error["ResourceType"] == "BUCKET"
    no_origin = requests.options(f"{endpoint}/{bucket}", headers={"Access-Control-Request-Method": "GET"}, timeout=10)
    assert no_origin.status_code == 400
    assert _xml_error(no_origin)["Message"] == "Insufficient information. Origin request header needed."


def test_virtual_hosted_preflight(endpoint, cors_bucket):
    port = urlparse(endpoint).port
    headers = {**PREFLIGHT, "Host": f"{cors_bucket}.s3.localhost.localstack.cloud:{port}"}
    response = requests.options(f"{endpoint}/photo.jpg", headers=headers, timeout=10)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP
    headers["Origin"] = "https://evil.test"
    assert requests.options(f"{endpoint}/photo.jpg", headers=headers, timeout=10).status_code == 403


def test_actual_responses_carry_the_rule_headers(endpoint, s3, cors_bucket):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": cors_bucket, "Key": "photo.jpg"})
    response = requests.get(url, headers={"Origin": "http://localhost:3000"}, timeout=10)
    assert response.status_code == 200 and response.content == b"jpeg bytes"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": cors_bucket, "Key": "up.txt"})
    response = requests.put(put_url, data=b"hello", headers={"Origin": APP}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Expose-Headers"] == "ETag, x-amz-version-id"
    # an origin no rule allows for PUT gets no CORS headers (the browser then hides the answer)
    response = requests.put(put_url, data=b"hello", headers={"Origin": "https://evil.test"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in response.headers


def test_bucket_without_cors_sends_no_cors_headers(endpoint, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    response = requests.get(url, headers={"Origin": APP}, timeout=10)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_other_services_keep_the_generic_preflight(endpoint, s3, cors_bucket):
    headers = {"Origin": APP, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "content-type,x-amz-target"}
    response = requests.options(f"{endpoint}/", headers=headers, timeout=10)
    assert response.status_code == 200
    assert "x-amz-target" in response.headers["Access-Control-Allow-Headers"]
    # a path naming no bucket (another service's REST path) is not S3's to refuse
    response = requests.options(f"{endpoint}/2015-03-31/functions", headers=headers, timeout=10)
    assert response.status_code == 200


def test_preflight_errors_in_s3_order(endpoint, s3, cors_bucket):
    """Origin, then the bucket's existence and configuration, then Access-Control-Request-Method
    (present, then valid), then the bucket's rules: each refusal in S3's words."""
    bucket = "no-cors-rules"
    s3.create_bucket(Bucket=bucket)
    for target in (bucket, cors_bucket, "never-created-bucket"):
        url = f"{endpoint}/{target}/photo.jpg"
        missing_origin = requests.options(url, headers={"Access-Control-Request-Method": "PATCH"}, timeout=10)
        assert (missing_origin.status_code, _xml_error(missing_origin)["Message"]) == (
            400, "Insufficient information. Origin request header needed.")
    url = f"{endpoint}/{cors_bucket}/photo.jpg"
    missing_method = requests.options(url, headers={"Origin": APP}, timeout=10)
    assert (missing_method.status_code, _xml_error(missing_method)["Code"],
            _xml_error(missing_method)["Message"]) == (400, "BadRequest", "Invalid Access-Control-Request-Method: null")
    for method in ("PATCH", "get", "OPTIONS"):
        invalid = requests.options(url, headers={"Origin": APP, "Access-Control-Request-Method": method}, timeout=10)
        assert (invalid.status_code, _xml_error(invalid)["Message"]) == (
            400, f"Invalid Access-Control-Request-Method: {method}")
    # without a configuration, S3 refuses before it looks at the requested method
    for requested, named in ((None, "OPTIONS"), ("PATCH", "PATCH"), ("GET", "GET")):
        headers = {"Origin": APP, **({"Access-Control-Request-Method": requested} if requested else {})}
        unconfigured = requests.options(f"{endpoint}/{bucket}/k", headers=headers, timeout=10)
        assert unconfigured.status_code == 403
        assert _xml_error(unconfigured) | {"RequestId": "", "HostId": ""} == {
            "Code": "AccessForbidden", "Message": "CORSResponse: CORS is not enabled for this bucket.",
            "Method": named, "ResourceType": "BUCKET", "RequestId": "", "HostId": ""}


@pytest.mark.parametrize("requested, named", [(None, "OPTIONS"), ("PUT", "PUT"), ("PATCH", "PATCH")])
def test_preflight_to_a_missing_bucket_is_refused(endpoint, requested, named):
    headers = {"Origin": APP, **({"Access-Control-Request-Method": requested} if requested else {})}
    for path in ("/no-such-bucket-here", "/no-such-bucket-here/some/key.txt"):
        response = requests.options(f"{endpoint}{path}", headers=headers, timeout=10)
        assert response.status_code == 403, response.text
        assert "Access-Control-Allow-Origin" not in response.headers
        error = _xml_error(response)
        assert (error["Code"], error["Message"], error["Method"], error["ResourceType"]) == (
            "AccessForbidden", "CORSResponse: Bucket not found", named, "BUCKET")


def test_preflight_to_a_missing_virtual_hosted_bucket_is_refused(endpoint):
    port = urlparse(endpoint).port
    headers = {**PREFLIGHT, "Host": f"missing-vhost.s3.localhost.localstack.cloud:{port}"}
    response = requests.options(f"{endpoint}/photo.jpg", headers=headers, timeout=10)
    assert response.status_code == 403
    assert _xml_error(response)["Message"] == "CORSResponse: Bucket not found"


def test_answers_about_a_missing_bucket_carry_no_cors_headers(endpoint, s3):
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "no-such-bucket-here", "Key": "k"})
    response = requests.get(url, headers={"Origin": APP}, timeout=10)
    assert response.status_code == 404
    assert _xml_error(response)["Code"] == "NoSuchBucket"
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


def test_other_services_paths_keep_the_generic_preflight(endpoint):
    """Every service shares the endpoint: an SQS queue URL or a JSON service's call is not S3's."""
    headers = {"Origin": APP, "Access-Control-Request-Method": "POST"}
    queue = requests.options(f"{endpoint}/000000000000/my-queue", headers=headers, timeout=10)
    assert queue.status_code == 200 and queue.headers["Access-Control-Allow-Origin"] == APP
    json_call = requests.options(f"{endpoint}/some-path", headers={
        **headers, "Access-Control-Request-Headers": "content-type,x-amz-target"}, timeout=10)
    assert json_call.status_code == 200
