"""Function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs, and the URLs called with
requests (payload format 2.0 both ways, AWS_IAM signed calls, CORS)."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import urlsplit

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lambda_helpers import create_python_function, error_of

ECHO = """
import base64, json

def handler(event, context):
    if event["rawPath"] == "/plain":
        return {"echo": event["rawPath"]}
    if event["rawPath"] == "/boom":
        raise ValueError("boom")
    return {"statusCode": 201, "headers": {"x-echo": "yes", "content-type": "application/json"},
            "cookies": ["a=1", "b=2; Path=/"], "body": json.dumps(event)}
"""


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


def _url_id(url: str) -> str:
    return urlsplit(url).hostname.split(".")[0]


def public_url(lam, name: str, **config) -> str:
    """A NONE URL of ``name`` with the permission AWS requires for it (anyone may call it)."""
    lam.add_permission(FunctionName=name, StatementId="public-url", Action="lambda:InvokeFunctionUrl",
                       Principal="*", FunctionUrlAuthType="NONE")
    return lam.create_function_url_config(FunctionName=name, AuthType="NONE", **config)["FunctionUrl"]


def _call(endpoint: str, url: str, path: str = "/", method: str = "GET", **kwargs) -> requests.Response:
    """Through Overcast's port with the URL's Host (what ``*.localhost`` resolves to)."""
    headers = {"Host": urlsplit(url).netloc, **kwargs.pop("headers", {})}
    return requests.request(method, endpoint + path, headers=headers, timeout=30, **kwargs)


def test_url_config_lifecycle(lam):
    function_arn = create_python_function(lam, "url-crud", ECHO)["FunctionArn"]
    created = lam.create_function_url_config(FunctionName="url-crud", AuthType="NONE")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(r"http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+/", created["FunctionUrl"])
    assert created["FunctionArn"] == function_arn and created["AuthType"] == "NONE"
    assert created["InvokeMode"] == "BUFFERED" and "LastModifiedTime" not in created
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", created["CreationTime"])
    code, message = error_of(lam.create_function_url_config, FunctionName="url-crud", AuthType="NONE", status=409)
    assert code == "ResourceConflictException"
    assert message == (f"Failed to create function url config for [functionArn = {function_arn}]. Error message:  "
                       "FunctionUrlConfig exists for this Lambda function")
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60}
    updated = lam.update_function_url_config(FunctionName="url-crud", AuthType="AWS_IAM", Cors=cors)
    assert updated["AuthType"] == "AWS_IAM" and updated["Cors"]["AllowOrigins"] == ["https://example.com"]
    got = lam.get_function_url_config(FunctionName=function_arn)
    assert got["FunctionUrl"] == created["FunctionUrl"] and got["LastModifiedTime"]
    listed = lam.list_function_url_configs(FunctionName="url-crud")["FunctionUrlConfigs"]
    assert [c["FunctionUrl"] for c in listed] == [created["FunctionUrl"]]
    assert lam.delete_function_url_config(FunctionName="url-crud")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lam.get_function_url_config, FunctionName="url-crud", status=404) == (
        "ResourceNotFoundException", "The resource you requested does not exist.")
    assert lam.list_function_url_configs(FunctionName="url-crud")["FunctionUrlConfigs"] == []
    assert error_of(lam.create_function_url_config, FunctionName="url-none", AuthType="NONE",
                    status=404)[0] == "ResourceNotFoundException"


def test_a_url_serves_payload_format_2(lam, endpoint):
    create_python_function(lam, "url-echo", ECHO)
    url = public_url(lam, "url-echo")
    answer = _call(endpoint, url, "/orders/7?x=1&x=2&y=", method="POST", data=b'{"n": 1}',
                   headers={"content-type": "application/json", "cookie": "s=abc; t=def", "X-Custom": "v"})
    assert answer.status_code == 201
    assert answer.headers["x-echo"] == "yes" and answer.headers["x-amzn-requestid"]
    assert answer.raw.headers.getlist("set-cookie") == ["a=1", "b=2; Path=/"]
    event = answer.json()
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/orders/7" and event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["cookies"] == ["s=abc", "t=def"] and "cookie" not in event["headers"]
    assert event["headers"]["x-custom"] == "v" and event["headers"]["x-forwarded-proto"] == "http"
    assert event["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert event["headers"]["x-amzn-trace-id"].startswith("Root=1-")
    assert event["body"] == '{"n": 1}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    url_id = _url_id(url)
    assert context["accountId"] == "anonymous" and context["apiId"] == url_id
    assert context["domainName"] == f"{url_id}.lambda-url.us-east-1.on.aws" and context["domainPrefix"] == url_id
    assert context["http"]["method"] == "POST" and context["http"]["path"] == "/orders/7"
    assert context["stage"] == "$default" and isinstance(context["timeEpoch"], int)

    binary = _call(endpoint, url, "/bin", method="PUT", data=b"\x00\xff",
                   headers={"content-type": "application/octet-stream"}).json()
    assert binary["isBase64Encoded"] is True and base64.b64decode(binary["body"]) == b"\x00\xff"

    plain = _call(endpoint, url, "/plain")
    assert plain.status_code == 200 and plain.headers["content-type"] == "application/json"
    assert plain.json() == {"echo": "/plain"}
    failed = _call(endpoint, url, "/boom")
    assert failed.status_code == 502 and failed.json() == {"Message": "Internal Server Error"}
    by_path = requests.get(f"{endpoint}/_overcast/lambda-url/{url_id}/plain", timeout=30)
    assert by_path.status_code == 200 and by_path.json() == {"echo": "/plain"}
    assert _call(endpoint, url.replace(url_id, "a" * 32), "/plain").status_code == 404


def test_an_aws_iam_url_takes_signed_calls_only(lam, endpoint):
    create_python_function(lam, "url-iam", ECHO)
    url = lam.create_function_url_config(FunctionName="url-iam", AuthType="AWS_IAM")["FunctionUrl"]
    unsigned = _call(endpoint, url, "/who")
    assert unsigned.status_code == 403 and unsigned.json() == {"Message": "Forbidden"}
    host = urlsplit(url).netloc
    request = AWSRequest(method="GET", url=f"http://{host}/who", headers={"Host": host})
    SigV4Auth(Credentials("000000000000", "test"), "lambda", "us-east-1").add_auth(request)
    signed = requests.get(endpoint + "/who", headers=dict(request.headers.items()), timeout=30)
    assert signed.status_code == 201
    context = signed.json()["requestContext"]
    assert context["accountId"] == "000000000000"
    assert context["authorizer"]["iam"]["accountId"] == "000000000000"
    assert context["authorizer"]["iam"]["accessKey"] == "000000000000"


def test_cors_of_a_url(lam, endpoint):
    create_python_function(lam, "url-cors", ECHO)
    url = public_url(lam, "url-cors", Cors={
        "AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["x-token"],
        "ExposeHeaders": ["x-echo"], "MaxAge": 300})
    preflight = _call(endpoint, url, "/plain", method="OPTIONS", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert preflight.headers["access-control-allow-methods"] == "GET,POST"
    assert preflight.headers["access-control-allow-headers"] == "x-token"
    assert preflight.headers["access-control-max-age"] == "300"
    simple = _call(endpoint, url, "/plain", headers={"Origin": "https://app.example"})
    assert simple.headers["access-control-allow-origin"] == "https://app.example"
    assert simple.headers["access-control-expose-headers"] == "x-echo"
    other = _call(endpoint, url, "/plain", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    assert json.loads(other.content) == {"echo": "/plain"}


def test_a_url_of_an_alias_runs_the_aliased_version(lam, endpoint):
    version_of = "import os\ndef handler(event, context):\n    return {'v': os.environ['AWS_LAMBDA_FUNCTION_VERSION']}\n"
    create_python_function(lam, "url-alias", version_of)
    lam.publish_version(FunctionName="url-alias")
    lam.create_alias(FunctionName="url-alias", Name="live", FunctionVersion="1")
    lam.add_permission(FunctionName="url-alias", Qualifier="live", StatementId="public-url",
                       Action="lambda:InvokeFunctionUrl", Principal="*", FunctionUrlAuthType="NONE")
    created = lam.create_function_url_config(FunctionName="url-alias", Qualifier="live", AuthType="NONE")
    assert created["FunctionArn"].endswith(":function:url-alias:live")
    assert _call(endpoint, created["FunctionUrl"]).json() == {"v": "1"}
    assert error_of(lam.get_function_url_config, FunctionName="url-alias", status=404)[0] == \
        "ResourceNotFoundException"  # the unqualified function has no URL of its own
    assert lam.get_function_url_config(FunctionName="url-alias", Qualifier="live")["FunctionUrl"] == \
        created["FunctionUrl"]
