"""AddPermission / RemovePermission: labelled statements in the queue's Policy."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

OWNER = "000000000000"


def policy_of(sqs, url):
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
    return json.loads(got["Policy"]) if "Policy" in got else None


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_add_permission_writes_a_statement(sqs, queue_url):
    url = queue_url("shared")
    sqs.add_permission(QueueUrl=url, Label="AliceSend", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    policy = policy_of(sqs, url)
    arn = f"arn:aws:sqs:us-east-1:{OWNER}:shared"
    assert policy["Version"] == "2008-10-17"
    assert policy["Id"] == f"{arn}/SQSDefaultPolicy"
    assert policy["Statement"] == [{
        "Sid": "AliceSend", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SQS:SendMessage", "Resource": arn,
    }]


def test_several_accounts_and_actions_become_lists(sqs, queue_url):
    url = queue_url()
    sqs.add_permission(QueueUrl=url, Label="Both", AWSAccountIds=["111122223333", "444455556666"],
                       Actions=["SendMessage", "ReceiveMessage"])
    (statement,) = policy_of(sqs, url)["Statement"]
    assert statement["Principal"]["AWS"] == ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]
    assert statement["Action"] == ["SQS:SendMessage", "SQS:ReceiveMessage"]


def test_labels_accumulate(sqs, queue_url):
    url = queue_url()
    sqs.add_permission(QueueUrl=url, Label="One", AWSAccountIds=["111122223333"], Actions=["*"])
    sqs.add_permission(QueueUrl=url, Label="Two", AWSAccountIds=["111122223333"], Actions=["GetQueueUrl"])
    assert [s["Sid"] for s in policy_of(sqs, url)["Statement"]] == ["One", "Two"]


def test_duplicate_label_is_invalid_parameter_value(sqs, queue_url):
    url = queue_url()
    sqs.add_permission(QueueUrl=url, Label="Dup", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="Dup", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    assert error_code(excinfo) == "InvalidParameterValue"


def test_more_than_seven_actions_is_over_limit(sqs, queue_url):
    actions = ["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
               "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListDeadLetterSourceQueues"]
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=queue_url(), Label="Many", AWSAccountIds=["111122223333"], Actions=actions)
    assert error_code(excinfo) == "OverLimit"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


@pytest.mark.parametrize("action", ["CreateQueue", "SetQueueAttributes", "Fly"])
def test_actions_others_cannot_be_granted_are_refused(sqs, queue_url, action):
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=queue_url(), Label="L", AWSAccountIds=["111122223333"], Actions=[action])
    assert error_code(excinfo) == "InvalidParameterValue"


def test_invalid_label_is_refused(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=queue_url(), Label="no spaces", AWSAccountIds=["111122223333"],
                           Actions=["SendMessage"])
    assert error_code(excinfo) == "InvalidParameterValue"


def test_empty_account_list_is_missing_parameter(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=queue_url(), Label="L", AWSAccountIds=[], Actions=["SendMessage"])
    assert error_code(excinfo) == "MissingParameter"


def test_remove_permission_removes_the_labelled_statement(sqs, queue_url):
    url = queue_url()
    sqs.add_permission(QueueUrl=url, Label="Keep", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    sqs.add_permission(QueueUrl=url, Label="Drop", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    sqs.remove_permission(QueueUrl=url, Label="Drop")
    assert [s["Sid"] for s in policy_of(sqs, url)["Statement"]] == ["Keep"]


def test_removing_the_last_statement_removes_the_policy(sqs, queue_url):
    url = queue_url()
    sqs.add_permission(QueueUrl=url, Label="Only", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    sqs.remove_permission(QueueUrl=url, Label="Only")
    assert policy_of(sqs, url) is None


def test_remove_unknown_label_is_invalid_parameter_value(sqs, queue_url):
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=queue_url(), Label="Nope")
    assert error_code(excinfo) == "InvalidParameterValue"
    assert excinfo.value.response["Error"]["Message"] == (
        "Value Nope for parameter Label is invalid. Reason: can't find label.")


def test_remove_a_label_already_removed_is_refused_the_same_way(sqs, queue_url):
    url = queue_url()
    for label in ("First", "Second"):
        sqs.add_permission(QueueUrl=url, Label=label, AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    sqs.remove_permission(QueueUrl=url, Label="Second")
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=url, Label="Second")
    assert excinfo.value.response["Error"]["Message"] == (
        "Value Second for parameter Label is invalid. Reason: can't find label.")


def test_add_permission_keeps_a_policy_set_by_hand(sqs, queue_url):
    own = {"Version": "2012-10-17", "Statement": [{"Sid": "Mine", "Effect": "Allow", "Principal": "*",
                                                   "Action": "sqs:*", "Resource": "*"}]}
    url = queue_url(Policy=json.dumps(own))
    sqs.add_permission(QueueUrl=url, Label="Added", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    assert [s["Sid"] for s in policy_of(sqs, url)["Statement"]] == ["Mine", "Added"]
