"""Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s) through boto3 and the AWS CLI: the
answers' shape, qualifiers, Put replacing and Update merging, AWS's errors and limits."""

from __future__ import annotations

import pytest
from botocore.config import Config
from lambda_helpers import create_python_function, error_of

HANDLER = "def handler(event, context):\n    return event\n"
QUEUE = "arn:aws:sqs:us-east-1:000000000000:failures"
TOPIC = "arn:aws:sns:us-east-1:000000000000:successes"


@pytest.fixture
def lam(aws_client):
    client = aws_client("lambda")
    create_python_function(client, "eic-fn", HANDLER)
    return client


def test_put_get_answer_the_config_of_latest(lam):
    answer = lam.put_function_event_invoke_config(
        FunctionName="eic-fn", MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120,
        DestinationConfig={"OnFailure": {"Destination": QUEUE}})
    arn = lam.get_function_configuration(FunctionName="eic-fn")["FunctionArn"]
    assert answer["FunctionArn"] == f"{arn}:$LATEST"
    assert answer["MaximumRetryAttempts"] == 1
    assert answer["MaximumEventAgeInSeconds"] == 120
    assert answer["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": QUEUE}}
    got = lam.get_function_event_invoke_config(FunctionName=arn)
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == \
        {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    assert got["LastModified"].year >= 2024


def test_put_replaces_and_update_merges(lam):
    lam.put_function_event_invoke_config(FunctionName="eic-fn", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnSuccess": {"Destination": TOPIC}})
    replaced = lam.put_function_event_invoke_config(FunctionName="eic-fn", MaximumEventAgeInSeconds=3600)
    assert "MaximumRetryAttempts" not in replaced
    assert replaced["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    updated = lam.update_function_event_invoke_config(FunctionName="eic-fn", MaximumRetryAttempts=2,
                                                      DestinationConfig={"OnFailure": {"Destination": QUEUE}})
    assert updated["MaximumEventAgeInSeconds"] == 3600
    assert updated["MaximumRetryAttempts"] == 2
    assert updated["DestinationConfig"]["OnFailure"] == {"Destination": QUEUE}


def test_missing_config_and_missing_function(lam):
    arn = lam.get_function_configuration(FunctionName="eic-fn")["FunctionArn"]
    code, message = error_of(lam.get_function_event_invoke_config, FunctionName="eic-fn", status=404)
    assert (code, message) == ("ResourceNotFoundException",
                               f"The function {arn}:$LATEST doesn't have an EventInvokeConfig")
    code, _ = error_of(lam.update_function_event_invoke_config, FunctionName="eic-fn", MaximumRetryAttempts=1,
                       status=404)
    assert code == "ResourceNotFoundException"
    code, _ = error_of(lam.delete_function_event_invoke_config, FunctionName="eic-fn", status=404)
    assert code == "ResourceNotFoundException"
    code, message = error_of(lam.put_function_event_invoke_config, FunctionName="no-such-fn",
                             MaximumRetryAttempts=1, status=404)
    assert code == "ResourceNotFoundException"
    assert message.startswith("Function not found: arn:aws:lambda:us-east-1:")


def test_limits_are_aws_validation_errors(aws_client):
    # the server's own checks, past boto3's (as another SDK or a raw request reaches them)
    lam = aws_client("lambda", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    create_python_function(lam, "eic-fn", HANDLER)
    code, message = error_of(lam.put_function_event_invoke_config, FunctionName="eic-fn", MaximumRetryAttempts=3)
    assert code == "ValidationException"
    assert message == ("1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy "
                       "constraint: Member must have value less than or equal to 2")
    code, message = error_of(lam.put_function_event_invoke_config, FunctionName="eic-fn",
                             MaximumEventAgeInSeconds=59)
    assert code == "ValidationException"
    assert "'maximumEventAgeInSeconds'" in message and "greater than or equal to 60" in message
    code, message = error_of(lam.put_function_event_invoke_config, FunctionName="eic-fn",
                             DestinationConfig={"OnSuccess": {"Destination": "not-an-arn"}})
    assert code == "ValidationException"
    assert "'destinationConfig.onSuccess.destination'" in message
    code, _ = error_of(lam.put_function_event_invoke_config, FunctionName="eic-fn",
                       DestinationConfig={"OnSuccess": {"Destination": "arn:aws:dynamodb:us-east-1:000000000000:x"}})
    assert code == "InvalidParameterValueException"
    code, _ = error_of(lam.list_function_event_invoke_configs, FunctionName="eic-fn", MaxItems=51)
    assert code == "ValidationException"


def test_list_and_delete(lam, aws_cli):
    lam.put_function_event_invoke_config(FunctionName="eic-fn", MaximumRetryAttempts=1)
    listed = aws_cli("lambda", "list-function-event-invoke-configs", "--function-name", "eic-fn")
    assert [c["MaximumRetryAttempts"] for c in listed["FunctionEventInvokeConfigs"]] == [1]
    assert listed["FunctionEventInvokeConfigs"][0]["FunctionArn"].endswith(":function:eic-fn:$LATEST")
    lam.delete_function_event_invoke_config(FunctionName="eic-fn")
    assert lam.list_function_event_invoke_configs(FunctionName="eic-fn")["FunctionEventInvokeConfigs"] == []


def test_a_deleted_function_takes_its_configs(lam):
    lam.put_function_event_invoke_config(FunctionName="eic-fn", MaximumRetryAttempts=1)
    lam.delete_function(FunctionName="eic-fn")
    create_python_function(lam, "eic-fn", HANDLER)
    code, _ = error_of(lam.get_function_event_invoke_config, FunctionName="eic-fn", status=404)
    assert code == "ResourceNotFoundException"
