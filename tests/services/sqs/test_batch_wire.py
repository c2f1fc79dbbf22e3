"""SendMessageBatch on the JSON wire: an empty ``Failed`` list is left out, as SQS answers."""

from __future__ import annotations

import json

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def _send_batch(endpoint: str, url: str, entries: list[dict]) -> dict:
    body = json.dumps({"QueueUrl": url, "Entries": entries}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessageBatch"}
    request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(request)
    answer = requests.post(endpoint + "/", data=body, headers=dict(request.headers.items()), timeout=30)
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_all_sent_has_no_failed_member(endpoint, queue_url):
    document = _send_batch(endpoint, queue_url(), [{"Id": "a", "MessageBody": "1"}, {"Id": "b", "MessageBody": "2"}])
    assert "Failed" not in document
    assert [entry["Id"] for entry in document["Successful"]] == ["a", "b"]


def test_a_failed_entry_is_listed(endpoint, queue_url):
    document = _send_batch(endpoint, queue_url(), [{"Id": "ok", "MessageBody": "1"},
                                                   {"Id": "late", "MessageBody": "2", "DelaySeconds": 901}])
    assert [entry["Id"] for entry in document["Failed"]] == ["late"]
    assert [entry["Id"] for entry in document["Successful"]] == ["ok"]


def test_boto3_reads_an_all_sent_batch(sqs, queue_url):
    answer = sqs.send_message_batch(QueueUrl=queue_url(), Entries=[{"Id": "a", "MessageBody": "x"}])
    assert [entry["Id"] for entry in answer["Successful"]] == ["a"]
    assert answer.get("Failed", []) == []
