"""Hypothesis-driven oracle runs on operations whose shapes are the richest of each RPC protocol
(recursive DynamoDB attribute values, SQS message attributes, CloudWatch metric data, EC2
filters): hypothesis draws the generator's choices, so a failure shrinks to a small input.
``OVERCAST_ORACLE_DEPTH`` scales the number of examples."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oracle_support import ORACLE_DEPTH, check_request, check_response, shape_values
from overcast.protocols import get_protocol
from overcast.protocols.models import service_model
from overcast.protocols.query_compat import query_model

import test_oracle_cbor
import test_oracle_ec2
import test_oracle_json
import test_oracle_query

CASES = [
    ("json", "dynamodb", "PutItem", test_oracle_json),
    ("json", "dynamodb", "Query", test_oracle_json),
    ("json", "sqs", "SendMessageBatch", test_oracle_json),
    ("smithy-rpc-v2-cbor", "cloudwatch", "PutMetricData", test_oracle_cbor),
    ("smithy-rpc-v2-cbor", "cloudwatch", "GetMetricData", test_oracle_cbor),
    ("query", "sqs-legacy", "ReceiveMessage", test_oracle_query),
    ("query", "sqs-legacy", "SendMessageBatch", test_oracle_query),
    ("query", "cloudwatch", "PutMetricAlarm", test_oracle_query),
    ("ec2", "ec2", "DescribeInstances", test_oracle_ec2),
]


def _operation(service: str, name: str):
    model = query_model(service_model("sqs")) if service == "sqs-legacy" else service_model(service)
    return model.operation_model(name)


@pytest.mark.parametrize("protocol, service, name, rules", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
@settings(max_examples=15 * ORACLE_DEPTH, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_round_trips_under_hypothesis(protocol, service, name, rules, data):
    operation = _operation(service, name)
    wire = get_protocol(protocol)
    params = data.draw(shape_values(operation.input_shape, max_depth=5), label="params")
    assert check_request(wire, protocol, operation, params, rules.REQUEST) is None
    if operation.output_shape is not None:
        result = data.draw(shape_values(operation.output_shape, max_depth=5), label="result")
        assert check_response(wire, protocol, operation, result, rules.RESPONSE) is None
