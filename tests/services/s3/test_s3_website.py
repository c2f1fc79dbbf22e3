"""S3 static website hosting: Put/Get/DeleteBucketWebsite (boto3, raw signed XML, the AWS CLI)
and the website endpoint, in its host form (``<bucket>.s3-website.<region>.localhost``, sent
as a Host header) and its path form (``/_overcast/website/<bucket>/<key>``)."""

from __future__ import annotations

import itertools
import json

import boto3
import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from serverproc import ServerProcess

CREDS = Credentials("test", "test")
SITE = {"IndexDocument": {"Suffix": "index.html"}}
NOT_WELL_FORMED = "The XML you provided was not well-formed or did not validate against our published schema"


def rest_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def error_of(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def publish(s3, bucket: str) -> None:
    """Let anyone read and list ``bucket`` (what the website endpoint needs in strict mode)."""
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}]}))


def put(s3, bucket: str, key: str, body: bytes, **extra) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/html", **extra)


class Site:
    """Requests to one bucket's website, in the host form or the path form."""

    def __init__(self, endpoint: str, bucket: str, form: str):
        self.endpoint, self.bucket, self.form = endpoint, bucket, form
        self.host = f"{bucket}.s3-website.us-east-1.localhost"
        # where a site-relative redirect points, and the Host header a request sends
        self.root = "" if form == "host" else f"/_overcast/website/{bucket}"
        self.sent_host = self.host if form == "host" else endpoint.split("://", 1)[1]

    def request(self, method: str, path: str, headers: dict | None = None) -> requests.Response:
        headers = dict(headers or {})
        if self.form == "host":
            headers["Host"] = self.host
            url = self.endpoint + path
        else:
            url = f"{self.endpoint}/_overcast/website/{self.bucket}{path}"
        return requests.request(method, url, headers=headers, allow_redirects=False, timeout=30)

    def get(self, path: str, **headers) -> requests.Response:
        return self.request("GET", path, {k.replace("_", "-"): v for k, v in headers.items()})


@pytest.fixture(params=["host", "path"])
def site(request, s3, bucket, endpoint):
    """A published bucket with pages, and its website (both endpoint forms)."""
    publish(s3, bucket)
    put(s3, bucket, "index.html", b"home")
    put(s3, bucket, "docs/index.html", b"docs home")
    put(s3, bucket, "docs/page.html", b"a page")
    return Site(endpoint, bucket, request.param)


def expected_page(status: str, items: list[str], response: requests.Response, nested: list[str] | None = None) -> str:
    request_id = response.headers["x-amz-request-id"]
    lines = ["<html>", f"<head><title>{status}</title></head>", "<body>", f"<h1>{status}</h1>", "<ul>", *items,
             f"<li>RequestId: {request_id}</li>", f"<li>HostId: {response.headers['x-amz-id-2']}</li>", "</ul>"]
    if nested:
        lines += ["<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>", "<ul>", *nested,
                  "</ul>"]
    return "\n".join([*lines, "<hr/>", "</body>", "</html>", ""])


NO_SUCH_KEY = ["<li>Code: NoSuchKey</li>", "<li>Message: The specified key does not exist.</li>"]

# -- the configuration -------------------------------------------------------------------------


def test_website_configuration_round_trip(s3, bucket):
    assert error_of(s3.get_bucket_website, Bucket=bucket) == (
        "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", 404)
    config = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"},
              "RoutingRules": [
                  {"Condition": {"KeyPrefixEquals": "docs/"}, "Redirect": {"ReplaceKeyPrefixWith": "documents/"}},
                  {"Condition": {"HttpErrorCodeReturnedEquals": "404"},
                   "Redirect": {"HostName": "example.com", "Protocol": "https", "HttpRedirectCode": "302",
                                "ReplaceKeyWith": "missing.html"}}]}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)
    got = s3.get_bucket_website(Bucket=bucket)
    assert {k: got[k] for k in config} == config
    assert "RedirectAllRequestsTo" not in got
    # a Put replaces the whole configuration
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "example.org"}})
    got = s3.get_bucket_website(Bucket=bucket)
    assert got["RedirectAllRequestsTo"] == {"HostName": "example.org"}
    assert "IndexDocument" not in got
    for _ in range(2):  # deleting what is not there is no error
        assert s3.delete_bucket_website(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.get_bucket_website, Bucket=bucket)[0] == "NoSuchWebsiteConfiguration"
    assert error_of(s3.get_bucket_website, Bucket="no-such-bucket-here")[:2] == (
        "NoSuchBucket", "The specified bucket does not exist")


def _rules(*rules) -> dict:
    return {"IndexDocument": {"Suffix": "index.html"}, "RoutingRules": list(rules)}


@pytest.mark.parametrize("config, code, message", [
    ({}, "InvalidArgument", "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty"),
    ({"IndexDocument": {"Suffix": "a/index.html"}}, "InvalidArgument", "The IndexDocument Suffix is not well formed"),
    ({"IndexDocument": {"Suffix": ""}}, "InvalidArgument", "The IndexDocument Suffix is not well formed"),
    ({"IndexDocument": {"Suffix": "index.html"}, "RedirectAllRequestsTo": {"HostName": "example.com"}},
     "InvalidArgument", "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules."),
    ({"RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "ftp"}}, "InvalidRequest",
     "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically."),
    (_rules({"Redirect": {"ReplaceKeyWith": "a", "ReplaceKeyPrefixWith": "b/"}}), "InvalidRequest",
     "You can only define ReplaceKeyPrefix or ReplaceKey but not both."),
    (_rules({"Condition": {}, "Redirect": {"HostName": "example.com"}}), "InvalidRequest",
     "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be "
     "present."),
    (_rules({"Redirect": {"HttpRedirectCode": "300"}}), "InvalidRequest",
     "The provided HTTP redirect code (300) is not valid. Valid codes are 3XX except 300."),
    (_rules({"Redirect": {"HttpRedirectCode": "200"}}), "InvalidRequest",
     "The provided HTTP redirect code (200) is not valid. Valid codes are 3XX except 300."),
    (_rules({"Condition": {"HttpErrorCodeReturnedEquals": "302"}, "Redirect": {"HostName": "example.com"}}),
     "InvalidRequest", "The provided HTTP error code (302) is not valid. Valid codes are 4XX or 5XX."),
    (_rules({"Redirect": {"Protocol": "gopher"}}), "InvalidRequest",
     "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically."),
    (_rules(*[{"Redirect": {"HostName": "example.com"}}] * 51), "InvalidRequest",
     "51 routing rules provided, the number of routing rules in a website configuration is limited to 50."),
])
def test_put_bucket_website_refusals(s3, bucket, config, code, message):
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=SITE)
    assert error_of(s3.put_bucket_website, Bucket=bucket, WebsiteConfiguration=config) == (code, message, 400)
    assert s3.get_bucket_website(Bucket=bucket)["IndexDocument"] == {"Suffix": "index.html"}  # unchanged


def _raw_put_website(endpoint: str, bucket: str, xml: str) -> requests.Response:
    url = f"{endpoint}/{bucket}?website"
    request = AWSRequest(method="PUT", url=url, data=xml.encode(), headers={"Content-Type": "application/xml"})
    S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(request)
    return requests.put(url, data=xml.encode(), headers=dict(request.headers.items()), timeout=30)


@pytest.mark.parametrize("inner", [
    "<RedirectAllRequestsTo><Protocol>https</Protocol></RedirectAllRequestsTo>",
    "<IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument></ErrorDocument>",
    "<IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules></RoutingRules>",
    "<IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules><RoutingRule><Condition>"
    "<KeyPrefixEquals>a/</KeyPrefixEquals></Condition></RoutingRule></RoutingRules>",
])
def test_put_bucket_website_malformed_xml(endpoint, bucket, inner):
    xml = f'<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{inner}</WebsiteConfiguration>'
    response = _raw_put_website(endpoint, bucket, xml)
    assert response.status_code == 400, response.text
    assert "<Code>MalformedXML</Code>" in response.text and f"<Message>{NOT_WELL_FORMED}</Message>" in response.text


def test_invalid_argument_names_the_argument(endpoint, bucket):
    xml = ('<WebsiteConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IndexDocument><Suffix>a/b'
           '</Suffix></IndexDocument></WebsiteConfiguration>')
    response = _raw_put_website(endpoint, bucket, xml)
    assert response.status_code == 400
    assert "<ArgumentName>IndexDocument</ArgumentName><ArgumentValue>a/b</ArgumentValue>" in response.text


def test_cli_s3_website(aws_cli, s3, bucket):
    aws_cli("s3", "website", f"s3://{bucket}", "--index-document", "index.html", "--error-document", "error.html")
    assert aws_cli("s3api", "get-bucket-website", "--bucket", bucket) == {
        "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}
    aws_cli("s3api", "delete-bucket-website", "--bucket", bucket)
    failed = aws_cli("s3api", "get-bucket-website", "--bucket", bucket, check=False)
    assert failed.returncode != 0 and "NoSuchWebsiteConfiguration" in failed.stderr


def test_website_configuration_survives_kill_9(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    try:
        s3 = rest_client(proc.endpoint)
        s3.create_bucket(Bucket="durable-site")
        s3.put_bucket_website(Bucket="durable-site", WebsiteConfiguration={
            "IndexDocument": {"Suffix": "home.html"}, "ErrorDocument": {"Key": "oops.html"}})
        proc.kill()
        proc.start()
        got = rest_client(proc.endpoint).get_bucket_website(Bucket="durable-site")
        assert got["IndexDocument"] == {"Suffix": "home.html"} and got["ErrorDocument"] == {"Key": "oops.html"}
    finally:
        proc.stop()


# -- the website endpoint ----------------------------------------------------------------------


def test_index_documents_and_folders(site, s3):
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration=SITE)
    home = site.get("/")
    assert (home.status_code, home.content, home.headers["content-type"]) == (200, b"home", "text/html")
    assert site.get("/docs/").content == b"docs home"
    assert site.get("/docs/page.html").content == b"a page"
    assert site.get("/index.html").content == b"home"
    folder = site.get("/docs")  # a folder without its slash: sent to it
    assert (folder.status_code, folder.headers["location"], folder.content) == (302, f"{site.root}/docs/", b"")


def test_missing_key_answers_s3s_html_page(site, s3):
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration=SITE)
    missing = site.get("/nothing/here.html")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "text/html; charset=utf-8"
    assert missing.headers["x-amz-error-code"] == "NoSuchKey"
    assert missing.text == expected_page("404 Not Found", [*NO_SUCH_KEY, "<li>Key: nothing/here.html</li>"], missing)
    empty_folder = site.get("/empty/")  # the folder's index document is what is missing
    assert "<li>Key: empty/index.html</li>" in empty_folder.text
    head = site.request("HEAD", "/nothing")
    assert (head.status_code, head.headers["x-amz-error-code"], head.content) == (404, "NoSuchKey", b"")


def test_error_document_served_with_the_errors_status(site, s3):
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration={**SITE, "ErrorDocument": {"Key": "error.html"}})
    # the error document itself is missing: S3's page says so too
    missing = site.get("/gone.html")
    assert missing.text == expected_page("404 Not Found", [*NO_SUCH_KEY, "<li>Key: gone.html</li>"], missing,
                                         nested=[*NO_SUCH_KEY, "<li>Key: error.html</li>"])
    put(s3, site.bucket, "error.html", b"<p>sorry</p>")
    missing = site.get("/gone.html")
    assert (missing.status_code, missing.content, missing.headers["content-type"]) == (404, b"<p>sorry</p>",
                                                                                       "text/html")
    assert missing.headers["x-amz-error-code"] == "NoSuchKey"


def test_bucket_and_configuration_must_exist(site, s3, endpoint):
    unconfigured = site.get("/")
    assert unconfigured.status_code == 404
    assert unconfigured.text == expected_page("404 Not Found", [
        "<li>Code: NoSuchWebsiteConfiguration</li>",
        "<li>Message: The specified bucket does not have a website configuration</li>",
        f"<li>BucketName: {site.bucket}</li>"], unconfigured)
    nobody = Site(endpoint, "no-such-site-bucket", site.form).get("/")
    assert nobody.status_code == 404
    assert nobody.text == expected_page("404 Not Found", [
        "<li>Code: NoSuchBucket</li>", "<li>Message: The specified bucket does not exist</li>",
        "<li>BucketName: no-such-site-bucket</li>"], nobody)


def test_requester_pays_bucket_is_not_served(site, s3):
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration=SITE)
    s3.put_bucket_request_payment(Bucket=site.bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    refused = site.get("/")
    assert refused.status_code == 403
    assert refused.text == expected_page("403 Forbidden", ["<li>Code: AccessDenied</li>",
                                                           "<li>Message: Access Denied</li>"], refused)
    s3.put_bucket_request_payment(Bucket=site.bucket, RequestPaymentConfiguration={"Payer": "BucketOwner"})
    assert site.get("/").content == b"home"


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_only_get_and_head(site, s3, method):
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration=SITE)
    refused = site.request(method, "/index.html")
    assert refused.status_code == 405
    assert refused.text == expected_page("405 Method Not Allowed", [
        "<li>Code: MethodNotAllowed</li>",
        "<li>Message: The specified method is not allowed against this resource.</li>",
        f"<li>Method: {method}</li>", "<li>ResourceType: OBJECT</li>"], refused)
    assert s3.get_object(Bucket=site.bucket, Key="index.html")["Body"].read() == b"home"  # untouched


def test_redirect_all_requests(site, s3):
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration={
        "RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "https"}})
    moved = site.get("/docs/page.html")
    assert (moved.status_code, moved.headers["location"]) == (301, "https://example.com/docs/page.html")
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "x.test"}})
    assert site.get("/").headers["location"] == "http://x.test/"


def test_routing_rules(site, s3):
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration=_rules(
        {"Condition": {"KeyPrefixEquals": "old/"}, "Redirect": {"ReplaceKeyPrefixWith": "docs/"}},
        {"Condition": {"KeyPrefixEquals": "exact"}, "Redirect": {"ReplaceKeyWith": "index.html",
                                                                  "HttpRedirectCode": "307"}},
        {"Condition": {"KeyPrefixEquals": "images/", "HttpErrorCodeReturnedEquals": "404"},
         "Redirect": {"HostName": "img.example.com"}},
        {"Condition": {"HttpErrorCodeReturnedEquals": "404"},
         "Redirect": {"HostName": "example.com", "Protocol": "https", "HttpRedirectCode": "302",
                      "ReplaceKeyPrefixWith": "lost/"}}))
    prefixed = site.get("/old/page%20one.html")
    assert (prefixed.status_code, prefixed.headers["location"]) == (
        301, f"http://{site.sent_host}{site.root}/docs/page%20one.html")
    exact = site.get("/exact-match")
    assert exact.status_code == 307 and exact.headers["location"].endswith(f"{site.root}/index.html")
    lost = site.get("/missing.html")
    assert (lost.status_code, lost.headers["location"]) == (302, "https://example.com/lost/missing.html")
    both = site.get("/images/cat.png")  # both conditions of a rule must hold
    assert (both.status_code, both.headers["location"]) == (301, "http://img.example.com/images/cat.png")
    assert site.get("/docs/page.html").content == b"a page"  # found: no rule applies


def test_object_website_redirect_location(site, s3):
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration=SITE)
    put(s3, site.bucket, "moved.html", b"", WebsiteRedirectLocation="/docs/page.html")
    put(s3, site.bucket, "away.html", b"", WebsiteRedirectLocation="https://example.com/there")
    moved = site.get("/moved.html")
    assert (moved.status_code, moved.headers["location"], moved.content) == (301, f"{site.root}/docs/page.html", b"")
    assert site.get("/away.html").headers["location"] == "https://example.com/there"
    # the REST endpoint serves the object itself
    assert s3.get_object(Bucket=site.bucket, Key="moved.html")["WebsiteRedirectLocation"] == "/docs/page.html"


def test_conditional_gets_and_ranges(site, s3):
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration=SITE)
    first = site.get("/")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert site.get("/", if_none_match=etag).status_code == 304
    assert site.get("/", if_modified_since=modified).status_code == 304
    assert site.get("/", if_none_match='"other"').content == b"home"
    failed = site.get("/", if_match='"other"')
    assert (failed.status_code, failed.headers["x-amz-error-code"]) == (412, "PreconditionFailed")
    assert "<li>Code: PreconditionFailed</li>" in failed.text
    ranged = site.get("/", range="bytes=1-2")
    assert (ranged.status_code, ranged.content, ranged.headers["content-range"]) == (206, b"om", "bytes 1-2/4")
    unsatisfiable = site.get("/", range="bytes=10-20")
    assert (unsatisfiable.status_code, unsatisfiable.headers["x-amz-error-code"]) == (416, "InvalidRange")
    head = site.request("HEAD", "/docs/")
    assert (head.status_code, head.headers["content-length"], head.content) == (200, "9", b"")


@pytest.mark.parametrize("host", ["{b}.s3-website-us-east-1.localhost:4566", "{b}.s3-website.eu-west-1.amazonaws.com",
                                  "{b}.s3-website-us-west-2.amazonaws.com", "{b}.s3-website.us-east-1.localhost"])
def test_website_host_names(s3, bucket, endpoint, host):
    publish(s3, bucket)
    put(s3, bucket, "index.html", b"home")
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=SITE)
    response = requests.get(endpoint + "/", headers={"Host": host.format(b=bucket)}, timeout=30)
    assert (response.status_code, response.content) == (200, b"home")


def test_rest_endpoint_unchanged_for_look_alike_bucket_names(s3, endpoint):
    s3.create_bucket(Bucket="my-s3-website-assets")
    s3.put_object(Bucket="my-s3-website-assets", Key="a.txt", Body=b"rest")
    response = requests.get(endpoint + "/a.txt", headers={"Host": "my-s3-website-assets.localhost"}, timeout=30)
    # a virtual-hosted REST request, anonymous: open mode serves it, strict mode refuses it in XML
    assert response.content == b"rest" or "<Code>AccessDenied</Code>" in response.text


@pytest.mark.open_mode_only
def test_open_mode_serves_a_private_bucket(s3, bucket, endpoint):
    put(s3, bucket, "index.html", b"private home")
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=SITE)
    assert Site(endpoint, bucket, "path").get("/").content == b"private home"


# -- strict mode: the website endpoint reads as an anonymous caller ------------------------------

_strict_names = itertools.count(1)
ACCESS_DENIED = ["<li>Code: AccessDenied</li>", "<li>Message: Access Denied</li>"]


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-website-strict")), "--strict").start()
    yield proc
    proc.stop()


@pytest.fixture
def strict_site(strict_server):
    """A bucket with pages and a website configuration on the strict server (not published)."""
    s3 = rest_client(strict_server.endpoint)
    name = f"strict-site-{next(_strict_names)}"
    s3.create_bucket(Bucket=name)
    put(s3, name, "index.html", b"home")
    put(s3, name, "private/secret.html", b"secret")
    put(s3, name, "error.html", b"custom error page")
    s3.put_bucket_website(Bucket=name, WebsiteConfiguration=SITE)
    yield s3, Site(strict_server.endpoint, name, "host")
    for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=item["Key"])
    s3.delete_bucket(Bucket=name)


def _policy(bucket: str, *statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _anyone(action: str, resource: str, effect: str = "Allow") -> dict:
    return {"Effect": effect, "Principal": "*", "Action": action, "Resource": resource}


def test_strict_private_bucket_is_forbidden(strict_site):
    s3, site = strict_site
    refused = site.get("/")
    assert refused.status_code == 403
    assert refused.text == expected_page("403 Forbidden", ACCESS_DENIED, refused)
    # the error document cannot be read either: both say so
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration={**SITE, "ErrorDocument": {"Key": "error.html"}})
    refused = site.get("/")
    assert refused.text == expected_page("403 Forbidden", ACCESS_DENIED, refused, nested=ACCESS_DENIED)
    # the owner's signed REST read is unaffected
    assert s3.get_object(Bucket=site.bucket, Key="index.html")["Body"].read() == b"home"


def test_strict_public_read_policy_serves_the_site(strict_site):
    s3, site = strict_site
    s3.delete_public_access_block(Bucket=site.bucket)
    s3.put_bucket_policy(Bucket=site.bucket, Policy=_policy(
        site.bucket, _anyone("s3:GetObject", f"arn:aws:s3:::{site.bucket}/*"),
        _anyone("s3:GetObject", f"arn:aws:s3:::{site.bucket}/private/*", "Deny")))
    assert (site.get("/").status_code, site.get("/").content) == (200, b"home")
    assert site.get("/private/secret.html").status_code == 403
    # without s3:ListBucket a missing key is 403, as on the REST endpoint
    missing = site.get("/missing.html")
    assert (missing.status_code, missing.headers["x-amz-error-code"]) == (403, "AccessDenied")
    s3.put_bucket_policy(Bucket=site.bucket, Policy=_policy(
        site.bucket, _anyone("s3:GetObject", f"arn:aws:s3:::{site.bucket}/*"),
        _anyone("s3:ListBucket", f"arn:aws:s3:::{site.bucket}"),
        _anyone("s3:GetObject", f"arn:aws:s3:::{site.bucket}/private/*", "Deny")))
    missing = site.get("/missing.html")
    assert (missing.status_code, missing.headers["x-amz-error-code"]) == (404, "NoSuchKey")
    # a readable error document answers a 403 too, with its status
    s3.put_bucket_website(Bucket=site.bucket, WebsiteConfiguration={**SITE, "ErrorDocument": {"Key": "error.html"}})
    denied = site.get("/private/secret.html")
    assert (denied.status_code, denied.content, denied.headers["x-amz-error-code"]) == (
        403, b"custom error page", "AccessDenied")


def test_strict_block_public_access_wins(strict_site):
    s3, site = strict_site
    s3.delete_public_access_block(Bucket=site.bucket)
    s3.put_bucket_policy(Bucket=site.bucket, Policy=_policy(
        site.bucket, _anyone("s3:GetObject", f"arn:aws:s3:::{site.bucket}/*")))
    assert site.get("/").content == b"home"
    s3.put_public_access_block(Bucket=site.bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True})
    assert site.get("/").status_code == 403


def test_strict_public_read_acl_where_acls_are_enabled(strict_site):
    s3, site = strict_site
    s3.put_bucket_ownership_controls(Bucket=site.bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    s3.delete_public_access_block(Bucket=site.bucket)
    put(s3, site.bucket, "index.html", b"acl home", ACL="public-read")
    assert (site.get("/").status_code, site.get("/").content) == (200, b"acl home")
    s3.put_public_access_block(Bucket=site.bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    assert site.get("/").status_code == 403


def test_path_form_site_root_and_cors(s3, bucket, endpoint):
    publish(s3, bucket)
    put(s3, bucket, "index.html", b"home")
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=SITE)
    root = requests.get(f"{endpoint}/_overcast/website/{bucket}", allow_redirects=False, timeout=30)
    assert (root.status_code, root.headers["location"]) == (302, f"/_overcast/website/{bucket}/")
    assert requests.get(f"{endpoint}/_overcast/website/", timeout=30).json()["error"] == "NotFound"  # no bucket
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["http://app.test"], "AllowedMethods": ["GET"]}]})
    url = f"{endpoint}/_overcast/website/{bucket}/"
    preflight = requests.options(url, headers={"Origin": "http://app.test", "Access-Control-Request-Method": "GET"},
                                 timeout=30)
    assert (preflight.status_code, preflight.headers["access-control-allow-origin"]) == (200, "http://app.test")
    refused = requests.options(url, headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "GET"},
                               timeout=30)
    assert refused.status_code == 403
    page = requests.get(url, headers={"Origin": "http://app.test"}, timeout=30)
    assert (page.content, page.headers["access-control-allow-origin"]) == (b"home", "http://app.test")
