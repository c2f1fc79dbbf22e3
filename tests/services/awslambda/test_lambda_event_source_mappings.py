"""Event source mappings of SQS queues: Create/Get/Update/Delete/ListEventSourceMappings,
their answers and AWS's refusals (the pollers are test_lambda_sqs_trigger.py)."""

from __future__ import annotations

import json

import pytest
from botocore.config import Config

from esm_helpers import sqs_polling_role
from lambda_helpers import create_python_function, error_of

HANDLER = "def handler(event, context):\n    return None\n"


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


@pytest.fixture
def sqs(aws_client):
    return aws_client("sqs")


def _queue_arn(sqs, name: str, **attributes) -> str:
    url = sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_create_get_list_update_delete(lam, sqs):
    function_arn = create_python_function(lam, "esm-crud", HANDLER, Role=sqs_polling_role(lam))["FunctionArn"]
    queue_arn = _queue_arn(sqs, "esm-crud")
    created = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="esm-crud", Enabled=False)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["State"] == "Creating"
    assert created["BatchSize"] == 10 and created["MaximumBatchingWindowInSeconds"] == 0
    assert created["FunctionArn"] == function_arn and created["EventSourceArn"] == queue_arn
    assert created["StateTransitionReason"] == "USER_INITIATED" and created["FunctionResponseTypes"] == []
    mapping_id = created["UUID"]
    assert created["EventSourceMappingArn"] == function_arn.replace(":function:esm-crud",
                                                                    f":event-source-mapping:{mapping_id}")
    got = lam.get_event_source_mapping(UUID=mapping_id)
    assert got["State"] == "Disabled" and got["UUID"] == mapping_id

    pattern = json.dumps({"body": {"kind": ["order"]}})
    updated = lam.update_event_source_mapping(
        UUID=mapping_id, BatchSize=100, MaximumBatchingWindowInSeconds=2, Enabled=True,
        FilterCriteria={"Filters": [{"Pattern": pattern}]}, FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 2})
    assert updated["State"] == "Enabling"
    assert updated["BatchSize"] == 100 and updated["MaximumBatchingWindowInSeconds"] == 2
    assert updated["FilterCriteria"] == {"Filters": [{"Pattern": pattern}]}
    assert updated["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert updated["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert lam.get_event_source_mapping(UUID=mapping_id)["State"] == "Enabled"
    assert lam.update_event_source_mapping(UUID=mapping_id, BatchSize=5)["State"] == "Updating"

    listed = lam.list_event_source_mappings(FunctionName="esm-crud")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [mapping_id]
    assert [m["UUID"] for m in lam.list_event_source_mappings(EventSourceArn=queue_arn)["EventSourceMappings"]] \
        == [mapping_id]
    assert lam.list_event_source_mappings(EventSourceArn=queue_arn + "x")["EventSourceMappings"] == []

    deleted = lam.delete_event_source_mapping(UUID=mapping_id)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202 and deleted["State"] == "Deleting"
    assert error_of(lam.get_event_source_mapping, UUID=mapping_id, status=404) == (
        "ResourceNotFoundException", "The resource you requested does not exist.")


def test_list_pages_with_marker(lam, sqs):
    create_python_function(lam, "esm-pages", HANDLER, Role=sqs_polling_role(lam))
    made = {lam.create_event_source_mapping(EventSourceArn=_queue_arn(sqs, f"esm-pages-{i}"),
                                            FunctionName="esm-pages", Enabled=False)["UUID"] for i in range(3)}
    first = lam.list_event_source_mappings(MaxItems=2)
    assert len(first["EventSourceMappings"]) == 2 and first["NextMarker"]
    rest = lam.list_event_source_mappings(MaxItems=2, Marker=first["NextMarker"])
    assert "NextMarker" not in rest
    assert {m["UUID"] for m in first["EventSourceMappings"] + rest["EventSourceMappings"]} == made


def test_a_second_mapping_of_the_same_queue_and_function_conflicts(lam, sqs):
    create_python_function(lam, "esm-twice", HANDLER, Role=sqs_polling_role(lam))
    queue_arn = _queue_arn(sqs, "esm-twice")
    first = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="esm-twice", Enabled=False)
    code, message = error_of(lam.create_event_source_mapping, EventSourceArn=queue_arn, FunctionName="esm-twice",
                             status=409)
    assert code == "ResourceConflictException"
    assert message == (f'An event source mapping with SQS arn (" {queue_arn} ") and function (" esm-twice ") already '
                       f"exists. Please update or delete the existing mapping with UUID {first['UUID']}")
    create_python_function(lam, "esm-other", HANDLER, Role=sqs_polling_role(lam))
    other = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="esm-other", Enabled=False)
    assert error_of(lam.update_event_source_mapping, UUID=other["UUID"], FunctionName="esm-twice",
                    status=409)[1] == message


def test_refusals_in_aws_words(lam, sqs):
    create_python_function(lam, "esm-refused", HANDLER, Timeout=60, Role=sqs_polling_role(lam))
    short = _queue_arn(sqs, "esm-short")
    assert error_of(lam.create_event_source_mapping, EventSourceArn=short, FunctionName="esm-refused") == (
        "InvalidParameterValueException",
        "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds")
    queue_arn = _queue_arn(sqs, "esm-refused", VisibilityTimeout=120)
    refusals = [
        ({"BatchSize": 11}, "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
                            "than 10"),
        ({"StartingPosition": "LATEST"}, "StartingPosition is not valid for SQS event sources."),
        ({"MaximumRetryAttempts": 3}, "Unsupported 'maximumRetryAttempts' parameter for given event source mapping "
                                      "type."),
        ({"FilterCriteria": {"Filters": [{"Pattern": "{\"body\": 1}"}]}}, "Invalid filter pattern definition."),
        ({"FilterCriteria": {"Filters": [{"Pattern": "not json"}]}}, "Invalid filter pattern definition."),
    ]
    for extra, message in refusals:
        assert error_of(lam.create_event_source_mapping, EventSourceArn=queue_arn, FunctionName="esm-refused",
                        **extra) == ("InvalidParameterValueException", message), extra
    fifo = _queue_arn(sqs, "esm-refused.fifo", FifoQueue="true", VisibilityTimeout=120)
    code, _ = error_of(lam.create_event_source_mapping, EventSourceArn=fifo, FunctionName="esm-refused",
                       BatchSize=20, MaximumBatchingWindowInSeconds=1)
    assert code == "InvalidParameterValueException"
    missing = queue_arn.replace("esm-refused", "esm-nowhere")
    code, message = error_of(lam.create_event_source_mapping, EventSourceArn=missing, FunctionName="esm-refused")
    assert code == "InvalidParameterValueException"
    assert message.startswith("Error occurred while ReceiveMessage. SQS Error Code: "
                              "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: ")
    code, message = error_of(lam.create_event_source_mapping, EventSourceArn=queue_arn, FunctionName="esm-none",
                             status=404)
    assert code == "ResourceNotFoundException" and "esm-none" in message
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []


def test_unknown_mapping_and_other_sources(lam):
    for call in (lam.get_event_source_mapping, lam.delete_event_source_mapping):
        assert error_of(call, UUID="a1b2c3d4-5678-90ab-cdef-11111EXAMPLE", status=404) == (
            "ResourceNotFoundException", "The resource you requested does not exist.")
    assert error_of(lam.update_event_source_mapping, UUID="a1b2c3d4-5678-90ab-cdef-11111EXAMPLE", BatchSize=5,
                    status=404)[0] == "ResourceNotFoundException"
    stream = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
    assert error_of(lam.create_event_source_mapping, EventSourceArn=stream, FunctionName="f",
                    StartingPosition="LATEST", status=501)[0] == "NotImplemented"


def test_model_constraints_come_first(aws_client, sqs):
    # the SDK checks these bounds itself: only a client that does not reaches the service
    lam = aws_client("lambda", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    create_python_function(lam, "esm-model", HANDLER, Role=sqs_polling_role(lam))
    queue_arn = _queue_arn(sqs, "esm-model")
    assert error_of(lam.create_event_source_mapping, EventSourceArn=queue_arn, FunctionName="esm-model",
                    ScalingConfig={"MaximumConcurrency": 1}) == (
        "ValidationException", "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed "
                               "to satisfy constraint: Member must have value greater than or equal to 2")
    code, message = error_of(lam.create_event_source_mapping, EventSourceArn=queue_arn, FunctionName="esm-model",
                             MaximumBatchingWindowInSeconds=301)
    assert code == "ValidationException" and "'maximumBatchingWindowInSeconds'" in message
    created = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="esm-model", Enabled=False,
                                              Tags={"team": "core"})
    assert error_of(lam.update_event_source_mapping, UUID=created["UUID"], BatchSize=0)[0] == "ValidationException"


def test_the_aws_cli(lam, sqs, aws_cli):
    create_python_function(lam, "esm-cli", HANDLER, Role=sqs_polling_role(lam))
    queue_arn = _queue_arn(sqs, "esm-cli")
    created = aws_cli("lambda", "create-event-source-mapping", "--function-name", "esm-cli", "--batch-size", "5",
                      "--event-source-arn", queue_arn, "--no-enabled")
    assert created["State"] == "Creating" and created["BatchSize"] == 5
    listed = aws_cli("lambda", "list-event-source-mappings", "--function-name", "esm-cli")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [created["UUID"]]
    assert aws_cli("lambda", "delete-event-source-mapping", "--uuid", created["UUID"])["State"] == "Deleting"
    url = aws_cli("lambda", "create-function-url-config", "--function-name", "esm-cli", "--auth-type", "NONE")
    assert lam.get_function_url_config(FunctionName="esm-cli")["FunctionUrl"] == url["FunctionUrl"]
