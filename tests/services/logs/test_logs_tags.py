"""Tags of log groups through both APIs (by ARN and the older by-name one)."""

from __future__ import annotations

from logs_helpers import error_of, logs, unchecked_logs  # noqa: F401 - fixtures


def test_both_apis_see_the_same_tags(logs):
    logs.create_log_group(logGroupName="g", tags={"a": "1"})
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"b": "2"})
    logs.tag_log_group(logGroupName="g", tags={"c": "3", "a": "one"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "one", "b": "2", "c": "3"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    logs.untag_log_group(logGroupName="g", tags=["c"])
    assert logs.list_tags_log_group(logGroupName="g")["tags"] == {"b": "2"}


def test_unknown_resources(logs):
    logs.create_log_group(logGroupName="g")
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    assert error_of(logs.list_tags_for_resource, resourceArn=arn[:-1] + "h") == (
        "ResourceNotFoundException", "The specified resource does not exist.", 400)
    assert error_of(logs.list_tags_log_group, logGroupName="h") == (
        "ResourceNotFoundException", "The specified log group does not exist.", 400)


def test_at_most_50_tags(logs):
    logs.create_log_group(logGroupName="g", tags={f"k{i}": "v" for i in range(50)})
    assert error_of(logs.tag_log_group, logGroupName="g", tags={"one-more": "v"})[0] == "InvalidParameterException"
    logs.tag_log_group(logGroupName="g", tags={"k0": "changed"})  # replacing one is not adding one
    assert logs.list_tags_log_group(logGroupName="g")["tags"]["k0"] == "changed"


def test_tag_keys_and_values_follow_the_model(unchecked_logs):
    logs = unchecked_logs
    logs.create_log_group(logGroupName="g", tags={"équipe 1": "bleu/été"})  # letters of any script
    assert logs.list_tags_log_group(logGroupName="g")["tags"] == {"équipe 1": "bleu/été"}
    assert error_of(logs.create_log_group, logGroupName="h", tags={"bad!": "v", "": "w"}) == (
        "InvalidParameterException",
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Map keys must satisfy "
        "constraint: [Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$, "
        "Member must have length greater than or equal to 1]", 400)
    assert error_of(logs.tag_log_group, logGroupName="g", tags={"k": "v" * 257})[1] == (
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Map value must satisfy "
        "constraint: [Member must have length less than or equal to 256]")
