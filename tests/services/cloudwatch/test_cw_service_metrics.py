"""The metrics Overcast's services publish into CloudWatch each minute of the cloud clock:
AWS/SQS per QueueName, AWS/SNS per TopicName, AWS/Usage CallCount."""

from __future__ import annotations

from cw_helpers import advance_clock, cloud_now, cw, queue_subscribed_to  # noqa: F401


def _stat(cw, namespace, name, dimensions, statistic, start, end):
    points = cw.get_metric_statistics(Namespace=namespace, MetricName=name, Dimensions=dimensions,
                                      StartTime=start, EndTime=end, Period=60, Statistics=[statistic])["Datapoints"]
    return sorted((p["Timestamp"], p[statistic], p.get("Unit")) for p in points)


def test_sqs_counts_and_gauges_per_queue(cw, aws_client, server):
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    start = cloud_now(server) - 120
    for body in ("a" * 10, "b" * 20, "c" * 30):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    empty = sqs.create_queue(QueueName="idle")["QueueUrl"]
    sqs.receive_message(QueueUrl=empty)
    advance_clock(server, 120)
    end = cloud_now(server) + 60
    queue = [{"Name": "QueueName", "Value": "jobs"}]

    def total(name, statistic="Sum", dims=queue):
        return sum(value for _, value, _ in _stat(cw, "AWS/SQS", name, dims, statistic, start, end))

    assert total("NumberOfMessagesSent") == 3
    assert total("NumberOfMessagesReceived") == 1
    assert total("NumberOfMessagesDeleted") == 1
    assert total("NumberOfEmptyReceives", dims=[{"Name": "QueueName", "Value": "idle"}]) == 1
    assert total("NumberOfEmptyReceives") == 0  # an active queue's counters are published as 0
    sizes = _stat(cw, "AWS/SQS", "SentMessageSize", queue, "Average", start, end)
    assert [(value, unit) for _, value, unit in sizes] == [(20.0, "Bytes")]
    visible = _stat(cw, "AWS/SQS", "ApproximateNumberOfMessagesVisible", queue, "Maximum", start, end)
    assert visible and visible[-1][1] == 2.0
    age = _stat(cw, "AWS/SQS", "ApproximateAgeOfOldestMessage", queue, "Maximum", start, end)
    assert age and age[-1][1] >= 60 and age[-1][2] == "Seconds"
    names = {m["MetricName"] for m in cw.list_metrics(Namespace="AWS/SQS", Dimensions=queue)["Metrics"]}
    assert names == {"NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted",
                     "NumberOfEmptyReceives", "ApproximateNumberOfMessagesVisible",
                     "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
                     "ApproximateAgeOfOldestMessage", "SentMessageSize"}


def test_sns_publish_and_delivery_counts_per_topic(cw, aws_client, server):
    sns, sqs = aws_client("sns"), aws_client("sqs")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    url = queue_subscribed_to(aws_client, topic, "inbox")
    start = cloud_now(server) - 120
    sns.publish(TopicArn=topic, Message="hello world")
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    advance_clock(server, 120)
    end = cloud_now(server) + 60
    dims = [{"Name": "TopicName", "Value": "alerts"}]

    def total(name, statistic="Sum"):
        return sum(value for _, value, _ in _stat(cw, "AWS/SNS", name, dims, statistic, start, end))

    assert total("NumberOfMessagesPublished") == 1
    assert total("NumberOfNotificationsDelivered") == 1
    assert total("PublishSize", "Maximum") == len("hello world")


def test_usage_call_counts_per_operation(cw, aws_client, server):
    sqs = aws_client("sqs")
    start = cloud_now(server) - 120
    for name in ("u1", "u2"):
        sqs.create_queue(QueueName=name)
    advance_clock(server, 120)
    end = cloud_now(server) + 60
    dims = [{"Name": "Class", "Value": "None"}, {"Name": "Resource", "Value": "CreateQueue"},
            {"Name": "Service", "Value": "SQS"}, {"Name": "Type", "Value": "API"}]
    points = _stat(cw, "AWS/Usage", "CallCount", dims, "Sum", start, end)
    assert sum(value for _, value, _ in points) == 2
    listed = cw.list_metrics(Namespace="AWS/Usage", MetricName="CallCount")["Metrics"]
    assert any({d["Name"]: d["Value"] for d in m["Dimensions"]}.get("Resource") == "CreateQueue" for m in listed)


def test_an_idle_empty_queue_stops_being_published_after_six_hours(cw, aws_client, server):
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName="quiet")["QueueUrl"]
    sqs.receive_message(QueueUrl=url)
    advance_clock(server, 7 * 3600)
    now = cloud_now(server)
    dims = [{"Name": "QueueName", "Value": "quiet"}]
    recent = _stat(cw, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, "Maximum", now - 3600, now)
    assert recent == []
    earlier = _stat(cw, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, "Maximum", now - 7 * 3600, now)
    assert earlier  # published while it was active


def test_s3_daily_storage_metrics_per_bucket_and_storage_type(cw, aws_client, server):
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="metered")
    s3.put_object(Bucket="metered", Key="a", Body=b"x" * 1000)
    s3.put_object(Bucket="metered", Key="b", Body=b"y" * 500)
    s3.put_object(Bucket="metered", Key="cold", Body=b"z" * 100, StorageClass="STANDARD_IA")
    now = cloud_now(server)
    midnight = now - now % 86400 + 86400
    advance_clock(server, midnight - now + 90)
    day = [midnight - 86400, midnight + 60]

    def daily(name, storage_type):
        points = cw.get_metric_statistics(
            Namespace="AWS/S3", MetricName=name, StartTime=day[0], EndTime=day[1], Period=86400,
            Dimensions=[{"Name": "BucketName", "Value": "metered"}, {"Name": "StorageType", "Value": storage_type}],
            Statistics=["Average"])["Datapoints"]
        return [(p["Timestamp"].timestamp(), p["Average"], p["Unit"]) for p in points]

    assert daily("BucketSizeBytes", "StandardStorage") == [(midnight - 86400, 1500.0, "Bytes")]
    assert daily("BucketSizeBytes", "StandardIAStorage") == [(midnight - 86400, 100.0, "Bytes")]
    assert daily("BucketSizeBytes", "StandardIASizeOverhead") == [(midnight - 86400, 128 * 1024 - 100.0, "Bytes")]
    assert daily("NumberOfObjects", "AllStorageTypes") == [(midnight - 86400, 3.0, "Count")]
