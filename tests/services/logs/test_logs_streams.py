"""Log streams through a real server with boto3: create, describe (orders, prefix, pages),
delete, and AWS's errors and texts."""

from __future__ import annotations

from logs_helpers import cloud_now_ms, error_of, logs  # noqa: F401 - fixture


def test_create_describe_delete(logs, server):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s1")
    [stream] = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert stream["logStreamName"] == "s1"
    assert stream["arn"].endswith(":log-group:g:log-stream:s1")
    assert stream["storedBytes"] == 0 and "firstEventTimestamp" not in stream
    now = cloud_now_ms(server)
    logs.put_log_events(logGroupName="g", logStreamName="s1",
                        logEvents=[{"timestamp": now - 5, "message": "a"}, {"timestamp": now, "message": "b"}])
    [stream] = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (now - 5, now)
    assert stream["lastIngestionTime"] >= now - 1000 and stream["uploadSequenceToken"]
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 2
    logs.delete_log_stream(logGroupName="g", logStreamName="s1")
    assert logs.describe_log_streams(logGroupName="g")["logStreams"] == []
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 0
    assert error_of(logs.delete_log_stream, logGroupName="g", logStreamName="s1") == (
        "ResourceNotFoundException", "The specified log stream does not exist.", 400)


def test_errors(logs):
    assert error_of(logs.create_log_stream, logGroupName="none", logStreamName="s") == (
        "ResourceNotFoundException", "The specified log group does not exist.", 400)
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    assert error_of(logs.create_log_stream, logGroupName="g", logStreamName="s") == (
        "ResourceAlreadyExistsException", "The specified log stream already exists", 400)
    assert error_of(logs.create_log_stream, logGroupName="g", logStreamName="a:b") == (
        "InvalidParameterException", "1 validation error detected: Value at 'logStreamName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [^:*]*", 400)
    assert error_of(logs.describe_log_streams, logGroupName="g", orderBy="LastEventTime",
                    logStreamNamePrefix="s") == (
        "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.", 400)
    assert error_of(logs.describe_log_streams, logGroupName="g", logGroupIdentifier="g") == (
        "ValidationException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.", 400)
    assert error_of(logs.describe_log_streams)[:2] == (
        "InvalidParameterException", "Should provider either name or id, but not both")


def test_orders_prefix_and_pages(logs, server):
    logs.create_log_group(logGroupName="g")
    now = cloud_now_ms(server)
    for i, name in enumerate(["c", "a", "b", "ab"]):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
        logs.put_log_events(logGroupName="g", logStreamName=name, logEvents=[{"timestamp": now + i, "message": "m"}])

    def names(**kwargs):
        return [s["logStreamName"] for s in logs.describe_log_streams(logGroupName="g", **kwargs)["logStreams"]]

    assert names() == ["a", "ab", "b", "c"]
    assert names(descending=True) == ["c", "b", "ab", "a"]
    assert names(logStreamNamePrefix="a") == ["a", "ab"]
    assert names(orderBy="LastEventTime") == ["c", "a", "b", "ab"]
    assert names(orderBy="LastEventTime", descending=True) == ["ab", "b", "a", "c"]
    seen, token = [], None
    while True:
        page = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", descending=True, limit=3,
                                         **({"nextToken": token} if token else {}))
        seen += [s["logStreamName"] for s in page["logStreams"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == ["ab", "b", "a", "c"]
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    assert [s["logStreamName"] for s in logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]] == [
        "a", "ab", "b", "c"]


def test_identifier_with_star_is_refused_by_the_model(logs):
    logs.create_log_group(logGroupName="g")
    arn = logs.describe_log_groups()["logGroups"][0]["arn"]  # ends with :*
    assert error_of(logs.describe_log_streams, logGroupIdentifier=arn) == (
        "InvalidParameterException", "1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*", 400)
