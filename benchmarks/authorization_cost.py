"""What strict-mode authorization costs per request, in process: the authorizer's decision on
S3 GetObject and SQS SendMessage, for an account root and for an IAM user whose identity
policy allows the call (the bucket also has a policy), without HTTP around it.

    python benchmarks/authorization_cost.py [--calls 20000] [--repeat 5]

Prints the median microseconds per decision of each case over the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time

from overcast.auth.authorization.authorizer import Authorizer
from overcast.cloud import Cloud
from overcast.config import Settings
from overcast.context import RequestContext
from overcast.protocols import HttpRequest

ACCOUNT = "000000000000"
REGION = "us-east-1"


def _ctx(cloud, service, operation, credential, protocol):
    return RequestContext(account=ACCOUNT, region=REGION, service=service, operation=operation, protocol=protocol,
                          credential=credential, registry=cloud.services, source_ip="127.0.0.1",
                          host="localhost:4566")


async def _call(cloud, service, operation, params, credential, protocol="query"):
    return await cloud.services.invoke(_ctx(cloud, service, operation, credential, protocol), params)


def _authorizer(cloud):
    if not hasattr(cloud, "authorization_messages"):  # before issue 23 (to compare with that main)
        return Authorizer(cloud)
    return Authorizer(cloud.services, cloud.clock, cloud.authorization_messages)


async def main(calls: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        cloud = Cloud(Settings.from_env({}, data_dir=data_dir, strict=True))
        await cloud.start()
        root = cloud.credentials.lookup("000000000000")
        await _call(cloud, "s3", "CreateBucket", {"Bucket": "bench"}, root, "rest-xml")
        await _call(cloud, "s3", "PutBucketPolicy", {"Bucket": "bench", "Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
                                                    "Resource": "arn:aws:s3:::bench"}]})}, root, "rest-xml")
        queue = (await _call(cloud, "sqs", "CreateQueue", {"QueueName": "bench"}, root, "json"))["QueueUrl"]
        await _call(cloud, "iam", "CreateUser", {"UserName": "reader"}, root)
        await _call(cloud, "iam", "PutUserPolicy", {"UserName": "reader", "PolicyName": "p", "PolicyDocument": json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "sqs:SendMessage"],
                                                    "Resource": "*"}]})}, root)
        key = (await _call(cloud, "iam", "CreateAccessKey", {"UserName": "reader"}, root))["AccessKey"]
        user = cloud.credentials.lookup(key["AccessKeyId"])
        authorizer = _authorizer(cloud)
        request = HttpRequest("GET", "/bench/k", "", {"authorization": "AWS4-HMAC-SHA256 Credential=x",
                                                     "x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
        cases = {
            "s3 GetObject, root": ("s3", "GetObject", {"Bucket": "bench", "Key": "k"}, root, "rest-xml", request),
            "s3 GetObject, IAM user": ("s3", "GetObject", {"Bucket": "bench", "Key": "k"}, user, "rest-xml", request),
            "sqs SendMessage, IAM user": ("sqs", "SendMessage", {"QueueUrl": queue, "MessageBody": "x"}, user, "json",
                                          None),
        }
        results = {name: [] for name in cases}
        for _ in range(repeat):
            for name, (service, operation, params, credential, protocol, req) in cases.items():
                started = time.perf_counter()
                for _ in range(calls):
                    await authorizer.authorize(_ctx(cloud, service, operation, credential, protocol), params, req)
                results[name].append((time.perf_counter() - started) / calls * 1e6)
        await cloud.stop()
    for name, values in results.items():
        print(f"{name:28s} median {statistics.median(values):7.1f} us  (rounds: "
              f"{' / '.join(f'{v:.1f}' for v in values)})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.repeat))
