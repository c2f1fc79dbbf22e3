"""Queue names: 1-80 alphanumerics, hyphens, underscores; ``.fifo`` for FIFO queues only."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def create_error(sqs, name, **attributes) -> str:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name, Attributes=attributes)
    return excinfo.value.response["Error"]["Code"]


@pytest.mark.parametrize("name", ["a", "A-b_c-9", "x" * 80])
def test_valid_standard_names(sqs, name):
    assert sqs.create_queue(QueueName=name)["QueueUrl"].endswith("/" + name)


@pytest.mark.parametrize("name", ["x" * 81, "with space", "dot.ted", "slash/ed", "ünï", "q!"])
def test_invalid_standard_names_are_invalid_parameter_value(sqs, name):
    assert create_error(sqs, name) == "InvalidParameterValue"


def test_empty_name_is_refused(sqs):
    assert create_error(sqs, "") in ("MissingParameter", "InvalidParameterValue")


def test_fifo_suffix_on_standard_queue_is_refused(sqs):
    assert create_error(sqs, "plain.fifo") == "InvalidParameterValue"


def test_fifo_queue_needs_fifo_suffix(sqs):
    assert create_error(sqs, "ordered", FifoQueue="true") == "InvalidParameterValue"


def test_fifo_name_of_80_characters_is_accepted(sqs):
    name = "f" * 75 + ".fifo"
    assert sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"].endswith(name)


def test_fifo_name_longer_than_80_is_refused(sqs):
    assert create_error(sqs, "f" * 76 + ".fifo", FifoQueue="true") == "InvalidParameterValue"


def test_names_are_case_sensitive(sqs):
    lower = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    upper = sqs.create_queue(QueueName="JOBS")["QueueUrl"]
    assert lower != upper
    assert len(sqs.list_queues()["QueueUrls"]) == 2
