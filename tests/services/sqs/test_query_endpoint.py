"""The query wire at the endpoint and at queue URLs: actions valid where they are posted, the
legacy messages, GET without an Action, JSON answers on request, self-closing empty results."""

from __future__ import annotations

import json

NS = "http://queue.amazonaws.com/doc/2012-11-05/"


def test_unknown_action_is_invalid_action(query):
    answer = query.call("Frobnicate")
    assert (answer.status, answer.error_code) == (400, "InvalidAction")
    assert answer.error_message == "The action Frobnicate is not valid for this endpoint."
    assert answer.text("Type") == "Sender"


def test_queue_less_actions_posted_to_a_queue_url_are_invalid_action(query, queue_url):
    url = queue_url("target")
    for action, params in (("CreateQueue", {"QueueName": "other"}), ("ListQueues", {})):
        answer = query.call(action, params, url=url)
        assert (answer.status, answer.error_code) == (400, "InvalidAction")
        assert answer.error_message == f"The action {action} is not valid for this endpoint."


def test_queue_actions_posted_to_a_queue_url_act_on_it(query, queue_url, sqs):
    url = queue_url("posted")
    answer = query.call("SendMessage", {"MessageBody": "to the url"}, url=url)
    assert answer.status == 200, answer.body
    got = sqs.receive_message(QueueUrl=url)["Messages"]
    assert [m["Body"] for m in got] == ["to the url"]


def test_missing_queue_message_names_the_wsdl_version(query, endpoint):
    answer = query.call("GetQueueAttributes", {"QueueUrl": f"{endpoint}/queue/us-east-1/000000000000/gone",
                                               "AttributeName.1": "All"})
    assert answer.error_code == "AWS.SimpleQueueService.NonExistentQueue"
    assert answer.error_message == "The specified queue does not exist for this wsdl version."


def test_deleted_queue_message_names_the_wsdl_version(query, queue_url, sqs):
    url = queue_url("short-lived")
    sqs.delete_queue(QueueUrl=url)
    answer = query.call("SendMessage", {"MessageBody": "late"}, url=url)
    assert answer.error_code == "AWS.SimpleQueueService.NonExistentQueue"
    assert answer.error_message == "The specified queue does not exist for this wsdl version."


def test_get_on_a_queue_url_without_action_is_404_unknown_operation(query, queue_url):
    url = queue_url("browsed")
    answer = query.raw("GET", url)
    assert answer.status_code == 404
    assert answer.content == b"<UnknownOperationException/>\n"


def test_unsigned_get_on_a_path_form_queue_url_is_sqs_404(queue_url):
    import requests

    answer = requests.get(queue_url("unsigned"), timeout=30)
    assert answer.status_code == 404
    assert answer.content == b"<UnknownOperationException/>\n"


def test_empty_result_element_is_self_closing(query, queue_url):
    url = queue_url("empty")
    answer = query.call("ReceiveMessage", {"QueueUrl": url})
    assert answer.status == 200
    assert b"<ReceiveMessageResult/>" in answer.body
    listed = query.call("ListQueues", {"QueueNamePrefix": "nothing-like-this"})
    assert b"<ListQueuesResult/>" in listed.body


def _form(action: str, **params) -> bytes:
    from urllib.parse import urlencode

    return urlencode({"Action": action, "Version": "2012-11-05", **params}).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/json"}


def test_accept_json_answers_json(query, endpoint, queue_url):
    url = queue_url("jsoned")
    answer = query.raw("POST", endpoint + "/", _form("GetQueueUrl", QueueName="jsoned"), FORM)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    document = answer.json()
    assert document["GetQueueUrlResponse"]["GetQueueUrlResult"] == {"QueueUrl": url}
    assert document["GetQueueUrlResponse"]["ResponseMetadata"]["RequestId"] == answer.headers["x-amzn-requestid"]


def test_accept_json_names_members_as_the_json_model(query, endpoint, queue_url):
    url = queue_url("jsoned-attrs", DelaySeconds=3)
    body = _form("GetQueueAttributes", QueueUrl=url, **{"AttributeName.1": "DelaySeconds"})
    document = query.raw("POST", endpoint + "/", body, FORM).json()
    assert document["GetQueueAttributesResponse"]["GetQueueAttributesResult"] == {
        "Attributes": {"DelaySeconds": "3"}}


def test_accept_json_errors_are_json(query, endpoint):
    answer = query.raw("POST", endpoint + "/", _form("GetQueueUrl", QueueName="nowhere"), FORM)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "Error": {"Type": "Sender", "Code": "AWS.SimpleQueueService.NonExistentQueue",
                  "Message": "The specified queue does not exist for this wsdl version."},
        "RequestId": answer.headers["x-amzn-requestid"],
    }
    assert json.loads(answer.content)  # a JSON document, not XML


def test_get_with_an_action_on_a_queue_url_acts_on_the_queue(query, queue_url):
    url = queue_url("got", DelaySeconds=4)
    answer = query.raw("GET", url + "?Action=GetQueueAttributes&Version=2012-11-05&AttributeName.1=DelaySeconds")
    assert answer.status_code == 200, answer.content
    assert b"<Name>DelaySeconds</Name><Value>4</Value>" in answer.content
