"""Cost of the RPC wire protocols (query, ec2, json, smithy-rpc-v2-cbor) per small request.

Measures, in microseconds per call, each step the gateway runs for a protocol: finding the
operation, parsing the request (botocore-serialized, as a client sends it), serializing a
result and serializing a modelled error. No network: this is the protocol layer alone.

    python benchmarks/rpc_protocols_bench.py            # 20000 calls per step
    python benchmarks/rpc_protocols_bench.py 2000       # quicker
"""

from __future__ import annotations

import datetime
import os
import sys
import timeit

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "protocols"))

from oracle_support import RequestIdContext, botocore_request  # noqa: E402

from overcast.errors import AwsError  # noqa: E402
from overcast.protocols import get_protocol  # noqa: E402
from overcast.protocols.models import service_model  # noqa: E402
from overcast.protocols.query_compat import query_model  # noqa: E402


def case(protocol: str, model, operation_name: str, params: dict, result: dict, error_code: str, calls: int) -> str:
    operation = model.operation_model(operation_name)
    wire = get_protocol(protocol)
    request = botocore_request(protocol, operation, params)
    ctx = RequestIdContext()
    error = AwsError(error_code, "an error")

    def per_call(fn) -> float:
        fn()  # compile the plans first: the steady state is what matters
        return timeit.timeit(fn, number=calls) / calls * 1e6

    find = per_call(lambda: wire.find_operation(model, request))
    parse = per_call(lambda: wire.parse_request(operation, request))
    serialize = per_call(lambda: wire.serialize_response(operation, result, ctx))
    fail = per_call(lambda: wire.serialize_error(model, operation, error, ctx))
    return (f"| {protocol} | {model.service_name} {operation_name} | {find:.1f} | {parse:.1f} | "
            f"{serialize:.1f} | {fail:.1f} |")


def main(calls: int) -> None:
    sqs = service_model("sqs")
    send = {
        "QueueUrl": "http://localhost:4566/000000000000/q",
        "MessageBody": "hello world",
        "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}},
    }
    sent = {"MessageId": "8f3c0e9c-1111-2222-3333-444455556666", "MD5OfMessageBody": "5eb63bbbe01eeed093cb22bb8f5acdc3"}
    receive = {"QueueUrl": "http://localhost:4566/000000000000/q", "MaxNumberOfMessages": 10}
    received = {
        "Messages": [
            {"MessageId": f"m{i}", "ReceiptHandle": "r" * 40, "MD5OfBody": "x" * 32, "Body": "hello",
             "Attributes": {"SentTimestamp": "1700000000000"}}
            for i in range(3)
        ]
    }
    cloudwatch = service_model("cloudwatch")
    metric = {
        "Namespace": "App",
        "MetricData": [
            {"MetricName": "Latency", "Value": 1.5, "Unit": "Milliseconds",
             "Timestamp": datetime.datetime(2024, 1, 1), "Dimensions": [{"Name": "Host", "Value": "a"}]}
        ],
    }
    ec2 = service_model("ec2")
    describe = {"InstanceIds": ["i-1", "i-2"], "Filters": [{"Name": "tag:a", "Values": ["b"]}]}
    described = {"Reservations": [{"ReservationId": "r-1", "Instances": [{"InstanceId": "i-1",
                                                                          "State": {"Name": "running", "Code": 16}}]}]}
    rows = [
        case("json", sqs, "SendMessage", send, sent, "QueueDoesNotExist", calls),
        case("query", query_model(sqs), "SendMessage", send, sent, "QueueDoesNotExist", calls),
        case("json", sqs, "ReceiveMessage", receive, received, "QueueDoesNotExist", calls),
        case("query", query_model(sqs), "ReceiveMessage", receive, received, "QueueDoesNotExist", calls),
        case("smithy-rpc-v2-cbor", cloudwatch, "PutMetricData", metric, {}, "InvalidParameterValueException", calls),
        case("json", cloudwatch, "PutMetricData", metric, {}, "InvalidParameterValueException", calls),
        case("query", cloudwatch, "PutMetricData", metric, {}, "InvalidParameterValueException", calls),
        case("query", service_model("sts"), "GetCallerIdentity", {},
             {"UserId": "x", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}, "ExpiredTokenException",
             calls),
        case("ec2", ec2, "DescribeInstances", describe, described, "InvalidInstanceID.NotFound", calls),
    ]
    print("| protocol | operation | find µs | parse µs | serialize µs | error µs |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
