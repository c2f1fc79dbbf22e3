"""The service-metrics collector on its own: counts become statistic sets, samplers gauges,
one flush per minute of the cloud clock, stamped with the minute just ended."""

from __future__ import annotations

import asyncio

from overcast.runtime.clock import Clock
from overcast.runtime.scheduler import Scheduler
from overcast.runtime.service_metrics import ServiceMetrics
from overcast.storage.scope import Scope

SCOPE = Scope("000000000000", "us-east-1")
QUEUE = (("QueueName", "jobs"),)


def _rig():
    clock = Clock()
    scheduler = Scheduler(clock)
    published: list[tuple] = []
    metrics = ServiceMetrics(clock, scheduler, sink=lambda scope, ns, data: published.append((scope, ns, data)))
    return clock, scheduler, metrics, published


def _run(coro):
    return asyncio.run(coro)


def test_counts_of_a_minute_become_one_statistic_set_stamped_with_that_minute():
    clock, _, metrics, published = _rig()

    async def scenario():
        for size in (10.0, 30.0, 20.0):
            metrics.count(SCOPE, "AWS/SQS", "SentMessageSize", QUEUE, size, "Bytes")
        metrics.count(SCOPE, "AWS/SQS", "NumberOfMessagesSent", QUEUE, 3.0)
        await metrics.flush()

    _run(scenario())
    (scope, namespace, data), = published
    assert (scope, namespace) == (SCOPE, "AWS/SQS")
    by_name = {datum["MetricName"]: datum for datum in data}
    size = by_name["SentMessageSize"]
    assert size["StatisticValues"] == {"SampleCount": 3.0, "Sum": 60.0, "Minimum": 10.0, "Maximum": 30.0}
    assert size["Unit"] == "Bytes" and size["Dimensions"] == [{"Name": "QueueName", "Value": "jobs"}]
    minute = (clock.now() // 60) * 60
    assert size["Timestamp"] == minute - 60
    assert by_name["NumberOfMessagesSent"]["StatisticValues"]["Sum"] == 3.0


def test_a_flush_forgets_what_it_published():
    _, _, metrics, published = _rig()

    async def scenario():
        metrics.count(SCOPE, "AWS/SNS", "NumberOfMessagesPublished", (("TopicName", "t"),))
        await metrics.flush()
        await metrics.flush()

    _run(scenario())
    assert len(published) == 1


def test_a_sampler_gauge_and_zero_for_an_active_resource_with_nothing_counted():
    _, _, metrics, published = _rig()

    def sampler(now):
        yield SCOPE, "ApproximateNumberOfMessagesVisible", QUEUE, 7, "Count"
        yield SCOPE, "NumberOfMessagesSent", QUEUE, None, "Count"  # counted: published from the count
        yield SCOPE, "NumberOfEmptyReceives", QUEUE, None, "Count"  # not counted: 0

    metrics.sample("AWS/SQS", sampler)

    async def scenario():
        metrics.count(SCOPE, "AWS/SQS", "NumberOfMessagesSent", QUEUE, 2.0)
        await metrics.flush()

    _run(scenario())
    data = published[0][2]
    values = {(d["MetricName"], "Value" in d): d.get("Value", d.get("StatisticValues")) for d in data}
    assert values[("ApproximateNumberOfMessagesVisible", True)] == 7.0
    assert values[("NumberOfEmptyReceives", True)] == 0.0
    assert values[("NumberOfMessagesSent", False)]["Sum"] == 2.0
    assert ("NumberOfMessagesSent", True) not in values


def test_a_failing_sampler_or_sink_does_not_stop_the_others():
    clock = Clock()
    published = []

    def sink(scope, namespace, data):
        if namespace == "AWS/Broken":
            raise RuntimeError("boom")
        published.append(namespace)

    metrics = ServiceMetrics(clock, Scheduler(clock), sink=sink)
    metrics.sample("AWS/X", lambda now: 1 / 0)
    metrics.sample("AWS/SQS", lambda now: [(SCOPE, "ApproximateNumberOfMessagesVisible", QUEUE, 1, "Count")])
    metrics.count(SCOPE, "AWS/Broken", "Thing", ())
    _run(metrics.flush())
    assert published == ["AWS/SQS"]


def test_usage_call_counts_carry_aws_dimensions_and_no_unit():
    _, _, metrics, published = _rig()
    for _ in range(4):
        metrics.count_call("000000000000", "us-east-1", "cloudwatch", "PutMetricData")
    _run(metrics.flush())
    (scope, namespace, data), = published
    assert namespace == "AWS/Usage" and scope == SCOPE
    datum, = data
    assert datum["MetricName"] == "CallCount" and datum["Unit"] == "None"
    assert {d["Name"]: d["Value"] for d in datum["Dimensions"]} == {
        "Service": "CloudWatch", "Type": "API", "Resource": "PutMetricData", "Class": "None"}
    assert datum["StatisticValues"]["Sum"] == 4.0


def test_moving_the_clock_flushes_once_per_minute_and_daily_samplers_once_a_day():
    clock, scheduler, metrics, published = _rig()
    calls = {"minute": 0, "day": []}

    def per_minute(now):
        calls["minute"] += 1
        return ()

    def daily(now):
        calls["day"].append(now)
        return [(SCOPE, "BucketSizeBytes", (("BucketName", "b"), ("StorageType", "StandardStorage")), 5, "Bytes")]

    metrics.sample("AWS/SQS", per_minute)
    metrics.sample("AWS/S3", daily, interval=86400)

    async def scenario():
        await scheduler.start()
        metrics.start()
        await scheduler.advance(2 * 86400)
        await scheduler.stop()

    _run(scenario())
    assert calls["minute"] == 2 * 1440
    assert len(calls["day"]) == 2
    assert all(now % 86400 == 0 for now in calls["day"])
    daily_data = [d for _, ns, data in published if ns == "AWS/S3" for d in data]
    assert [d["Timestamp"] for d in daily_data] == [now - 86400 for now in calls["day"]]


def test_reset_forgets_pending_counts():
    _, _, metrics, published = _rig()
    metrics.count(SCOPE, "AWS/SQS", "NumberOfMessagesSent", QUEUE)
    metrics.reset()
    _run(metrics.flush())
    assert published == []


def test_sns_failures_count_every_http_attempt_but_only_the_last_for_other_protocols():
    import types

    from overcast.services.sns.metrics import TopicMetrics

    _, _, metrics, published = _rig()
    topics = TopicMetrics(types.SimpleNamespace(cloud=types.SimpleNamespace(service_metrics=metrics)))
    arn = "arn:aws:sns:us-east-1:000000000000:alerts"
    topics.failed(arn, "https", gave_up=False)
    topics.failed(arn, "https", gave_up=True)
    topics.failed(arn, "sqs", gave_up=False)  # SQS retries are not failures yet
    topics.failed(arn, "sqs", gave_up=True)
    topics.delivered("arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/1")  # no topic: not counted
    _run(metrics.flush())
    (_, namespace, data), = published
    (datum,) = data
    assert namespace == "AWS/SNS" and datum["MetricName"] == "NumberOfNotificationsFailed"
    assert datum["StatisticValues"]["Sum"] == 3.0
    assert datum["Dimensions"] == [{"Name": "TopicName", "Value": "alerts"}]
