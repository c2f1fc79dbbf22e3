"""REST routing: which operation a method + path + query (+ headers, Host) names.

S3 is the hard case (one resource, many operations told apart by query literals, required
query members and headers), so most tests speak S3; the rest-json tests cover labels,
greedy labels with suffixes and the no-route answer.
"""

from __future__ import annotations

import pytest

from overcast.errors import AwsError
from overcast.protocols import HttpRequest, get_protocol
from overcast.protocols.models import service_model
from overcast.protocols.s3_hosts import bucket_from_host

S3 = service_model("s3")
REST_XML = get_protocol("rest-xml")
REST_JSON = get_protocol("rest-json")


def s3_request(method: str, path: str, query: str = "", host: str = "localhost:4566", **headers) -> HttpRequest:
    all_headers = {"host": host, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return HttpRequest(method, path, query, all_headers)


def s3_op(method: str, path: str, query: str = "", host: str = "localhost:4566", **headers) -> str:
    return REST_XML.find_operation(S3, s3_request(method, path, query, host, **headers)).name


@pytest.mark.parametrize(
    "method, path, query, headers, expected",
    [
        ("GET", "/", "", {}, "ListBuckets"),
        ("PUT", "/bucket", "", {}, "CreateBucket"),
        ("PUT", "/bucket/", "", {}, "CreateBucket"),
        ("HEAD", "/bucket", "", {}, "HeadBucket"),
        ("DELETE", "/bucket", "", {}, "DeleteBucket"),
        ("GET", "/bucket", "", {}, "ListObjects"),
        ("GET", "/bucket", "list-type=2&prefix=a", {}, "ListObjectsV2"),
        ("GET", "/bucket", "list-type=1", {}, "ListObjects"),
        ("GET", "/bucket", "uploads", {}, "ListMultipartUploads"),
        ("GET", "/bucket", "versions", {}, "ListObjectVersions"),
        ("GET", "/bucket", "versioning", {}, "GetBucketVersioning"),
        ("PUT", "/bucket", "tagging", {}, "PutBucketTagging"),
        ("GET", "/bucket", "analytics", {}, "ListBucketAnalyticsConfigurations"),
        ("GET", "/bucket", "analytics&id=a1", {}, "GetBucketAnalyticsConfiguration"),
        ("GET", "/bucket", "lifecycle", {}, "GetBucketLifecycleConfiguration"),
        ("POST", "/bucket", "delete", {}, "DeleteObjects"),
        ("GET", "/bucket/key", "", {}, "GetObject"),
        ("HEAD", "/bucket/key", "", {}, "HeadObject"),
        ("GET", "/bucket/key", "uploadId=u1", {}, "ListParts"),
        ("GET", "/bucket/key", "tagging", {}, "GetObjectTagging"),
        ("GET", "/bucket/key", "acl", {}, "GetObjectAcl"),
        ("PUT", "/bucket/key", "", {}, "PutObject"),
        ("PUT", "/bucket/key", "", {"x-amz-copy-source": "/other/key"}, "CopyObject"),
        ("PUT", "/bucket/key", "partNumber=1&uploadId=u1", {}, "UploadPart"),
        ("PUT", "/bucket/key", "partNumber=1&uploadId=u1", {"x-amz-copy-source": "/o/k"}, "UploadPartCopy"),
        ("POST", "/bucket/key", "uploads", {}, "CreateMultipartUpload"),
        ("POST", "/bucket/key", "uploadId=u1", {}, "CompleteMultipartUpload"),
        ("POST", "/bucket/key", "select&select-type=2", {}, "SelectObjectContent"),
        ("POST", "/bucket/key", "restore", {}, "RestoreObject"),
        ("DELETE", "/bucket/key", "", {}, "DeleteObject"),
        ("DELETE", "/bucket/key", "uploadId=u1", {}, "AbortMultipartUpload"),
        ("DELETE", "/bucket/key", "tagging", {}, "DeleteObjectTagging"),
        # unknown sub-resources and extra parameters (presigned URLs, x-id) do not change the route
        ("GET", "/bucket/key", "x-id=GetObject&X-Amz-Signature=abc", {}, "GetObject"),
    ],
)
def test_s3_path_style_routes(method, path, query, headers, expected):
    assert s3_op(method, path, query, **headers) == expected


@pytest.mark.parametrize(
    "host, path, query, bucket",
    [
        ("mybucket.localhost:4566", "/key", "", "mybucket"),
        ("mybucket.localhost", "/", "list-type=2", "mybucket"),
        ("my.dotted.bucket.s3.localhost.localstack.cloud:4566", "/a/b", "", "my.dotted.bucket"),
        ("mybucket.s3.us-west-2.amazonaws.com", "/key", "", "mybucket"),
        ("mybucket.s3.amazonaws.com", "/key", "", "mybucket"),
        ("mybucket.s3-us-west-2.amazonaws.com", "/key", "", "mybucket"),
        ("mybucket.s3-accelerate.amazonaws.com", "/key", "", "mybucket"),
        ("mybucket.s3-accelerate.dualstack.amazonaws.com", "/key", "", "mybucket"),
        ("mybucket.s3.dualstack.eu-west-1.amazonaws.com", "/key", "", "mybucket"),
        ("a.s3.b.s3.amazonaws.com", "/key", "", "a.s3.b"),
        ("s3-bucket.localhost", "/key", "", "s3-bucket"),
    ],
)
def test_s3_virtual_hosted_requests_take_the_bucket_from_the_host(host, path, query, bucket):
    assert bucket_from_host(host) == bucket
    request = s3_request("GET", path, query, host=host)
    operation = REST_XML.find_operation(S3, request)
    params = REST_XML.parse_request(operation, request)
    assert params["Bucket"] == bucket
    if path.strip("/"):
        assert operation.name == "GetObject" and params["Key"] == path[1:]
    else:
        assert operation.name == "ListObjectsV2"


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:4566", "127.0.0.1:4566", "[::1]:4566", "s3.localhost.localstack.cloud:4566",
     "localhost.localstack.cloud", "s3.amazonaws.com", "s3.us-east-1.amazonaws.com",
     "s3-accelerate.amazonaws.com", "s3.dualstack.us-east-1.amazonaws.com", "overcast.internal:4566", ""],
)
def test_endpoint_hosts_name_no_bucket(host):
    assert bucket_from_host(host) is None
    assert s3_op("GET", "/", host=host) == "ListBuckets"


def test_write_get_object_response_route_in_the_host_is_no_bucket():
    request = s3_request("POST", "/WriteGetObjectResponse", host="route-1.localhost:4566",
                         **{"x-amz-request-route": "route-1", "x-amz-request-token": "t"})
    operation = REST_XML.find_operation(S3, request)
    assert operation.name == "WriteGetObjectResponse"
    assert REST_XML.parse_request(operation, request)["RequestRoute"] == "route-1"


@pytest.mark.parametrize(
    "raw_path, key",
    [
        ("/bucket/a/b/c.txt", "a/b/c.txt"),
        ("/bucket/a//b", "a//b"),
        ("/bucket//leading", "/leading"),
        ("/bucket/dir/", "dir/"),
        ("/bucket/../x/..", "../x/.."),
        ("/bucket/a%2Fb", "a/b"),
        ("/bucket/sp%20ace+plus", "sp ace+plus"),
        ("/bucket/%E6%BC%A2%E5%AD%97/%F0%9F%9A%80", "漢字/🚀"),
        ("/bucket/%3F%23%25", "?#%"),
    ],
)
def test_s3_keys_are_read_from_the_raw_path(raw_path, key):
    request = s3_request("GET", raw_path)
    operation = REST_XML.find_operation(S3, request)
    assert operation.name == "GetObject"
    assert REST_XML.parse_request(operation, request) == {"Bucket": "bucket", "Key": key}


def test_s3_wrong_method_is_method_not_allowed():
    with pytest.raises(AwsError) as caught:
        s3_op("POST", "/bucket/key")
    assert (caught.value.code, caught.value.status) == ("MethodNotAllowed", 405)
    assert caught.value.fields == {"Method": "POST", "ResourceType": "OBJECT"}
    with pytest.raises(AwsError) as caught:
        s3_op("PATCH", "/bucket")
    assert caught.value.status == 405


LAMBDA = service_model("lambda")


@pytest.mark.parametrize(
    "method, path, query, expected",
    [
        ("GET", "/2015-03-31/functions/", "", "ListFunctions"),
        ("GET", "/2015-03-31/functions", "", "ListFunctions"),
        ("GET", "/2015-03-31/functions/my-fn", "", "GetFunction"),
        ("GET", "/2015-03-31/functions/my-fn/configuration", "", "GetFunctionConfiguration"),
        ("POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/invocations", "", "Invoke"),
        ("GET", "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af", "", "ListTags"),
    ],
)
def test_rest_json_routes(method, path, query, expected):
    request = HttpRequest(method, path, query, {"host": "localhost"})
    assert REST_JSON.find_operation(LAMBDA, request).name == expected


def test_rest_json_labels_are_percent_decoded():
    request = HttpRequest("POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af%2Fx/invocations",
                          "Qualifier=v%201", {"host": "localhost"})
    operation = REST_JSON.find_operation(LAMBDA, request)
    assert REST_JSON.parse_request(operation, request) == {
        "FunctionName": "arn:aws:lambda:us-east-1:1:function:f/x", "Qualifier": "v 1"}


def test_greedy_label_with_a_literal_suffix():
    model = service_model("workspaces-web")
    request = HttpRequest("PUT", "/portals/arn:aws:workspaces-web:us-east-1:1:portal/abc/browserSettings",
                          "browserSettingsArn=x", {"host": "localhost"})
    operation = REST_JSON.find_operation(model, request)
    assert operation.name == "AssociateBrowserSettings"
    params = REST_JSON.parse_request(operation, request)
    assert params["portalArn"] == "arn:aws:workspaces-web:us-east-1:1:portal/abc"


def test_rest_json_unknown_route_is_unknown_operation():
    with pytest.raises(AwsError) as caught:
        REST_JSON.find_operation(LAMBDA, HttpRequest("GET", "/nowhere/at/all", "", {"host": "localhost"}))
    assert (caught.value.code, caught.value.status) == ("UnknownOperationException", 404)
    with pytest.raises(AwsError) as caught:
        REST_JSON.find_operation(LAMBDA, HttpRequest("PATCH", "/2015-03-31/functions/f", "", {"host": "localhost"}))
    assert caught.value.status == 404


def test_host_prefix_labels_fill_members_the_headers_do_not_carry():
    model = service_model("neptune-graph")
    request = HttpRequest("GET", "/summary", "", {"host": "g-12345.localhost:4566"})
    operation = REST_JSON.find_operation(model, request)
    assert operation.name == "GetGraphSummary"
    assert REST_JSON.parse_request(operation, request)["graphIdentifier"] == "g-12345"
    request.headers["graphidentifier"] = "from-header"
    assert REST_JSON.parse_request(operation, request)["graphIdentifier"] == "from-header"
