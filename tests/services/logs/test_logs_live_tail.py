"""StartLiveTail through boto3: the session's start, the updates a second apart with what other
clients write meanwhile, stream and pattern filters, sampling above 500 events, the three-hour
timeout on the cloud clock, and the request checks."""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.exceptions import EventStreamError

from aws_clients import CREDENTIALS, REGION, STRICT
from live_tail_helpers import group_arn, make_group, put, read_updates, start, tail, tail_client  # noqa: F401
from logs_helpers import advance_clock, error_of, logs  # noqa: F401


def test_session_start_names_the_request_and_its_filters(tail, logs):
    make_group(logs, "app")
    stream, events, session = start(tail, "app", logStreamNamePrefixes=["web-"], logEventFilterPattern="ERROR")
    try:
        assert session["logGroupIdentifiers"] == [group_arn("app")]
        assert session["logStreamNamePrefixes"] == ["web-"]
        assert session["logEventFilterPattern"] == "ERROR"
        assert "logStreamNames" not in session
        assert session["requestId"] and session["sessionId"] and session["sessionId"] != session["requestId"]
        update = next(events)  # nothing ingested: an update all the same, empty
        assert update == {"sessionUpdate": {"sessionMetadata": {"sampled": False}, "sessionResults": []}}
    finally:
        stream.close()


def test_events_written_by_another_client_arrive_in_the_next_updates(tail, logs):
    make_group(logs, "app", "web-1")
    put(logs, "app", "web-1", "written before the session")
    stream, events, _ = start(tail, "app")
    try:
        put(logs, "app", "web-1", "first", "second")
        results, metadata = read_updates(events, wanted=2)
        assert [r["message"] for r in results] == ["first", "second"]
        for result in results:
            assert result["logStreamName"] == "web-1"
            assert result["logGroupIdentifier"] == group_arn("app")
            assert result["ingestionTime"] >= result["timestamp"] - 1000
        assert results[1]["timestamp"] == results[0]["timestamp"] + 1
        assert not any(m["sampled"] for m in metadata)
    finally:
        stream.close()


def test_stream_names_prefixes_and_pattern_filter_what_is_shown(tail, logs):
    make_group(logs, "app", "web-1", "web-2", "worker")
    by_name, by_name_events, _ = start(tail, "app", logStreamNames=["web-2"])
    by_prefix, by_prefix_events, _ = start(tail, "app", logStreamNamePrefixes=["web"],
                                           logEventFilterPattern="ERROR")
    try:
        put(logs, "app", "web-1", "ERROR on web-1", "INFO on web-1")
        put(logs, "app", "web-2", "INFO on web-2", "ERROR on web-2")
        put(logs, "app", "worker", "ERROR on worker")
        named, _ = read_updates(by_name_events, wanted=2)
        assert [r["message"] for r in named] == ["INFO on web-2", "ERROR on web-2"]
        prefixed, _ = read_updates(by_prefix_events, wanted=2)
        assert sorted(r["message"] for r in prefixed) == ["ERROR on web-1", "ERROR on web-2"]
    finally:
        by_name.close()
        by_prefix.close()


def test_several_groups_in_one_session(tail, logs):
    make_group(logs, "one", "s")
    make_group(logs, "two", "s")
    make_group(logs, "three", "s")
    stream, events, session = start(tail, "one", "two")
    try:
        assert session["logGroupIdentifiers"] == [group_arn("one"), group_arn("two")]
        put(logs, "one", "s", "from one")
        put(logs, "three", "s", "from three")
        put(logs, "two", "s", "from two")
        results, _ = read_updates(events, wanted=2)
        assert {(r["logGroupIdentifier"], r["message"]) for r in results} == {
            (group_arn("one"), "from one"), (group_arn("two"), "from two")}
    finally:
        stream.close()


def test_more_than_500_events_in_a_second_are_sampled_down_to_500(tail, logs):
    make_group(logs, "busy", "s")
    stream, events, _ = start(tail, "busy")
    try:
        put(logs, "busy", "s", *(f"event {i}" for i in range(1200)))
        for _ in range(10):  # the batch lands whole in one update
            update = next(events)["sessionUpdate"]
            if update["sessionResults"]:
                break
        assert update["sessionMetadata"] == {"sampled": True}
        assert len(update["sessionResults"]) == 500
        numbers = [int(r["message"].split()[1]) for r in update["sessionResults"]]
        assert numbers == sorted(numbers) and len(set(numbers)) == 500  # ingestion order, no repeats
        assert numbers[-1] >= 500  # a sample of the whole second, not its first 500
    finally:
        stream.close()


def test_a_session_times_out_after_three_hours_of_the_cloud_clock(tail, logs, server):
    make_group(logs, "app")
    stream, events, _ = start(tail, "app")
    try:
        next(events)
        advance_clock(server, 3 * 3600)
        with pytest.raises(EventStreamError) as info:
            for _ in range(5):
                next(events)
        assert info.value.response["Error"]["Code"] == "SessionTimeoutException"
        assert info.value.response["Error"]["Message"] == "Session timed out after three hours."
    finally:
        stream.close()


def test_closed_sessions_are_released_for_the_fifteen_session_quota(endpoint, logs):
    make_group(logs, "app")
    clients = [tail_client(endpoint) for _ in range(15)]
    streams = [start(client, "app")[0] for client in clients]
    code, message, status = error_of(clients[0].start_live_tail, logGroupIdentifiers=[group_arn("app")])
    assert (code, status) == ("LimitExceededException", 400)
    for stream in streams:
        stream.close()
    # the server notices each client leaving; sessions started after that are within quota
    streams = []
    try:
        for client in clients:
            for _ in range(50):
                try:
                    streams.append(start(client, "app")[0])
                    break
                except Exception as exc:  # noqa: BLE001 - the quota until the server saw the close
                    assert "LimitExceededException" in str(exc)
                    time.sleep(0.1)
        assert len(streams) == 15
    finally:
        for stream in streams:
            stream.close()


@pytest.mark.parametrize("params, code, message", [
    ({"logGroupIdentifiers": []}, "InvalidParameterException",
     "1 validation error detected: Value at 'logGroupIdentifiers' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"),
    ({"logGroupIdentifiers": [group_arn(f"g{i}") for i in range(11)]}, "InvalidParameterException",
     "1 validation error detected: Value at 'logGroupIdentifiers' failed to satisfy constraint: "
     "Member must have length less than or equal to 10"),
    ({"logGroupIdentifiers": [group_arn("app") + ":*"]}, "InvalidParameterException",
     "1 validation error detected: Value at 'logGroupIdentifiers.1.member' failed to satisfy constraint: "
     r"Member must satisfy regular expression pattern: [\w#+=/:,.@-]*"),
    ({"logGroupIdentifiers": ["app"]}, "InvalidParameterException",
     "Invalid log group identifier: app. Specify each log group by its ARN: "
     "arn:aws:logs:REGION:ACCOUNT_ID:log-group:LOG_GROUP_NAME"),
    ({"logGroupIdentifiers": [group_arn("app")], "logStreamNames": ["a"], "logStreamNamePrefixes": ["b"]},
     "InvalidParameterException", "logStreamNames and logStreamNamePrefixes can't be specified together."),
    ({"logGroupIdentifiers": [group_arn("app"), group_arn("other")], "logStreamNames": ["a"]},
     "InvalidParameterException",
     "logStreamNames and logStreamNamePrefixes can only be specified with a single log group."),
    ({"logGroupIdentifiers": [group_arn("missing")]}, "ResourceNotFoundException",
     "The specified log group does not exist."),
])
def test_request_checks(endpoint, logs, params, code, message):
    make_group(logs, "app")
    make_group(logs, "other")
    unchecked = tail_client(endpoint, validate=False)
    assert error_of(unchecked.start_live_tail, **params) == (code, message, 400)


def test_another_accounts_group(tail):
    """Open mode: as missing as a group that does not exist (cross-account observability is not
    modelled). Strict mode: the caller is not allowed another account's group at all."""
    code, _, status = error_of(tail.start_live_tail, logGroupIdentifiers=[group_arn("app", account="111122223333")])
    assert (code, status) == (("AccessDeniedException", 400) if STRICT else ("ResourceNotFoundException", 400))


def test_a_pattern_that_does_not_compile_is_refused_before_the_groups_are_looked_up(tail):
    code, message, status = error_of(tail.start_live_tail, logGroupIdentifiers=[group_arn("missing")],
                                     logEventFilterPattern='{ $.level = "ERROR" ')
    assert (code, status) == ("InvalidParameterException", 400)
    assert message


def test_a_reset_ends_open_sessions(tail, logs, server):
    make_group(logs, "app")
    stream, events, _ = start(tail, "app")
    try:
        next(events)
        server.post("/_overcast/reset")
        rest = list(events)  # the stream ends cleanly within a second
        assert all("sessionUpdate" in event for event in rest) and len(rest) <= 1
    finally:
        stream.close()


@pytest.mark.parametrize("how", ["environment", "config file"])
def test_the_readmes_ways_to_turn_the_host_prefix_off(endpoint, logs, tmp_path, monkeypatch, how):
    """Without them the SDK sends StartLiveTail to stream-127.0.0.1, a host that does not resolve."""
    config = tmp_path / "config"
    config.write_text("[default]\n" + ("disable_host_prefix_injection = true\n" if how == "config file" else ""))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    if how == "environment":
        monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    else:
        monkeypatch.delenv("AWS_DISABLE_HOST_PREFIX_INJECTION", raising=False)
    make_group(logs, "app")
    client = boto3.session.Session().client("logs", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)
    stream, _, session = start(client, "app")
    stream.close()
    assert session["logGroupIdentifiers"] == [group_arn("app")]
