"""A small app instrumented with the real aws-xray-sdk, run as its own process by
test_xray_sdk.py (the SDK patches botocore process-wide, which must not leak into the test
session). It waits until the SDK has fetched the sampling rules through the daemon port,
serves ``count`` requests (each a segment that sends an SQS message and puts an S3 object
when sampled) and prints the sampled trace ids as JSON.

usage: xray_sdk_app.py <daemon port> <endpoint> <queue url> <bucket> <count>
"""

from __future__ import annotations

import json
import sys
import time

import boto3
from aws_xray_sdk.core import patch, xray_recorder


def main() -> None:
    port, endpoint, queue_url, bucket, count = sys.argv[1:6]
    xray_recorder.configure(service="orders-app", daemon_address=f"127.0.0.1:{port}", context_missing="LOG_ERROR",
                            sampling=True, streaming_threshold=1)
    patch(["boto3"])
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    sqs = session.client("sqs", endpoint_url=endpoint)
    s3 = session.client("s3", endpoint_url=endpoint)

    sampler = xray_recorder.sampler
    sampler.start()
    deadline = time.monotonic() + 10
    while not sampler._cache.rules and time.monotonic() < deadline:  # the first rule fetch
        time.sleep(0.05)
    if not sampler._cache.rules:
        sys.exit("the SDK fetched no sampling rules from the daemon port")

    sampled = []
    for i in range(int(count)):
        segment = xray_recorder.begin_segment("orders-app")
        if segment.sampled:
            segment.put_annotation("order_id", i)
            segment.put_annotation("express", i % 2 == 0)
            segment.put_metadata("order", {"items": [i, i + 1]}, "orders")
            segment.put_http_meta("url", f"http://shop.local/orders/{i}")
            segment.put_http_meta("method", "POST")
            segment.put_http_meta("status", 200)
            sqs.send_message(QueueUrl=queue_url, MessageBody=f"order {i}")
            s3.put_object(Bucket=bucket, Key=f"orders/{i}", Body=b"x")
            sampled.append(segment.trace_id)
        xray_recorder.end_segment()
    print(json.dumps(sampled), flush=True)


if __name__ == "__main__":
    main()
