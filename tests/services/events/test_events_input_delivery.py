"""What a target receives, end to end: PutEvents -> rule -> SQS queue, with no input settings
(the whole event), Input, InputPath and InputTransformer (the user guide's "Amazon EventBridge
input transformation" cases and the answers AWS gives for them). The queue's policy lets
EventBridge send for the rule, as AWS (and strict mode) requires."""

from __future__ import annotations

import json
import re

import pytest

from dispatch_helpers import allow_events
from events_helpers import drain, make_queue_target

SOURCE = "core.update-account-command"
DETAIL = {"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}}
PATTERN = {"source": [SOURCE]}


@pytest.fixture
def clients(aws_client):
    return aws_client("sqs"), aws_client("events")


def deliver(clients, **target) -> dict:
    """Put one matching event and answer the one message the rule's queue target got."""
    sqs, events = clients
    url = make_queue_target(sqs, events, "input-rule", pattern=PATTERN, **target)
    allow_events(sqs, url, events.describe_rule(Name="input-rule")["Arn"])
    answer = events.put_events(Entries=[{"Source": SOURCE, "DetailType": SOURCE, "Detail": json.dumps(DETAIL)}])
    assert answer["FailedEntryCount"] == 0
    messages = drain(sqs, url)
    assert len(messages) == 1
    return messages[0]


def test_no_input_settings_deliver_the_event(clients):
    event = deliver(clients)["Parsed"]
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources",
                           "detail"]
    assert event["detail"] == DETAIL and event["source"] == SOURCE


def test_input_is_delivered_as_given(clients):
    assert deliver(clients, Input='{"env": "dev", "n": [1, 2]}')["Body"] == '{"env": "dev", "n": [1, 2]}'


def test_input_path(clients):
    assert deliver(clients, InputPath="$.detail")["Parsed"] == DETAIL
    assert deliver(clients, InputPath="$.detail.payload.sf_id")["Body"] == '"baz"'


def test_string_template(clients):
    transformer = {"InputPathsMap": {"detail-type": "$.detail-type", "command": "$.detail.command",
                                     "missing": "$.detail.notinmessage"},
                   "InputTemplate": '"Event of <detail-type> type, info <command>, missing <missing>"'}
    assert deliver(clients, InputTransformer=transformer)["Body"] == (
        f'"Event of {SOURCE} type, info update-account, missing "')


def test_json_template(clients):
    transformer = {"InputPathsMap": {"detail-type": "$.detail-type", "command": "$.detail.command",
                                     "payload": "$.detail.payload", "missing": "$.detail.notinmessage"},
                   "InputTemplate": '{"detailType": <detail-type>, "command": <command>, "payload": <payload>, '
                                    '"said": "payload is <payload>", "missing": <missing>}'}
    message = deliver(clients, InputTransformer=transformer)
    assert message["Parsed"] == {"detailType": SOURCE, "command": "update-account", "payload": DETAIL["payload"],
                                 "said": "payload is {acc_id:0a787ecb-4015,sf_id:baz}", "missing": ""}
    assert message["Body"] == json.dumps(message["Parsed"], separators=(",", ":"))  # minified


def test_plain_text_template(clients):
    transformer = {"InputPathsMap": {"command": "$.detail.command", "id": "$.detail.payload.acc_id"},
                   "InputTemplate": "<command> for account <id>"}
    assert deliver(clients, InputTransformer=transformer)["Body"] == "update-account for account 0a787ecb-4015"


def test_predefined_variables(clients):
    sqs, events = clients
    template = ('{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, '
                '"at": <aws.events.event.ingestion-time>, "originalEvent": <aws.events.event>, '
                '"originalEventJson": <aws.events.event.json>}')
    body = deliver(clients, InputTransformer={"InputTemplate": template})["Parsed"]
    rule_arn = events.describe_rule(Name="input-rule")["Arn"]
    assert body["ruleArn"] == rule_arn and body["ruleName"] == "input-rule"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["at"])
    full = body["originalEventJson"]
    assert full["detail"] == DETAIL and full["source"] == SOURCE
    assert body["originalEvent"] == {"id": full["id"], "account": full["account"], "detailType": SOURCE,
                                     "time": full["time"], "source": SOURCE, "region": full["region"],
                                     "resources": [], "version": "0"}
    assert list(body["originalEvent"]) == ["id", "account", "detailType", "time", "source", "region", "resources",
                                           "version"]


def test_two_targets_of_one_rule_get_their_own_input(clients):
    sqs, events = clients
    whole = make_queue_target(sqs, events, "input-rule", queue="whole", pattern=PATTERN, target_id="whole")
    part = make_queue_target(sqs, events, "input-rule", queue="part", target_id="part", InputPath="$.detail")
    rule_arn = events.describe_rule(Name="input-rule")["Arn"]
    allow_events(sqs, whole, rule_arn)
    allow_events(sqs, part, rule_arn)
    events.put_events(Entries=[{"Source": SOURCE, "DetailType": SOURCE, "Detail": json.dumps(DETAIL)}])
    assert drain(sqs, whole)[0]["Parsed"]["detail"] == DETAIL
    assert drain(sqs, part)[0]["Parsed"] == DETAIL


def test_array_indices_and_wildcards(clients):
    sqs, events = clients
    url = make_queue_target(sqs, events, "list-rule", pattern=PATTERN, InputTransformer={
        "InputPathsMap": {"first": "$.detail.items[0].sku", "all": "$.detail.items[*].sku"},
        "InputTemplate": '{"first": <first>, "all": <all>, "text": "skus <all>"}'})
    allow_events(sqs, url, events.describe_rule(Name="list-rule")["Arn"])
    detail = {"items": [{"sku": "a-1"}, {"sku": "b-2"}]}
    events.put_events(Entries=[{"Source": SOURCE, "DetailType": SOURCE, "Detail": json.dumps(detail)}])
    assert drain(sqs, url)[0]["Body"] == '{"first":"a-1","all":["a-1","b-2"],"text":"skus [a-1,b-2]"}'
