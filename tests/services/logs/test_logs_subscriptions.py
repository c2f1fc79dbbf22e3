"""Subscription filters and Logs destinations through a real server: Put/Describe/Delete, the
two-per-group limit, destinations Overcast cannot reach refused with AWS's error, Lambda
destinations (a function that exists: Logs tries it with a DryRun invocation), cross-account
destinations and their access policy."""

from __future__ import annotations

import json

import pytest

from logs_helpers import error_of, lambda_forwarder, logs  # noqa: F401

from aws_clients import STRICT

ACCOUNT = "000000000000"
OTHER = "111122223333"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:forwarder"
STREAM = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/logs"
FIREHOSE = f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/logs"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/CWLtoKinesisRole"
UNREACHABLE = "Could not deliver test message to specified destination. Check if the destination is valid."


@pytest.fixture
def group(logs, aws_client):
    """A log group, and the function FUNCTION names (Logs refuses a filter to a missing one), its
    policy letting Logs invoke it (strict mode asks)."""
    lambda_forwarder(aws_client("lambda"))
    logs.create_log_group(logGroupName="/app/web")
    return "/app/web"


def test_put_describe_delete_with_a_lambda_destination(logs, group):
    logs.put_subscription_filter(logGroupName=group, filterName="to-lambda", filterPattern="ERROR",
                                 destinationArn=FUNCTION)
    [found] = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert {k: found[k] for k in ("filterName", "logGroupName", "filterPattern", "destinationArn", "distribution")} == {
        "filterName": "to-lambda", "logGroupName": group, "filterPattern": "ERROR", "destinationArn": FUNCTION,
        "distribution": "ByLogStream"}
    assert isinstance(found["creationTime"], int) and "roleArn" not in found
    logs.put_subscription_filter(logGroupName=group, filterName="to-lambda", filterPattern="",
                                 destinationArn=FUNCTION, distribution="Random")
    [found] = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert (found["filterPattern"], found["distribution"]) == ("", "Random")
    logs.delete_subscription_filter(logGroupName=group, filterName="to-lambda")
    assert logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"] == []
    code, message, _ = error_of(logs.delete_subscription_filter, logGroupName=group, filterName="to-lambda")
    assert (code, message) == ("ResourceNotFoundException", "The specified subscription filter does not exist.")


def test_a_function_whose_policy_does_not_let_logs_in_is_refused_in_strict_mode(logs, group, aws_client):
    lam = aws_client("lambda")
    closed = lambda_forwarder(lam, "closed")
    lam.remove_permission(FunctionName="closed", StatementId="logs")
    group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{{}}:*"
    lam.add_permission(FunctionName="closed", StatementId="other-group", Action="lambda:InvokeFunction",
                       Principal="logs.amazonaws.com", SourceArn=group_arn.format("/app/other"))
    if not STRICT:  # open mode asks no policy
        logs.put_subscription_filter(logGroupName=group, filterName="f", filterPattern="", destinationArn=closed)
        return
    code, message, status = error_of(logs.put_subscription_filter, logGroupName=group, filterName="f",
                                     filterPattern="", destinationArn=closed)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith("Could not execute the lambda function.")
    lam.add_permission(FunctionName="closed", StatementId="this-group", Action="lambda:InvokeFunction",
                       Principal="logs.amazonaws.com", SourceArn=group_arn.format(group))
    logs.put_subscription_filter(logGroupName=group, filterName="f", filterPattern="", destinationArn=closed)


def test_two_filters_per_group(logs, group):
    for name in ("one", "two"):
        logs.put_subscription_filter(logGroupName=group, filterName=name, filterPattern="", destinationArn=FUNCTION)
    code, message, _ = error_of(logs.put_subscription_filter, logGroupName=group, filterName="three",
                                filterPattern="", destinationArn=FUNCTION)
    assert (code, message) == ("LimitExceededException", "Resource limit exceeded.")
    logs.put_subscription_filter(logGroupName=group, filterName="two", filterPattern="x", destinationArn=FUNCTION)
    page = logs.describe_subscription_filters(logGroupName=group, limit=1)
    assert [f["filterName"] for f in page["subscriptionFilters"]] == ["one"]
    rest = logs.describe_subscription_filters(logGroupName=group, nextToken=page["nextToken"])
    assert [f["filterName"] for f in rest["subscriptionFilters"]] == ["two"]
    assert [f["filterName"] for f in logs.describe_subscription_filters(
        logGroupName=group, filterNamePrefix="tw")["subscriptionFilters"]] == ["two"]


@pytest.mark.parametrize("arn", [STREAM, FIREHOSE, "arn:aws:sqs:us-east-1:000000000000:queue", "not-an-arn"])
def test_destinations_overcast_cannot_reach_are_refused(logs, group, arn):
    code, message, status = error_of(logs.put_subscription_filter, logGroupName=group, filterName="f",
                                     filterPattern="", destinationArn=arn, roleArn=ROLE)
    assert (code, message, status) == ("InvalidParameterException", UNREACHABLE, 400)
    assert logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"] == []


def test_a_lambda_function_of_another_region_is_refused(logs, group):
    code, message, _ = error_of(logs.put_subscription_filter, logGroupName=group, filterName="f",
                                filterPattern="", destinationArn=FUNCTION.replace("us-east-1", "eu-west-1"))
    assert code == "InvalidParameterException"
    assert message == ("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission "
                       "to execute your function.")


CROSS_ACCOUNT_LAMBDA = ("Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies "
                        "to create cross account lambda triggers.")


@pytest.mark.parametrize("group_name", ["/app/web", "/missing"])
def test_a_lambda_function_of_another_account_is_denied_before_the_group_is_looked_up(logs, group, group_name):
    assert error_of(logs.put_subscription_filter, logGroupName=group_name, filterName="f", filterPattern="",
                    destinationArn=FUNCTION.replace(ACCOUNT, OTHER)) == (
        "AccessDeniedException", CROSS_ACCOUNT_LAMBDA, 400)


def test_a_kinesis_stream_needs_a_role(logs, group):
    assert error_of(logs.put_subscription_filter, logGroupName=group, filterName="f", filterPattern="",
                    destinationArn=STREAM.replace(ACCOUNT, OTHER)) == (
        "InvalidParameterException", "destinationArn for vendor kinesis cannot be used without roleArn", 400)
    assert logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"] == []


def test_checks_before_the_destination(logs, group):
    code, message, _ = error_of(logs.put_subscription_filter, logGroupName="/missing", filterName="f",
                                filterPattern="", destinationArn=FUNCTION)
    assert (code, message) == ("ResourceNotFoundException", "The specified log group does not exist.")
    code, _, _ = error_of(logs.put_subscription_filter, logGroupName=group, filterName="f",
                          filterPattern="{ $.x = ", destinationArn=FUNCTION)
    assert code == "InvalidParameterException"
    code, message, _ = error_of(logs.put_subscription_filter, logGroupName=group, filterName="f",
                                filterPattern="", destinationArn=FUNCTION, distribution="Sideways")
    assert code == "InvalidParameterException" and "distribution" in message
    code, _, _ = error_of(logs.describe_subscription_filters, logGroupName="/missing")
    assert code == "ResourceNotFoundException"


def test_destinations_put_describe_policy_delete(logs):
    made = logs.put_destination(destinationName="central", targetArn=STREAM, roleArn=ROLE)["destination"]
    assert made["arn"] == f"arn:aws:logs:us-east-1:{ACCOUNT}:destination:central"
    assert (made["targetArn"], made["roleArn"]) == (STREAM, ROLE) and isinstance(made["creationTime"], int)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "logs:PutSubscriptionFilter",
        "Resource": made["arn"]}]})
    logs.put_destination_policy(destinationName="central", accessPolicy=policy)
    logs.put_destination(destinationName="other", targetArn=FIREHOSE, roleArn=ROLE)
    [found] = logs.describe_destinations(DestinationNamePrefix="cen")["destinations"]
    assert found["accessPolicy"] == policy and found["creationTime"] == made["creationTime"]
    page = logs.describe_destinations(limit=1)
    assert [d["destinationName"] for d in page["destinations"]] == ["central"]
    rest = logs.describe_destinations(limit=1, nextToken=page["nextToken"])
    assert [d["destinationName"] for d in rest["destinations"]] == ["other"]
    logs.delete_destination(destinationName="central")
    code, message, _ = error_of(logs.delete_destination, destinationName="central")
    assert (code, message) == ("ResourceNotFoundException", "The specified destination does not exist.")
    code, message, _ = error_of(logs.put_destination_policy, destinationName="central", accessPolicy=policy)
    assert (code, message) == ("ResourceNotFoundException", "The specified destination does not exist.")
    code, _, _ = error_of(logs.put_destination_policy, destinationName="other", accessPolicy="{not json")
    assert code == "InvalidParameterException"
    code, _, _ = error_of(logs.put_destination, destinationName="x", targetArn=FUNCTION, roleArn=ROLE)
    assert code == "InvalidParameterException"
    code, message, _ = error_of(logs.put_destination, destinationName="x", targetArn=STREAM, roleArn=ROLE,
                                tags={"aws:reserved": "1"})
    assert (code, message) == ("InvalidParameterException", "Tag keys prefixed with 'aws:' are reserved for AWS use.")
    tagged = logs.put_destination(destinationName="tagged", targetArn=STREAM, roleArn=ROLE, tags={"team": "a"})
    assert "tags" not in tagged["destination"]


def test_destination_tags_through_the_resource_tag_operations(logs):
    arn = logs.put_destination(destinationName="tagged", targetArn=STREAM, roleArn=ROLE,
                               tags={"team": "a"})["destination"]["arn"]
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}
    logs.tag_resource(resourceArn=arn, tags={"env": "prod", "team": "b"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod", "team": "b"}
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod"}
    # the tags stay out of the destination's description, and a policy put later keeps them
    logs.put_destination_policy(destinationName="tagged", accessPolicy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"},
                                                "Action": "logs:PutSubscriptionFilter", "Resource": arn}]}))
    [described] = logs.describe_destinations(DestinationNamePrefix="tagged")["destinations"]
    assert "tags" not in described and "accessPolicy" in described
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod"}
    code, message, _ = error_of(logs.tag_resource, resourceArn=arn, tags={"aws:x": "1"})
    assert (code, message) == ("InvalidParameterException", "Tag keys prefixed with 'aws:' are reserved for AWS use.")
    logs.delete_destination(destinationName="tagged")
    code, _, _ = error_of(logs.list_tags_for_resource, resourceArn=arn)
    assert code == "ResourceNotFoundException"


def test_subscribing_to_a_destination(logs, aws_client, group):
    destination = logs.put_destination(destinationName="central", targetArn=STREAM, roleArn=ROLE)["destination"]
    other = aws_client("logs", aws_access_key_id=OTHER)
    other.create_log_group(logGroupName="/other/app")
    # no access policy: only the owner's account may subscribe
    code, message, _ = error_of(other.put_subscription_filter, logGroupName="/other/app", filterName="f",
                                filterPattern="", destinationArn=destination["arn"])
    assert code == "AccessDeniedException"
    assert message == (f"User with accountId: {OTHER} is not authorized to perform: logs:PutSubscriptionFilter on "
                       f"resource: {destination['arn']}")
    logs.put_destination_policy(destinationName="central", accessPolicy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": OTHER},
                                               "Action": "logs:PutSubscriptionFilter",
                                               "Resource": destination["arn"]}]}))
    # allowed now: the test message then goes to the destination's Kinesis stream, which
    # Overcast does not run
    code, message, _ = error_of(other.put_subscription_filter, logGroupName="/other/app", filterName="f",
                                filterPattern="", destinationArn=destination["arn"])
    assert (code, message) == ("InvalidParameterException", UNREACHABLE)
    code, message, _ = error_of(other.put_subscription_filter, logGroupName="/other/app", filterName="f",
                                filterPattern="", destinationArn=destination["arn"].replace("central", "gone"))
    assert (code, message) == ("ResourceNotFoundException", "The specified destination does not exist.")


def test_system_field_members_are_checked_and_described(logs, group):
    logs.put_subscription_filter(logGroupName=group, filterName="f", filterPattern="", destinationArn=FUNCTION,
                                 fieldSelectionCriteria='@aws.account = "000000000000"',
                                 emitSystemFields=["@aws.account", "@aws.region"])
    [found] = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert found["fieldSelectionCriteria"] == '@aws.account = "000000000000"'
    assert found["emitSystemFields"] == ["@aws.account", "@aws.region"]
    code, _, _ = error_of(logs.put_subscription_filter, logGroupName=group, filterName="g", filterPattern="",
                          destinationArn=FUNCTION, fieldSelectionCriteria="@aws.account IN [unquoted]")
    assert code == "InvalidParameterException"
    code, _, _ = error_of(logs.put_subscription_filter, logGroupName=group, filterName="g", filterPattern="",
                          destinationArn=FUNCTION, emitSystemFields=["@aws.nothing"])
    assert code == "InvalidParameterException"


def test_only_standard_class_groups_have_subscription_filters(logs):
    logs.create_log_group(logGroupName="/archive", logGroupClass="INFREQUENT_ACCESS")
    for call, params in ((logs.put_subscription_filter, {"filterName": "f", "filterPattern": "",
                                                         "destinationArn": FUNCTION}),
                         (logs.describe_subscription_filters, {}),
                         (logs.delete_subscription_filter, {"filterName": "f"})):
        code, message, _ = error_of(call, logGroupName="/archive", **params)
        assert (code, message) == ("ValidationException", "This operation is only supported on the Standard log class.")
