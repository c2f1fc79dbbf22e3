"""Helpers shared by the CloudWatch tests (each helper may append its own): a client, the
error of a call, the cloud clock."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

NAMESPACE = "Overcast/Test"


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a call that must fail."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    err = info.value.response
    return err["Error"]["Code"], err["Error"].get("Message", ""), err["ResponseMetadata"]["HTTPStatusCode"]


def advance_clock(server, seconds: float) -> None:
    server.post("/_overcast/clock", json.dumps({"advance": seconds}).encode())


def cloud_now(server) -> float:
    """The cloud clock's current time (epoch seconds)."""
    return float(json.loads(server.get("/_overcast/clock"))["now"])


@pytest.fixture
def cw(aws_client):
    return aws_client("cloudwatch")


def protocol_client(endpoint: str, protocol: str, **kwargs):
    """A real boto3 CloudWatch client speaking ``protocol`` ("query", "json" or
    "smithy-rpc-v2-cbor", boto3's default): the service model it loads lists that protocol
    only, so botocore serializes and parses in it."""
    import copy

    import boto3
    import botocore.session

    from aws_clients import CREDENTIALS, REGION

    session = botocore.session.Session()
    loader = session.get_component("data_loader")
    original = loader.load_service_model

    def load_service_model(service_name, type_name, api_version=None):
        model = original(service_name, type_name, api_version)
        if service_name == "cloudwatch" and type_name == "service-2":
            model = copy.deepcopy(model)
            model["metadata"]["protocol"] = protocol
            model["metadata"]["protocols"] = [protocol]
        return model

    loader.load_service_model = load_service_model
    from botocore.config import Config

    config = kwargs.pop("config", None) or Config(retries={"max_attempts": 1})
    client = boto3.Session(botocore_session=session).client(
        "cloudwatch", endpoint_url=endpoint, region_name=REGION, config=config, **{**CREDENTIALS, **kwargs})
    assert client.meta.service_model.protocol == protocol
    return client


def minute_start(now: float, minutes_ago: int = 0) -> float:
    """The start of the minute ``minutes_ago`` minutes before the one ``now`` is in."""
    return now - now % 60 - 60 * minutes_ago


def put_series(cw, name: str, values: list[float], start: float, period: int = 60,
               dimensions: dict | None = None, namespace: str = NAMESPACE) -> None:
    """One datapoint per period from ``start`` (None leaves that period empty)."""
    from datetime import datetime, timezone

    data = [{"MetricName": name, "Value": value,
             "Dimensions": [{"Name": k, "Value": v} for k, v in (dimensions or {}).items()],
             "Timestamp": datetime.fromtimestamp(start + i * period, tz=timezone.utc)}
            for i, value in enumerate(values) if value is not None]
    cw.put_metric_data(Namespace=namespace, MetricData=data)


def metric_stat(name: str, stat: str = "Sum", period: int = 60, dimensions: dict | None = None,
                namespace: str = NAMESPACE) -> dict:
    """A MetricStat structure for GetMetricData."""
    return {"Metric": {"Namespace": namespace, "MetricName": name,
                       "Dimensions": [{"Name": k, "Value": v} for k, v in (dimensions or {}).items()]},
            "Period": period, "Stat": stat}


def queue_subscribed_to(aws_client, topic_arn: str, queue_name: str) -> str:
    """A new queue subscribed to ``topic_arn``, with the policy AWS asks of a queue SNS delivers
    to (strict mode checks it); returns its URL."""
    sqs, sns = aws_client("sqs"), aws_client("sns")
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url
