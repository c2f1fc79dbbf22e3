"""PutTargets, RemoveTargets, ListTargetsByRule and ListRuleNamesByTarget through boto3: what is
stored is answered as given, AWS's limits (10 a request, 5 a rule) and AWS's texts for each
refusal, which refusals are whole-request ValidationExceptions, and paging."""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
REGION = "us-east-1"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:target-queue"
LAMBDA = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:MyFunctionName"
STREAM = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/MyStream"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/MyRoleForThisRule"


@pytest.fixture
def events(aws_client):
    client = aws_client("events")
    client.put_rule(Name="rule-a", EventPattern='{"source": ["my.app"]}')
    return client


def error_of(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def refused(events, *targets, rule="rule-a", **kwargs) -> tuple[str, str]:
    return error_of(events.put_targets, Rule=rule, Targets=list(targets), **kwargs)


def test_targets_are_answered_as_stored(events):
    full = {
        "Id": "queue.1", "Arn": QUEUE,
        "InputTransformer": {"InputPathsMap": {"instance": "$.detail.instance", "status": "$.detail.status"},
                             "InputTemplate": '"<instance> is in state <status>"'},
        "RetryPolicy": {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 400},
        "DeadLetterConfig": {"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"},
    }
    constant = {"Id": "lambda_2", "Arn": LAMBDA, "Input": '{"env": "dev"}'}
    answer = events.put_targets(Rule="rule-a", Targets=[full, constant])
    assert answer["FailedEntryCount"] == 0 and answer["FailedEntries"] == []
    assert events.list_targets_by_rule(Rule="rule-a")["Targets"] == [full, constant]


def test_an_update_keeps_its_place_and_a_new_target_goes_last(events):
    events.put_targets(Rule="rule-a", Targets=[{"Id": "1", "Arn": LAMBDA}, {"Id": "2", "Arn": QUEUE}])
    events.put_targets(Rule="rule-a", Targets=[{"Id": "3", "Arn": QUEUE}, {"Id": "1", "Arn": QUEUE,
                                                                           "InputPath": "$.detail"}])
    assert events.list_targets_by_rule(Rule="rule-a")["Targets"] == [
        {"Id": "1", "Arn": QUEUE, "InputPath": "$.detail"}, {"Id": "2", "Arn": QUEUE}, {"Id": "3", "Arn": QUEUE}]


def test_five_targets_a_rule(events):
    events.put_targets(Rule="rule-a", Targets=[{"Id": f"t{n}", "Arn": QUEUE} for n in range(5)])
    assert refused(events, {"Id": "t5", "Arn": QUEUE}) == (
        "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
    # updating the five is no new target
    events.put_targets(Rule="rule-a", Targets=[{"Id": "t0", "Arn": LAMBDA}])
    assert len(events.list_targets_by_rule(Rule="rule-a")["Targets"]) == 5


def test_ten_targets_a_request(events):
    code, message = refused(events, *[{"Id": f"t{n}", "Arn": QUEUE} for n in range(11)])
    assert code == "ValidationException" and "less than or equal to 10" in message
    code, message = error_of(events.remove_targets, Rule="rule-a", Ids=[f"t{n}" for n in range(11)])
    assert code == "ValidationException" and "at 'ids'" in message and "less than or equal to 10" in message


def test_an_unknown_rule_or_bus(events, aws_client):
    assert refused(events, {"Id": "1", "Arn": QUEUE}, rule="nope") == (
        "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")
    assert refused(events, {"Id": "1", "Arn": QUEUE}, EventBusName="other-bus") == (
        "ResourceNotFoundException", "Rule rule-a does not exist on EventBus other-bus.")


def test_a_custom_bus_by_name_or_arn(events):
    bus_arn = events.create_event_bus(Name="orders")["EventBusArn"]
    events.put_rule(Name="on-orders", EventBusName="orders", EventPattern='{"source": ["shop"]}')
    events.put_targets(Rule="on-orders", EventBusName=bus_arn, Targets=[{"Id": "1", "Arn": QUEUE}])
    assert events.list_targets_by_rule(Rule="on-orders", EventBusName="orders")["Targets"] == [
        {"Id": "1", "Arn": QUEUE}]
    # the default bus's rule of the same name is another rule
    assert events.list_targets_by_rule(Rule="rule-a")["Targets"] == []


def test_model_constraints_are_validation_errors(events, aws_client):
    unchecked = aws_client("events", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    assert refused(events, {"Id": "a b", "Arn": QUEUE}) == (
        "ValidationException", "1 validation error detected: Value 'a b' at 'targets.1.member.id' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
    code, message = refused(unchecked, {"Id": "1", "Arn": QUEUE, "RetryPolicy": {"MaximumRetryAttempts": 186,
                                                                             "MaximumEventAgeInSeconds": 59}})
    assert code == "ValidationException" and message.startswith("2 validation errors detected")
    assert "Member must have value less than or equal to 185" in message
    assert "Member must have value greater than or equal to 60" in message
    code, message = error_of(unchecked.put_targets, Rule="rule-a", Targets=[])
    assert code == "ValidationException" and "at 'targets'" in message and "greater than or equal to 1" in message


def test_a_hundred_variables_a_transformer(events, aws_client):
    unchecked = aws_client("events", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    paths = {f"v{n}": "$.detail" for n in range(101)}
    code, message = refused(unchecked, {"Id": "1", "Arn": QUEUE, "InputTransformer": {
        "InputPathsMap": paths, "InputTemplate": '"x"'}})
    assert code == "ValidationException" and message.startswith("1 validation error detected")
    assert "'targets.1.member.inputTransformer.inputPathsMap'" in message
    assert "Member must have length less than or equal to 100" in message
    paths.pop("v100")
    events.put_targets(Rule="rule-a", Targets=[{"Id": "1", "Arn": QUEUE, "InputTransformer": {
        "InputPathsMap": paths, "InputTemplate": '"<v99>"'}}])


def test_reserved_variable_names_are_not_paths_map_keys(events):
    code, message = refused(events, {"Id": "1", "Arn": QUEUE, "InputTransformer": {
        "InputPathsMap": {"aws.events.rule-name": "$.detail"}, "InputTemplate": '"x"'}})
    assert code == "ValidationException" and message.startswith("1 validation error detected: Value "
                                                                "'{aws.events.rule-name=$.detail}' at "
                                                                "'targets.1.member.inputTransformer.inputPathsMap'")


def test_http_parameters_maps_follow_the_model(events):
    destination = f"arn:aws:events:{REGION}:{ACCOUNT}:api-destination/dest/8d3b4c5e-0000-4000-8000-000000000000"
    good = {"PathParameterValues": ["v1"], "HeaderParameters": {"X-Token": "abc"},
            "QueryStringParameters": {"q": "1"}}
    events.put_targets(Rule="rule-a", Targets=[{"Id": "api", "Arn": destination, "RoleArn": ROLE,
                                                "HttpParameters": good}])
    assert events.list_targets_by_rule(Rule="rule-a")["Targets"][0]["HttpParameters"] == good
    assert refused(events, {"Id": "api", "Arn": destination, "RoleArn": ROLE,
                            "HttpParameters": {"HeaderParameters": {"bad key": "v"}}}) == (
        "ValidationException", "1 validation error detected: Value '{bad key=v}' at "
        "'targets.1.member.httpParameters.headerParameters' failed to satisfy constraint: Map keys must satisfy "
        "constraint: [Member must have length less than or equal to 512, Member must satisfy regular expression "
        "pattern: ^[!#$%&'*+-.^_`|~0-9a-zA-Z]+$]")


def test_duplicate_ids(events):
    assert refused(events, {"Id": "same", "Arn": QUEUE}, {"Id": "same", "Arn": LAMBDA}) == (
        "ValidationException", "Parameter targets is not valid. Reason: More than one target with Id 'same' is "
        "provided.")


def test_an_arn_that_is_not_one(events):
    assert refused(events, {"Id": "1", "Arn": "not-an-arn"}) == (
        "ValidationException", "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.")


def test_fifo_queues_need_a_message_group(events):
    fifo = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders.fifo"
    assert refused(events, {"Id": "1", "Arn": fifo}) == (
        "ValidationException", "Parameter(s) SqsParameters must be specified for FIFO queues.")
    events.put_targets(Rule="rule-a", Targets=[{"Id": "1", "Arn": fifo, "SqsParameters": {"MessageGroupId": "g"}}])


def test_role_required_where_eventbridge_assumes_one(events):
    assert refused(events, {"Id": "1", "Arn": STREAM}) == (
        "ValidationException", f"RoleArn is required for target {STREAM}.")
    other_bus = f"arn:aws:events:{REGION}:111122223333:event-bus/default"
    assert refused(events, {"Id": "1", "Arn": other_bus}) == (
        "ValidationException", f"RoleArn is required for target {other_bus}.")
    other_topic = f"arn:aws:sns:{REGION}:111122223333:alerts"
    assert refused(events, {"Id": "1", "Arn": other_topic}) == (
        "ValidationException", f"RoleArn is required for target {other_topic}.")
    events.put_targets(Rule="rule-a", Targets=[
        {"Id": "1", "Arn": STREAM, "RoleArn": ROLE},
        {"Id": "2", "Arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"},
        {"Id": "3", "Arn": other_bus, "RoleArn": ROLE}])


def test_parameter_blocks_belong_to_their_target_kind(events):
    assert refused(events, {"Id": "t1", "Arn": QUEUE, "EcsParameters": {"TaskDefinitionArn": "td"}}) == (
        "ValidationException", "Parameter(s) EcsParameters not supported for target: t1")
    assert refused(events, {"Id": "t1", "Arn": LAMBDA, "HttpParameters": {"HeaderParameters": {"a": "b"}}}) == (
        "ValidationException", "Parameter(s) HttpParameters not supported for target: t1")
    events.put_targets(Rule="rule-a", Targets=[{"Id": "t1", "Arn": LAMBDA, "SqsParameters": {"MessageGroupId": "g"}},
                                               {"Id": "t2", "Arn": STREAM, "RoleArn": ROLE,
                                                "KinesisParameters": {"PartitionKeyPath": "$.id"}}])


def test_dead_letter_queues_are_standard_sqs_queues(events):
    assert refused(events, {"Id": "1", "Arn": LAMBDA, "DeadLetterConfig": {
        "Arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:t"}}) == ("ValidationException",
                                                          "sns is not supported as a dead letter resource")
    assert refused(events, {"Id": "1", "Arn": LAMBDA, "DeadLetterConfig": {
        "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:d.fifo"}}) == ("ValidationException",
                                                               "SQS FIFO is not supported by Dead Letter Queues")


def test_input_refusals(events):
    assert refused(events, {"Id": "1", "Arn": LAMBDA, "Input": "env:dev"}) == (
        "ValidationException",
        'JSON syntax error in input for target 1: [Source: (String)"env:dev"; line: 1, column: 4]')
    assert refused(events, {"Id": "1", "Arn": LAMBDA, "InputPath": "detail"}) == (
        "ValidationException", "InputPath for target 1 is invalid.")
    assert refused(events, {"Id": "1", "Arn": LAMBDA, "InputPath": "$.detail", "Input": "{}"}) == (
        "ValidationException", "Only one of Input, InputPath, or InputTransformer must be provided for target 1.")
    assert refused(events, {"Id": "1", "Arn": LAMBDA, "InputTransformer": {
        "InputPathsMap": {"a": "$.detail"}, "InputTemplate": '"<a> <b>"'}}) == (
        "ValidationException", "InputTemplate for target 1 contains invalid placeholder b.")
    assert refused(events, {"Id": "1", "Arn": LAMBDA, "InputTransformer": {
        "InputTemplate": '"<aws.events.event.json>"'}}) == (
        "ValidationException",
        "InputTemplate for target 1 contains placeholder aws.events.event.json valid only for JSON template.")
    log_group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app"
    assert refused(events, {"Id": "LogGroupTarget", "Arn": log_group, "InputTransformer": {
        "InputPathsMap": {"c": "$.detail.c"}, "InputTemplate": '"cusId = <c>"'}}) == (
        "ValidationException", "Input for target LogGroupTarget is not a valid JSON text.")
    # nothing of a refused request is stored
    assert events.list_targets_by_rule(Rule="rule-a")["Targets"] == []


def test_remove_targets(events):
    events.put_targets(Rule="rule-a", Targets=[{"Id": "1", "Arn": QUEUE}, {"Id": "2", "Arn": LAMBDA}])
    answer = events.remove_targets(Rule="rule-a", Ids=["1", "never-added"])
    assert answer["FailedEntryCount"] == 0 and answer["FailedEntries"] == []
    assert events.list_targets_by_rule(Rule="rule-a")["Targets"] == [{"Id": "2", "Arn": LAMBDA}]
    assert error_of(events.remove_targets, Rule="nope", Ids=["1"]) == (
        "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")
    # the rule can go once its targets have
    events.remove_targets(Rule="rule-a", Ids=["2"])
    events.delete_rule(Name="rule-a")


def test_list_targets_by_rule_pages(events):
    events.put_targets(Rule="rule-a", Targets=[{"Id": f"t{n}", "Arn": QUEUE} for n in range(5)])
    first = events.list_targets_by_rule(Rule="rule-a", Limit=2)
    assert [t["Id"] for t in first["Targets"]] == ["t0", "t1"]
    second = events.list_targets_by_rule(Rule="rule-a", Limit=2, NextToken=first["NextToken"])
    third = events.list_targets_by_rule(Rule="rule-a", Limit=2, NextToken=second["NextToken"])
    assert [t["Id"] for t in second["Targets"] + third["Targets"]] == ["t2", "t3", "t4"]
    assert "NextToken" not in third
    assert error_of(events.list_targets_by_rule, Rule="rule-a", NextToken="garbage")[0] == "ValidationException"
    code, message = error_of(events.list_targets_by_rule, Rule="rule-a", Limit=101)
    assert code == "ValidationException" and "less than or equal to 100" in message
    assert error_of(events.list_targets_by_rule, Rule="nope") == (
        "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")


def test_list_rule_names_by_target(events):
    for name in ("rule-c", "rule-b"):
        events.put_rule(Name=name, EventPattern='{"source": ["my.app"]}')
    for name in ("rule-a", "rule-b", "rule-c"):
        events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": QUEUE}, {"Id": "q2", "Arn": QUEUE}])
    events.put_targets(Rule="rule-b", Targets=[{"Id": "l", "Arn": LAMBDA}])
    assert events.list_rule_names_by_target(TargetArn=QUEUE)["RuleNames"] == ["rule-a", "rule-b", "rule-c"]
    assert events.list_rule_names_by_target(TargetArn=LAMBDA)["RuleNames"] == ["rule-b"]
    page = events.list_rule_names_by_target(TargetArn=QUEUE, Limit=2)
    assert page["RuleNames"] == ["rule-a", "rule-b"]
    rest = events.list_rule_names_by_target(TargetArn=QUEUE, Limit=2, NextToken=page["NextToken"])
    assert rest["RuleNames"] == ["rule-c"] and "NextToken" not in rest
    events.create_event_bus(Name="orders")
    assert events.list_rule_names_by_target(TargetArn=QUEUE, EventBusName="orders")["RuleNames"] == []
    assert error_of(events.list_rule_names_by_target, TargetArn=QUEUE, EventBusName="missing") == (
        "ResourceNotFoundException", "Event bus missing does not exist.")



def test_parameter_block_contents(events):
    batch = f"arn:aws:batch:{REGION}:{ACCOUNT}:job-queue/q"
    cluster = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/c"
    redshift = f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:rc"
    job = {"JobDefinition": "d", "JobName": "n"}
    assert refused(events, {"Id": "b", "Arn": batch, "RoleArn": ROLE,
                            "BatchParameters": {**job, "ArrayProperties": {"Size": 1}}}) == (
        "ValidationException", "Parameter ArrayProperties is not valid. Reason: Size must be in between 2 and 10000.")
    assert refused(events, {"Id": "b", "Arn": batch, "RoleArn": ROLE,
                            "BatchParameters": {**job, "RetryStrategy": {"Attempts": 11}}}) == (
        "ValidationException", "Parameter RetryStrategy is not valid. Reason: Attempts must be in between 1 and 10.")
    assert refused(events, {"Id": "r", "Arn": redshift, "RoleArn": ROLE, "RedshiftDataParameters": {
        "Database": "db", "Sql": "select 1", "Sqls": ["select 2"]}}) == (
        "ValidationException", "Either RedshiftDataParameters.sql or RedshiftDataParameters.sqls")
    other_region = f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/t:1"
    assert refused(events, {"Id": "e", "Arn": cluster, "RoleArn": ROLE,
                            "EcsParameters": {"TaskDefinitionArn": other_region}}) == (
        "ValidationException", f"Region of {cluster} does not match region of {other_region}")
    events.put_targets(Rule="rule-a", Targets=[
        {"Id": "b", "Arn": batch, "RoleArn": ROLE, "BatchParameters": {**job, "ArrayProperties": {"Size": 2},
                                                                       "RetryStrategy": {"Attempts": 10}}},
        {"Id": "e", "Arn": cluster, "RoleArn": ROLE,
         "EcsParameters": {"TaskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/t:1"}}])
