"""Event source mappings and function URLs survive a kill -9: after the restart the mapping's
pollers run again and the URL still serves; a deleted function takes its URL with it."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
import requests
from serverproc import ServerProcess

from aws_clients import make_client
from esm_helpers import sqs_polling_role
from lambda_helpers import create_python_function, error_of

HANDLER = """
import json, os, uuid

def handler(event, context):
    if "Records" not in event:
        return {"statusCode": 200, "body": "up"}
    name = os.path.join(os.environ["OUT"], uuid.uuid4().hex)
    with open(name + ".tmp", "w") as f:
        json.dump(event, f)
    os.rename(name + ".tmp", name + ".json")
"""
WAIT = 20.0


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def _bodies(out) -> list[str]:
    return [r["body"] for p in sorted(out.glob("*.json")) for r in json.loads(p.read_text())["Records"]]


def _wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_mappings_and_urls_survive_kill_9(own_server, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    lam, sqs = make_client(own_server.endpoint, "lambda"), make_client(own_server.endpoint, "sqs")
    create_python_function(lam, "esm-durable", HANDLER, Role=sqs_polling_role(lam),
                           Environment={"Variables": {"OUT": str(out)}})
    url = sqs.create_queue(QueueName="esm-durable")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="esm-durable")["UUID"]
    function_url = lam.create_function_url_config(FunctionName="esm-durable", AuthType="NONE")["FunctionUrl"]

    own_server.kill()
    own_server.start()
    lam, sqs = make_client(own_server.endpoint, "lambda"), make_client(own_server.endpoint, "sqs")
    assert lam.get_event_source_mapping(UUID=mapping)["State"] == "Enabled"
    sqs.send_message(QueueUrl=url, MessageBody="after the crash")
    _wait_for(lambda: _bodies(out) == ["after the crash"], "the restarted poller's invocation")
    host = urlsplit(function_url).netloc.rsplit(":", 1)[0] + f":{own_server.port}"
    answer = requests.get(own_server.endpoint + "/", headers={"Host": host}, timeout=30)
    assert answer.status_code == 200 and answer.text == "up"

    lam.delete_function(FunctionName="esm-durable")
    assert error_of(lam.get_function_url_config, FunctionName="esm-durable", status=404)[0] == \
        "ResourceNotFoundException"
    assert requests.get(own_server.endpoint + "/", headers={"Host": host}, timeout=30).status_code == 404
