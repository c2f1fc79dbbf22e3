"""Strict mode: a mapping polls its queue as the function's execution role, so the role must
be allowed sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes (AWS's refusal
otherwise), and the pollers' calls are authorized for a session of the role. A function URL
serves only the callers AWS would: a NONE URL needs the function's policy to allow anyone
lambda:InvokeFunctionUrl, an AWS_IAM URL a signed caller whose policies allow it."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from serverproc import ServerProcess

from aws_clients import make_client
from esm_helpers import SQS_POLLING
from lambda_helpers import create_python_function, error_of, execution_role

HANDLER = "def handler(event, context):\n    return None\n"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("strict-esm")), "--strict").start()
    yield proc
    proc.stop()


def test_the_role_must_be_able_to_poll_the_queue(strict_server):
    lam, sqs = make_client(strict_server.endpoint, "lambda"), make_client(strict_server.endpoint, "sqs")
    iam = make_client(strict_server.endpoint, "iam")
    role = execution_role(lam, "esm-strict")
    create_python_function(lam, "esm-strict", HANDLER, Role=role)
    url = sqs.create_queue(QueueName="esm-strict")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert error_of(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName="esm-strict") == (
        "InvalidParameterValueException", "The function execution role does not have permissions to call "
                                          "ReceiveMessage on SQS")
    receive_only = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:GetQueueAttributes"], "Resource": arn}]})
    iam.put_role_policy(RoleName="esm-strict", PolicyName="poll", PolicyDocument=receive_only)
    assert error_of(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName="esm-strict")[1] == \
        "The function execution role does not have permissions to call DeleteMessage on SQS"

    iam.put_role_policy(RoleName="esm-strict", PolicyName="poll", PolicyDocument=SQS_POLLING)
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-strict")["UUID"]
    try:
        sqs.send_message(QueueUrl=url, MessageBody="as the role")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            if counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the role's poller did not consume the message")
    finally:
        lam.delete_event_source_mapping(UUID=mapping)


def _signed_get(endpoint: str, url: str, key: str, secret: str, token: str | None = None) -> requests.Response:
    host = urlsplit(url).netloc
    request = AWSRequest(method="GET", url=f"http://{host}/", headers={"Host": host})
    SigV4Auth(Credentials(key, secret, token), "lambda", "us-east-1").add_auth(request)
    return requests.get(endpoint + "/", headers=dict(request.headers.items()), timeout=30)


def test_function_urls_serve_whom_aws_would(strict_server):
    endpoint = strict_server.endpoint
    lam, iam = make_client(endpoint, "lambda"), make_client(endpoint, "iam")
    create_python_function(lam, "url-strict", 'def handler(event, context):\n    return {"ok": True}\n',
                           Role=execution_role(lam, "url-strict"))
    url = lam.create_function_url_config(FunctionName="url-strict", AuthType="NONE")["FunctionUrl"]
    host = {"Host": urlsplit(url).netloc}
    refused = requests.get(endpoint + "/", headers=host, timeout=30)
    assert refused.status_code == 403 and refused.json() == {"Message": "Forbidden"}
    lam.add_permission(FunctionName="url-strict", StatementId="public", Action="lambda:InvokeFunctionUrl",
                       Principal="*", FunctionUrlAuthType="NONE")
    served = requests.get(endpoint + "/", headers=host, timeout=30)
    assert served.status_code == 200 and served.json() == {"ok": True}

    lam.update_function_url_config(FunctionName="url-strict", AuthType="AWS_IAM")
    assert requests.get(endpoint + "/", headers=host, timeout=30).status_code == 403  # unsigned
    assert _signed_get(endpoint, url, "000000000000", "test").status_code == 200  # the account's root
    iam.create_user(UserName="url-caller")
    key = iam.create_access_key(UserName="url-caller")["AccessKey"]
    assert _signed_get(endpoint, url, key["AccessKeyId"], key["SecretAccessKey"]).status_code == 403
    iam.put_user_policy(UserName="url-caller", PolicyName="invoke-url", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunctionUrl",
                                                "Resource": "*"}]}))
    assert _signed_get(endpoint, url, key["AccessKeyId"], key["SecretAccessKey"]).status_code == 200
    assert _signed_get(endpoint, url, key["AccessKeyId"], "wrong").status_code == 403
