"""Retention on the cloud clock: expired events are deleted by the sweep once the clock has
moved past their retention, with the stored bytes of the group kept right."""

from __future__ import annotations

from logs_helpers import advance_clock, cloud_now_ms, logs  # noqa: F401 - fixture

HOUR = 3_600_000
DAY = 24 * HOUR


def test_expired_events_deleted_on_the_cloud_clock(logs, server):
    logs.create_log_group(logGroupName="short")
    logs.create_log_group(logGroupName="forever")
    for group in ("short", "forever"):
        logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = cloud_now_ms(server)
    for group in ("short", "forever"):
        logs.put_log_events(logGroupName=group, logStreamName="s",
                            logEvents=[{"timestamp": now - 2 * HOUR, "message": "olé"},
                                       {"timestamp": now, "message": "new!"}])
    logs.put_retention_policy(logGroupName="short", retentionInDays=1)
    advance_clock(server, 22 * 3600 + 60)  # the old event is now past its day, the new one is not
    short = logs.get_log_events(logGroupName="short", logStreamName="s")["events"]
    assert [e["message"] for e in short] == ["new!"]
    stored = {g["logGroupName"]: g["storedBytes"] for g in logs.describe_log_groups()["logGroups"]}
    assert stored == {"short": 4, "forever": 8}  # UTF-8 bytes: "olé" was 4
    advance_clock(server, 3 * 3600)
    assert logs.get_log_events(logGroupName="short", logStreamName="s")["events"] == []
    assert len(logs.get_log_events(logGroupName="forever", logStreamName="s")["events"]) == 2


def test_the_sweep_resumes_after_a_restart(tmp_path):
    from aws_clients import make_client
    from serverproc import ServerProcess

    proc = ServerProcess(str(tmp_path / "data")).start()
    try:
        client = make_client(proc.endpoint, "logs")
        client.create_log_group(logGroupName="kept-a-day")
        client.create_log_stream(logGroupName="kept-a-day", logStreamName="s")
        now = cloud_now_ms(proc)
        client.put_log_events(logGroupName="kept-a-day", logStreamName="s",
                              logEvents=[{"timestamp": now - HOUR, "message": "old"}])
        client.put_retention_policy(logGroupName="kept-a-day", retentionInDays=1)
        proc.kill()  # the timer was stored when the policy was put
        proc.start()
        advance_clock(proc, 24 * 3600)
        client = make_client(proc.endpoint, "logs")
        assert client.get_log_events(logGroupName="kept-a-day", logStreamName="s")["events"] == []
    finally:
        proc.stop()


def test_a_delivery_class_group_keeps_events_one_day(logs, server):
    logs.create_log_group(logGroupName="delivery", logGroupClass="DELIVERY")
    [group] = logs.describe_log_groups()["logGroups"]
    assert (group["logGroupClass"], group["retentionInDays"]) == ("DELIVERY", 1)
    logs.create_log_stream(logGroupName="delivery", logStreamName="s")
    now = cloud_now_ms(server)
    logs.put_log_events(logGroupName="delivery", logStreamName="s", logEvents=[{"timestamp": now, "message": "m"}])
    advance_clock(server, 25 * 3600)
    assert logs.get_log_events(logGroupName="delivery", logStreamName="s")["events"] == []
