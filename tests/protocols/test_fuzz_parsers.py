"""Parser robustness: malformed input to every protocol parser is a 4xx AwsError, never a crash.

Each example builds a hostile request (random bytes, truncated or mistyped bodies, absurd
nesting, bad encodings, wrong content types, oversized fields) for a real operation of a
service that speaks the protocol, and runs routing + parsing. Anything but params or a 4xx
``AwsError`` fails. Hypothesis' deadline catches hangs.
"""

from __future__ import annotations

import json
import os

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overcast.errors import AwsError
from overcast.protocols import HttpRequest, get_protocol
from overcast.protocols.models import service_model

EXAMPLES = int(os.environ.get("OVERCAST_FUZZ_EXAMPLES", "150"))

# protocol -> (service, operations whose inputs have lists, maps, numbers, blobs, timestamps)
TARGETS = {
    "query": ("sqs", ["SendMessage", "SendMessageBatch", "CreateQueue", "ReceiveMessage"]),
    "ec2": ("ec2", ["RunInstances", "DescribeInstances", "CreateTags"]),
    "json": ("sqs", ["SendMessage", "SendMessageBatch", "CreateQueue", "SetQueueAttributes"]),
    "smithy-rpc-v2-cbor": ("cloudwatch", ["PutMetricData", "GetMetricData", "PutMetricAlarm"]),
    "rest-json": ("lambda", ["CreateFunction", "Invoke", "ListFunctions", "TagResource"]),
    "rest-xml": ("s3", ["PutObject", "PutBucketLifecycleConfiguration", "CompleteMultipartUpload", "DeleteObjects"]),
}

junk_text = st.text(max_size=300)
junk_bytes = st.binary(max_size=600)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def json_values():
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), junk_text)
    return st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(junk_text, c, max_size=4)), max_leaves=20)


@st.composite
def json_body(draw, operation):
    """A JSON body: structurally wrong, mistyped, truncated, or bytes that are not JSON at all."""
    members = list(operation.input_shape.members) if operation.input_shape else ["X"]
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return draw(junk_bytes)
    if choice == 1:
        return nested(draw(st.integers(100, 100000))).encode()
    doc = {draw(st.sampled_from(members)): draw(json_values()) for _ in range(draw(st.integers(0, 4)))}
    raw = json.dumps(doc).encode()
    if choice == 2:
        return raw[: draw(st.integers(0, len(raw)))]
    if choice == 3:
        return b'{"' + members[0].encode() + b'": "' + b"x" * draw(st.integers(0, 200000)) + b'"}'
    return raw


@st.composite
def form_body(draw, operation):
    members = list(operation.input_shape.members) if operation.input_shape else ["X"]
    parts = [f"Action={operation.name}", "Version=2012-11-05"]
    for _ in range(draw(st.integers(0, 8))):
        name = draw(st.sampled_from(members))
        suffix = draw(st.sampled_from(["", ".1", ".1.Name", ".member.1", ".entry.1.key", ".1.Value.StringValue", ".x.y", ".-1", ".99999999999999999999"]))
        value = draw(st.one_of(junk_text, st.sampled_from(["%", "%ZZ", "%C3", "true", "-1", "1e999", "NaN"])))
        parts.append(f"{name}{suffix}={value}")
    body = "&".join(parts).encode("utf-8", "surrogatepass") if draw(st.booleans()) else draw(junk_bytes)
    return body


@st.composite
def xml_body(draw, operation):
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(junk_bytes)
    if choice == 1:
        return b"<a>" * draw(st.integers(1, 5000))
    if choice == 2:  # entity expansion must not explode
        return (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>'
                b"<Delete><Object><Key>&b;</Key></Object></Delete>")
    text = "<Root>" + "".join(f"<{m}>{draw(junk_text)}</{m}>" for m in ["Part", "Rule", "Object", "Quiet", "PartNumber"]) + "</Root>"
    raw = text.encode("utf-8", "surrogatepass")
    return raw[: draw(st.integers(0, len(raw)))] if choice == 3 else raw


def build_request(protocol: str, service: str, operation, draw) -> HttpRequest:
    model = service_model(service)
    headers = {"host": "localhost:4566"}
    if protocol in ("query", "ec2"):
        headers["content-type"] = draw(st.sampled_from(
            ["application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded", "text/plain"]))
        return HttpRequest("POST", "/", "", headers, draw(form_body(operation)))
    if protocol == "json":
        target = draw(st.sampled_from([f"{model.metadata['targetPrefix']}.{operation.name}", "AmazonSQS.", "", "x" * 5000]))
        headers.update({"x-amz-target": target, "content-type": "application/x-amz-json-1.0"})
        return HttpRequest("POST", "/", "", headers, draw(json_body(operation)))
    if protocol == "smithy-rpc-v2-cbor":
        headers.update({"smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor"})
        body = draw(st.one_of(junk_bytes, json_values().map(cbor2.dumps), st.just(cbor2.dumps({"Namespace": b"\x00" * 10}))))
        path = draw(st.sampled_from([f"/service/{model.metadata['targetPrefix']}/operation/{operation.name}",
                                     "/service/x/operation/", "/service/", "/"]))
        return HttpRequest("POST", path, "", headers, body)
    if protocol == "rest-json":
        http = operation.http
        path = http["requestUri"].split("?")[0]
        path = path.replace("{FunctionName}", draw(st.sampled_from(["f", "%ZZ", "a%2Fb", "x" * 3000])))
        headers["content-type"] = "application/json"
        headers[draw(st.sampled_from(["x-amz-invocation-type", "x-amz-log-type", "x-amz-client-context"]))] = draw(junk_text.map(lambda t: t.encode("latin-1", "replace").decode("latin-1")))
        return HttpRequest(http["method"], path, draw(st.sampled_from(["", "Qualifier=%ZZ", "MaxItems=abc", "Marker"])), headers, draw(json_body(operation)))
    http = operation.http
    path = http["requestUri"].split("?")[0].replace("{Bucket}", "bucket").replace("{Key+}", draw(st.sampled_from(["k", "a/../b", "%00", "%C3%28"])))
    query = http["requestUri"].partition("?")[2]
    headers.update({"content-md5": draw(junk_text.map(lambda t: t.encode("latin-1", "replace").decode("latin-1"))),
                    "x-amz-object-lock-retain-until-date": "not-a-date", "content-length": "12"})
    return HttpRequest(http["method"], path, query, headers, draw(xml_body(operation)))


@pytest.mark.parametrize("protocol", list(TARGETS))
@settings(max_examples=EXAMPLES, deadline=2000, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_malformed_requests_get_4xx_aws_errors(protocol, data):
    service, operations = TARGETS[protocol]
    model = service_model(service)
    operation = model.operation_model(data.draw(st.sampled_from(operations)))
    request = build_request(protocol, service, operation, data.draw)
    wire = get_protocol(protocol)
    try:
        found = wire.find_operation(model, request)
        wire.parse_request(found, request)
    except AwsError as error:
        assert 400 <= error.status < 500, f"{error!r} is not a client error"
        assert error.code and isinstance(error.message, str)
