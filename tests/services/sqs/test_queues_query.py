"""The queue operations over the query protocol (form POSTs, XML answers), as older SDKs call them."""

from __future__ import annotations

ACCOUNT = "000000000000"


def create(query, name: str, **attributes) -> str:
    params = {"QueueName": name}
    for i, (key, value) in enumerate(attributes.items(), 1):
        params[f"Attribute.{i}.Name"] = key
        params[f"Attribute.{i}.Value"] = value
    answer = query.call("CreateQueue", params)
    assert answer.status == 200, answer.body
    return answer.text("QueueUrl")


def test_create_queue_answers_xml_with_url(query, endpoint):
    answer = query.call("CreateQueue", {"QueueName": "legacy"})
    assert answer.status == 200
    assert answer.root.tag.endswith("CreateQueueResponse")
    assert answer.find_all("CreateQueueResult")
    assert answer.text("QueueUrl") == f"{endpoint}/queue/us-east-1/{ACCOUNT}/legacy"
    assert answer.text("RequestId")


def test_create_queue_with_attributes_and_tags(query, sqs):
    answer = query.call("CreateQueue", {
        "QueueName": "tagged", "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "9",
        "Tag.1.Key": "team", "Tag.1.Value": "red"})
    url = answer.text("QueueUrl")
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"] == {"DelaySeconds": "9"}
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "red"}


def test_get_queue_url(query):
    url = create(query, "findme")
    assert query.call("GetQueueUrl", {"QueueName": "findme"}).text("QueueUrl") == url


def test_missing_queue_is_legacy_non_existent_queue_code(query):
    answer = query.call("GetQueueUrl", {"QueueName": "missing"})
    assert answer.status == 400
    assert answer.error_code == "AWS.SimpleQueueService.NonExistentQueue"
    assert answer.text("Type") == "Sender"
    assert answer.error_message == "The specified queue does not exist for this wsdl version."


def test_get_queue_attributes_all(query):
    url = create(query, "attrs", VisibilityTimeout="45")
    answer = query.call("GetQueueAttributes", {"QueueUrl": url, "AttributeName.1": "All"})
    attributes = answer.pairs()
    assert attributes["VisibilityTimeout"] == "45"
    assert attributes["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:attrs"
    assert attributes["ApproximateNumberOfMessages"] == "0"


def test_set_queue_attributes(query):
    url = create(query, "settable")
    answer = query.call("SetQueueAttributes", {"QueueUrl": url, "Attribute.1.Name": "DelaySeconds",
                                               "Attribute.1.Value": "12"})
    assert answer.status == 200
    got = query.call("GetQueueAttributes", {"QueueUrl": url, "AttributeName.1": "DelaySeconds"}).pairs()
    assert got == {"DelaySeconds": "12"}


def test_request_posted_to_queue_url_without_queue_url_parameter(query):
    url = create(query, "posted", DelaySeconds="3")
    answer = query.call("GetQueueAttributes", {"AttributeName.1": "DelaySeconds"}, url=url)
    assert answer.pairs() == {"DelaySeconds": "3"}


def test_queue_already_exists_code(query):
    create(query, "twice", DelaySeconds="1")
    answer = query.call("CreateQueue", {"QueueName": "twice", "Attribute.1.Name": "DelaySeconds",
                                        "Attribute.1.Value": "2"})
    assert answer.status == 400
    assert answer.error_code == "QueueAlreadyExists"


def test_invalid_attribute_value_code(query):
    answer = query.call("CreateQueue", {"QueueName": "bad", "Attribute.1.Name": "VisibilityTimeout",
                                        "Attribute.1.Value": "99999"})
    assert answer.status == 400
    assert answer.error_code == "InvalidAttributeValue"
    assert answer.error_message == "Invalid value for the parameter VisibilityTimeout."


def test_invalid_attribute_name_code(query):
    url = create(query, "names")
    answer = query.call("GetQueueAttributes", {"QueueUrl": url, "AttributeName.1": "Nope"})
    assert answer.error_code == "InvalidAttributeName"


def test_missing_queue_name_is_missing_parameter(query):
    answer = query.call("CreateQueue", {})
    assert answer.status == 400
    assert answer.error_code == "MissingParameter"


def test_list_queues_with_prefix(query):
    wanted = create(query, "alpha-1")
    create(query, "beta-1")
    answer = query.call("ListQueues", {"QueueNamePrefix": "alpha"})
    assert answer.texts("QueueUrl") == [wanted]


def test_list_queues_pagination(query):
    urls = [create(query, f"p{i}") for i in range(3)]
    first = query.call("ListQueues", {"MaxResults": "2"})
    token = first.text("NextToken")
    second = query.call("ListQueues", {"MaxResults": "2", "NextToken": token})
    assert first.texts("QueueUrl") + second.texts("QueueUrl") == urls
    assert second.text("NextToken") is None


def test_delete_queue(query):
    url = create(query, "doomed")
    assert query.call("DeleteQueue", {"QueueUrl": url}).status == 200
    assert query.call("GetQueueUrl", {"QueueName": "doomed"}).error_code == "AWS.SimpleQueueService.NonExistentQueue"


def test_tags_round_trip(query):
    url = create(query, "tags")
    assert query.call("TagQueue", {"QueueUrl": url, "Tag.1.Key": "a", "Tag.1.Value": "1",
                                   "Tag.2.Key": "b", "Tag.2.Value": "2"}).status == 200
    assert query.call("UntagQueue", {"QueueUrl": url, "TagKey.1": "a"}).status == 200
    answer = query.call("ListQueueTags", {"QueueUrl": url})
    assert answer.pairs("Tag", "Key", "Value") == {"b": "2"}


def test_add_and_remove_permission(query, sqs):
    url = create(query, "perm")
    answer = query.call("AddPermission", {"QueueUrl": url, "Label": "L1", "AWSAccountId.1": "111122223333",
                                          "ActionName.1": "SendMessage", "ActionName.2": "ReceiveMessage"})
    assert answer.status == 200, answer.body
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert '"Sid":"L1"' in policy
    assert query.call("RemovePermission", {"QueueUrl": url, "Label": "L1"}).status == 200


def test_over_limit_code(query):
    url = create(query, "limits")
    params = {"QueueUrl": url, "Label": "L", "AWSAccountId.1": "111122223333"}
    for i, action in enumerate(["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
                                "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListDeadLetterSourceQueues"], 1):
        params[f"ActionName.{i}"] = action
    answer = query.call("AddPermission", params)
    assert answer.status == 403
    assert answer.error_code == "OverLimit"


def test_purge_in_progress_code(query):
    url = create(query, "purged")
    assert query.call("PurgeQueue", {"QueueUrl": url}).status == 200
    answer = query.call("PurgeQueue", {"QueueUrl": url})
    assert answer.status == 403
    assert answer.error_code == "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_list_dead_letter_source_queues(query):
    dlq = create(query, "dlq")
    arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"
    source = create(query, "source", RedrivePolicy=f'{{"deadLetterTargetArn":"{arn}","maxReceiveCount":"4"}}')
    answer = query.call("ListDeadLetterSourceQueues", {"QueueUrl": dlq})
    assert answer.status == 200
    assert answer.texts("QueueUrl") == [source]
