"""PutLogEvents and GetLogEvents through a real server with boto3: the batch rules of today
(size, order, span, rejected events), sequence tokens ignored, the entity, and GetLogEvents'
tokens (the same token at the end)."""

from __future__ import annotations

import pytest

from logs_helpers import cloud_now_ms, error_of, logs, unchecked_logs  # noqa: F401 - fixtures

HOUR = 3_600_000
DAY = 24 * HOUR


@pytest.fixture
def stream(logs):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    return dict(logGroupName="g", logStreamName="s")


def put(logs, stream, events, **kwargs):
    return logs.put_log_events(**stream, logEvents=[{"timestamp": t, "message": m} for t, m in events], **kwargs)


def test_put_and_get_in_order(logs, stream, server):
    now = cloud_now_ms(server)
    answer = put(logs, stream, [(now - 2, "one"), (now - 1, "two"), (now - 1, "three")])
    assert "rejectedLogEventsInfo" not in answer and answer["nextSequenceToken"]
    got = logs.get_log_events(**stream)
    assert [(e["timestamp"], e["message"]) for e in got["events"]] == [(now - 2, "one"), (now - 1, "two"),
                                                                     (now - 1, "three")]
    assert all(e["ingestionTime"] >= now - 1000 for e in got["events"])
    assert got["nextForwardToken"].startswith("f/") and got["nextBackwardToken"].startswith("b/")


def test_sequence_token_is_ignored(logs, stream, server):
    now = cloud_now_ms(server)
    put(logs, stream, [(now, "a")], sequenceToken="49039859613988222222222222222222222222222222222222222")
    put(logs, stream, [(now, "b")], sequenceToken="anything")
    assert len(logs.get_log_events(**stream)["events"]) == 2


def test_chronological_order_required(logs, stream, server):
    now = cloud_now_ms(server)
    assert error_of(put, logs, stream, [(now, "b"), (now - 1, "a")]) == (
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.", 400)
    assert logs.get_log_events(**stream)["events"] == []


def test_batch_span_over_24_hours_refused(logs, stream, server):
    now = cloud_now_ms(server)
    assert error_of(put, logs, stream, [(now - DAY - 1, "a"), (now, "b")]) == (
        "InvalidParameterException",
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.", 400)
    put(logs, stream, [(now - DAY, "a"), (now, "b")])  # exactly 24 hours is allowed


def test_rejected_events_reported_and_others_stored(logs, stream, server):
    now = cloud_now_ms(server)
    events = [(now - 15 * DAY, "too old"), (now - 15 * DAY + 1, "too old too"), (now - HOUR, "kept"),
              (now + 3 * HOUR, "too new")]
    answer = put(logs, stream, events)
    assert answer["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1, "tooNewLogEventStartIndex": 3}
    assert [e["message"] for e in logs.get_log_events(**stream)["events"]] == ["kept"]


def test_expired_by_retention_reported(logs, stream, server):
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    now = cloud_now_ms(server)
    answer = put(logs, stream, [(now - 2 * DAY, "expired"), (now - HOUR, "kept")])
    assert answer["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    assert [e["message"] for e in logs.get_log_events(**stream)["events"]] == ["kept"]


def test_event_validation(unchecked_logs, stream, server):
    logs = unchecked_logs
    now = cloud_now_ms(server)
    assert error_of(put, logs, stream, [(now, "")]) == (
        "InvalidParameterException", "1 validation error detected: Value at 'logEvents.1.member.message' failed to "
        "satisfy constraint: Member must have length greater than or equal to 1", 400)
    code, message, _ = error_of(logs.put_log_events, **stream, logEvents=[])
    assert (code, message) == ("InvalidParameterException", "1 validation error detected: Value at 'logEvents' "
                               "failed to satisfy constraint: Member must have length greater than or equal to 1")
    code, message, _ = error_of(put, logs, stream, [(now, "x")] * 10_001)
    assert message == ("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: "
                       "Member must have length less than or equal to 10000")
    code, message, _ = error_of(logs.put_log_events, **stream, logEvents=[{"message": "m"}, {"timestamp": -1}])
    assert message == ("3 validation errors detected: Value null at 'logEvents.1.member.timestamp' failed to "
                       "satisfy constraint: Member must not be null; Value at 'logEvents.2.member.timestamp' "
                       "failed to satisfy constraint: Member must have value greater than or equal to 0; "
                       "Value null at 'logEvents.2.member.message' failed to satisfy constraint: "
                       "Member must not be null")


def test_size_limit_counts_26_bytes_per_event(logs, stream, server):
    now = cloud_now_ms(server)
    fits = 1_048_576 - 26
    put(logs, stream, [(now, "x" * fits)])  # one event of 1,048,550 bytes: exactly the limit
    assert error_of(put, logs, stream, [(now, "x" * 524_262), (now, "é" * 262_132)]) == (
        "InvalidParameterException", "Upload too large: 1048578 bytes exceeds limit of 1048576", 400)
    assert error_of(put, logs, stream, [(now, "y" * (fits + 1))])[1] == (
        "Upload too large: 1048577 bytes exceeds limit of 1048576")


def test_missing_group_and_stream(logs, stream, server):
    now = cloud_now_ms(server)
    events = [{"timestamp": now, "message": "m"}]
    assert error_of(logs.put_log_events, logGroupName="none", logStreamName="s", logEvents=events) == (
        "ResourceNotFoundException", "The specified log group does not exist.", 400)
    assert error_of(logs.put_log_events, logGroupName="g", logStreamName="none", logEvents=events) == (
        "ResourceNotFoundException", "The specified log stream does not exist.", 400)


def test_entity_rejected_but_events_stored(logs, stream, server):
    now = cloud_now_ms(server)
    answer = put(logs, stream, [(now, "m")], entity={"keyAttributes": {"Type": "Service", "Name": "api"}})
    assert answer["rejectedEntityInfo"] == {"errorType": "MissingRequiredFields"}
    answer = put(logs, stream, [(now, "n")], entity={"keyAttributes": {"Type": "Service", "Name": "api",
                                                                       "Environment": "prod"}})
    assert "rejectedEntityInfo" not in answer
    assert len(logs.get_log_events(**stream)["events"]) == 2


def test_get_tokens_forward_backward_and_the_same_token_at_the_end(logs, stream, server):
    now = cloud_now_ms(server)
    put(logs, stream, [(now - 10 + i, f"m{i}") for i in range(10)])
    head = logs.get_log_events(**stream, startFromHead=True, limit=4)
    assert [e["message"] for e in head["events"]] == ["m0", "m1", "m2", "m3"]
    following = logs.get_log_events(**stream, nextToken=head["nextForwardToken"], limit=4)
    assert [e["message"] for e in following["events"]] == ["m4", "m5", "m6", "m7"]
    back = logs.get_log_events(**stream, nextToken=following["nextBackwardToken"], limit=2)
    assert [e["message"] for e in back["events"]] == ["m2", "m3"]
    rest = logs.get_log_events(**stream, nextToken=following["nextForwardToken"])
    assert [e["message"] for e in rest["events"]] == ["m8", "m9"]
    end = logs.get_log_events(**stream, nextToken=rest["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == rest["nextForwardToken"]
    put(logs, stream, [(now, "late")])
    tailing = logs.get_log_events(**stream, nextToken=end["nextForwardToken"])
    assert [e["message"] for e in tailing["events"]] == ["late"]
    tail = logs.get_log_events(**stream, limit=3)  # startFromHead defaults to false: the newest
    assert [e["message"] for e in tail["events"]] == ["m8", "m9", "late"]
    window = logs.get_log_events(**stream, startFromHead=True, startTime=now - 8, endTime=now - 6)
    assert [e["message"] for e in window["events"]] == ["m2", "m3"]
    assert error_of(logs.get_log_events, **stream, nextToken="f/123/s")[:2] == (
        "InvalidParameterException", "The specified nextToken is invalid.")


def test_get_from_an_empty_stream(logs, stream):
    got = logs.get_log_events(**stream)
    assert got["events"] == []
    assert got["nextForwardToken"] == "f/" + "0" * 56 + "/s"
    assert got["nextBackwardToken"] == "b/" + "0" * 56 + "/s"


def test_get_answers_at_most_1_mb(logs, stream, server):
    now = cloud_now_ms(server)
    big = 600_000  # two of them do not fit in one 1 MB answer
    for i in range(3):
        put(logs, stream, [(now - 10 + i, str(i) * big)])
    head = logs.get_log_events(**stream, startFromHead=True)
    assert [e["message"][0] for e in head["events"]] == ["0"]
    following = logs.get_log_events(**stream, nextToken=head["nextForwardToken"])
    assert [e["message"][0] for e in following["events"]] == ["1"]
    newest = logs.get_log_events(**stream)  # from the end, backwards
    assert [e["message"][0] for e in newest["events"]] == ["2"]


def test_a_full_batch_is_stored_whole_and_in_order(logs, stream, server):
    now = cloud_now_ms(server)
    count = 10_000  # stored in several multi-row statements: none lost, none twice, order kept
    put(logs, stream, [(now - count + i, f"e{i}") for i in range(count)])
    got = logs.get_log_events(**stream, startFromHead=True)["events"]
    assert [e["message"] for e in got] == [f"e{i}" for i in range(count)]
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == sum(len(f"e{i}") for i in range(count))
