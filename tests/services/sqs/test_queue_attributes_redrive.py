"""RedrivePolicy and RedriveAllowPolicy: parsed, validated against the dead-letter queue."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def arn_of(sqs, url) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def redrive(arn, count=3) -> str:
    return json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": count})


def error_of(excinfo) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_redrive_policy_is_returned_compact_with_integer_count(sqs, queue_url):
    dlq_arn = arn_of(sqs, queue_url("dlq"))
    url = queue_url("src", RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}))
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
    assert json.loads(got["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}


def test_redrive_policy_can_be_removed(sqs, queue_url):
    dlq_arn = arn_of(sqs, queue_url("dlq"))
    url = queue_url("src", RedrivePolicy=redrive(dlq_arn))
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": ""})
    assert "RedrivePolicy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_missing_dead_letter_queue_is_refused(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        queue_url("src", RedrivePolicy=redrive("arn:aws:sqs:us-east-1:000000000000:nowhere"))
    code, message = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert "does not exist" in message


@pytest.mark.parametrize("count", [0, 1001, "many"])
def test_max_receive_count_must_be_1_to_1000(sqs, queue_url, count):
    dlq_arn = arn_of(sqs, queue_url("dlq"))
    with pytest.raises(ClientError) as excinfo:
        queue_url("src", RedrivePolicy=redrive(dlq_arn, count))
    code, message = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert "maxReceiveCount" in message


@pytest.mark.parametrize("count", [1, 1000])
def test_max_receive_count_bounds_are_accepted(sqs, queue_url, count):
    dlq_arn = arn_of(sqs, queue_url("dlq"))
    url = queue_url("src", RedrivePolicy=redrive(dlq_arn, count))
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
    assert json.loads(got["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": count}


def test_redrive_policy_needs_both_members(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        queue_url("src", RedrivePolicy=json.dumps({"maxReceiveCount": 3}))
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_redrive_policy_must_be_json(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        queue_url("src", RedrivePolicy="{not json")
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_fifo_source_needs_fifo_dead_letter_queue(sqs, queue_url):
    dlq_arn = arn_of(sqs, queue_url("dlq"))
    with pytest.raises(ClientError) as excinfo:
        queue_url("src.fifo", fifo=True, RedrivePolicy=redrive(dlq_arn))
    code, message = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert "same type" in message


def test_standard_source_cannot_use_fifo_dead_letter_queue(sqs, queue_url):
    dlq_arn = arn_of(sqs, queue_url("dlq.fifo", fifo=True))
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=queue_url("src"), Attributes={"RedrivePolicy": redrive(dlq_arn)})


def test_fifo_source_with_fifo_dead_letter_queue(sqs, queue_url):
    dlq_arn = arn_of(sqs, queue_url("dlq.fifo", fifo=True))
    url = queue_url("src.fifo", fifo=True, RedrivePolicy=redrive(dlq_arn))
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
    assert json.loads(got["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}


def test_redrive_allow_policy_deny_all_refuses_sources(sqs, queue_url):
    dlq = queue_url("dlq", RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
    with pytest.raises(ClientError) as excinfo:
        queue_url("src", RedrivePolicy=redrive(arn_of(sqs, dlq)))
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_redrive_allow_policy_by_queue_admits_listed_sources_only(sqs, queue_url):
    allowed_arn = "arn:aws:sqs:us-east-1:000000000000:allowed"
    dlq = queue_url("dlq", RedriveAllowPolicy=json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": [allowed_arn]}))
    queue_url("allowed", RedrivePolicy=redrive(arn_of(sqs, dlq)))
    with pytest.raises(ClientError):
        queue_url("other", RedrivePolicy=redrive(arn_of(sqs, dlq)))


@pytest.mark.parametrize("policy", [
    {"redrivePermission": "sometimes"},
    {"redrivePermission": "byQueue"},
    {"redrivePermission": "byQueue", "sourceQueueArns": [f"arn:aws:sqs:us-east-1:000000000000:q{i}" for i in range(11)]},
    {"redrivePermission": "allowAll", "sourceQueueArns": ["arn:aws:sqs:us-east-1:000000000000:q"]},
])
def test_invalid_redrive_allow_policy_is_refused(sqs, queue_url, policy):
    with pytest.raises(ClientError) as excinfo:
        queue_url("dlq", RedriveAllowPolicy=json.dumps(policy))
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_redrive_allow_policy_is_returned(sqs, queue_url):
    policy = {"redrivePermission": "byQueue", "sourceQueueArns": ["arn:aws:sqs:us-east-1:000000000000:a"]}
    url = queue_url("dlq", RedriveAllowPolicy=json.dumps(policy))
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]
    assert json.loads(got["RedriveAllowPolicy"]) == policy
