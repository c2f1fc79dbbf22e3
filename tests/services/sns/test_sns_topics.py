"""Topics: create (standard and FIFO), attributes, the default policy, list pages, delete, tags,
data protection policy, Add/RemovePermission, with SNS's error codes and texts."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def error_of(excinfo) -> tuple[str, str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_create_topic_answers_the_arn_and_default_attributes(sns):
    arn = sns.create_topic(Name="orders")["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["Owner"] == ACCOUNT
    assert attributes["TopicArn"] == arn
    assert attributes["DisplayName"] == ""
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"],
            attributes["SubscriptionsDeleted"]) == ("0", "0", "0")
    policy = json.loads(attributes["Policy"])
    assert policy == {
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                       "Action": ["SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:DeleteTopic",
                                  "SNS:GetTopicAttributes", "SNS:Publish", "SNS:RemovePermission",
                                  "SNS:AddPermission", "SNS:SetTopicAttributes"],
                       "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}}]}
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert effective["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3
    assert "FifoTopic" not in attributes


def test_create_topic_is_idempotent_but_not_with_other_attributes(sns):
    first = sns.create_topic(Name="same", Attributes={"DisplayName": "one"})["TopicArn"]
    assert sns.create_topic(Name="same", Attributes={"DisplayName": "one"})["TopicArn"] == first
    assert sns.create_topic(Name="same")["TopicArn"] == first
    with pytest.raises(ClientError) as excinfo:
        sns.create_topic(Name="same", Attributes={"DisplayName": "two"})
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists "
                                 "with different attributes", 400)


@pytest.mark.parametrize("name", ["has space", "x" * 257, "dot.fifo", "a.b"])
def test_invalid_standard_names(sns, name):
    with pytest.raises(ClientError) as excinfo:
        sns.create_topic(Name=name)
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Topic Name", 400)


def test_fifo_topic(sns):
    arn = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true",
                                                         "ContentBasedDeduplication": "true"})["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true" and attributes["ContentBasedDeduplication"] == "true"
    with pytest.raises(ClientError) as excinfo:
        sns.create_topic(Name="jobs", Attributes={"FifoTopic": "true"})
    code, message, _ = error_of(excinfo)
    assert code == "InvalidParameter" and message.startswith("Invalid parameter: Fifo Topic names must end with .fifo")


def test_content_based_deduplication_only_on_fifo(sns, topic):
    with pytest.raises(ClientError) as excinfo:
        sns.set_topic_attributes(TopicArn=topic(), AttributeName="ContentBasedDeduplication", AttributeValue="true")
    assert error_of(excinfo)[0] == "InvalidParameter"


def test_set_topic_attributes(sns, topic):
    arn = topic()
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Shown")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="2")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="TracingConfig", AttributeValue="Active")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert (attributes["DisplayName"], attributes["SignatureVersion"], attributes["TracingConfig"]) == \
        ("Shown", "2", "Active")
    with pytest.raises(ClientError) as excinfo:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Nope", AttributeValue="x")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: AttributeName", 400)
    with pytest.raises(ClientError) as excinfo:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue="{not json")
    assert error_of(excinfo)[0] == "InvalidParameter"


def test_missing_and_malformed_topics(sns):
    with pytest.raises(ClientError) as excinfo:
        sns.get_topic_attributes(TopicArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:absent")
    assert error_of(excinfo) == ("NotFound", "Topic does not exist", 404)
    with pytest.raises(ClientError) as excinfo:
        sns.get_topic_attributes(TopicArn="not-an-arn")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: TopicArn", 400)
    sns.delete_topic(TopicArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:absent")  # succeeds, as on AWS


def test_list_topics_pages_by_100(sns):
    created = sorted(sns.create_topic(Name=f"t{i:03d}")["TopicArn"] for i in range(130))
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and "NextToken" in first
    second = sns.list_topics(NextToken=first["NextToken"])
    assert "NextToken" not in second
    listed = [t["TopicArn"] for t in first["Topics"] + second["Topics"]]
    assert listed == created
    assert [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]] == created


def test_delete_topic_removes_it_and_its_subscriptions(sns, topic, queue):
    arn = topic()
    _, queue_arn = queue()
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
    sns.delete_topic(TopicArn=arn)
    assert arn not in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert sns.list_subscriptions()["Subscriptions"] == []


def test_tags(sns):
    arn = sns.create_topic(Name="tagged", Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "b"}])
    assert sorted((t["Key"], t["Value"]) for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]) == \
        [("env", "dev"), ("team", "b")]
    sns.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as excinfo:
        sns.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error_of(excinfo)[0] == "TagLimitExceeded"
    with pytest.raises(ClientError) as excinfo:
        sns.list_tags_for_resource(ResourceArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:absent")
    assert error_of(excinfo) == ("ResourceNotFound", "Resource does not exist", 404)


def test_data_protection_policy_is_stored(sns, topic):
    arn = topic()
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == ""
    policy = json.dumps({"Name": "p", "Description": "", "Version": "2021-06-01", "Statement": []})
    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy=policy)
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == policy


def test_add_and_remove_permission_edit_the_policy(sns, topic):
    arn = topic()
    sns.add_permission(TopicArn=arn, Label="let-them", AWSAccountId=["111122223333"], ActionName=["Publish"])
    statements = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]
    added = [s for s in statements if s["Sid"] == "let-them"]
    assert added == [{"Sid": "let-them", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                      "Action": "SNS:Publish", "Resource": arn}]
    with pytest.raises(ClientError) as excinfo:
        sns.add_permission(TopicArn=arn, Label="let-them", AWSAccountId=["111122223333"], ActionName=["Publish"])
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: Statement already exists", 400)
    sns.remove_permission(TopicArn=arn, Label="let-them")
    statements = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["__default_statement_ID"]


def test_cli_create_publish_list(aws_cli):
    arn = aws_cli("sns", "create-topic", "--name", "from-cli")["TopicArn"]
    assert aws_cli("sns", "publish", "--topic-arn", arn, "--message", "hi")["MessageId"]
    assert {"TopicArn": arn} in aws_cli("sns", "list-topics")["Topics"]
