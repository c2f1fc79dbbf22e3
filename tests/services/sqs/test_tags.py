"""Queue tags: at creation, TagQueue, UntagQueue, ListQueueTags, and their limits."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def tags_of(sqs, url) -> dict:
    return sqs.list_queue_tags(QueueUrl=url).get("Tags", {})


def test_tags_given_at_creation(sqs, queue_url):
    assert tags_of(sqs, queue_url(tags={"team": "red", "env": "dev"})) == {"team": "red", "env": "dev"}


def test_untagged_queue_lists_no_tags(sqs, queue_url):
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=queue_url())


def test_tag_queue_adds_and_overwrites(sqs, queue_url):
    url = queue_url(tags={"team": "red"})
    sqs.tag_queue(QueueUrl=url, Tags={"team": "blue", "cost": "42"})
    assert tags_of(sqs, url) == {"team": "blue", "cost": "42"}


def test_tag_keys_are_case_sensitive(sqs, queue_url):
    url = queue_url(tags={"Team": "a"})
    sqs.tag_queue(QueueUrl=url, Tags={"team": "b"})
    assert tags_of(sqs, url) == {"Team": "a", "team": "b"}


def test_untag_queue_removes_keys_and_ignores_unknown(sqs, queue_url):
    url = queue_url(tags={"a": "1", "b": "2"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["a", "nope"])
    assert tags_of(sqs, url) == {"b": "2"}


def test_empty_tag_value_is_allowed(sqs, queue_url):
    url = queue_url()
    sqs.tag_queue(QueueUrl=url, Tags={"flag": ""})
    assert tags_of(sqs, url) == {"flag": ""}


def test_fifty_tags_are_allowed(sqs, queue_url):
    url = queue_url(tags={f"k{i}": "v" for i in range(50)})
    assert len(tags_of(sqs, url)) == 50


def test_fifty_first_tag_is_refused(sqs, queue_url):
    url = queue_url(tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(ClientError) as excinfo:
        sqs.tag_queue(QueueUrl=url, Tags={"one-more": "v"})
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert len(tags_of(sqs, url)) == 50


def test_more_than_fifty_tags_at_creation_are_refused(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="q", tags={f"k{i}": "v" for i in range(51)})
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize("tags", [{"k" * 129: "v"}, {"k": "v" * 257}])
def test_tag_key_and_value_lengths_are_checked(sqs, queue_url, tags):
    with pytest.raises(ClientError) as excinfo:
        sqs.tag_queue(QueueUrl=queue_url(), Tags=tags)
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_longest_key_and_value_are_accepted(sqs, queue_url):
    url = queue_url()
    sqs.tag_queue(QueueUrl=url, Tags={"k" * 128: "v" * 256})
    assert tags_of(sqs, url) == {"k" * 128: "v" * 256}


def test_tagging_does_not_change_last_modified(sqs, queue_url, advance):
    url = queue_url()
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["LastModifiedTimestamp"])["Attributes"]
    advance(100)
    sqs.tag_queue(QueueUrl=url, Tags={"a": "b"})
    after = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["LastModifiedTimestamp"])["Attributes"]
    assert before == after


def test_tag_missing_queue_is_queue_does_not_exist(sqs, endpoint):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.tag_queue(QueueUrl=f"{endpoint}/000000000000/none", Tags={"a": "b"})


def test_recreated_queue_does_not_inherit_tags(sqs, queue_url):
    url = queue_url("again", tags={"old": "yes"})
    sqs.delete_queue(QueueUrl=url)
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=sqs.create_queue(QueueName="again")["QueueUrl"])
