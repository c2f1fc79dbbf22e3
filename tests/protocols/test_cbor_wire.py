"""smithy-rpc-v2-cbor specifics: path routing, tag 1 timestamps, byte strings, errors."""

from __future__ import annotations

import datetime

import cbor2
import pytest

from overcast.errors import AwsError
from overcast.protocols import HttpRequest, get_protocol
from overcast.protocols.models import service_model

from oracle_support import RequestIdContext, botocore_parse_error

CBOR = get_protocol("smithy-rpc-v2-cbor")
HEADERS = {"smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", "accept": "application/cbor"}
PREFIX = "/service/GraniteServiceVersion20100801/operation/"
UTC = datetime.timezone.utc


def request(operation: str, body: bytes) -> HttpRequest:
    return HttpRequest("POST", PREFIX + operation, "", dict(HEADERS), body)


def test_path_routing_and_unknown_operation():
    model = service_model("cloudwatch")
    assert CBOR.find_operation(model, request("ListDashboards", b"")).name == "ListDashboards"
    for path in ("/service/GraniteServiceVersion20100801/operation/Nope", "/service/Other/operation/ListDashboards", "/"):
        with pytest.raises(AwsError) as caught:
            CBOR.find_operation(model, HttpRequest("POST", path, "", dict(HEADERS), b""))
        assert caught.value.code == "UnknownOperationException"


def test_timestamps_blobs_and_floats_are_read_natively():
    model = service_model("cloudwatch")
    body = cbor2.dumps({
        "Namespace": "App",
        "MetricData": [{"MetricName": "m", "Value": 1.5, "Timestamp": cbor2.CBORTag(1, 1700000000),
                        "Values": [float("inf")]}],
    })
    operation = CBOR.find_operation(model, request("PutMetricData", body))
    params = CBOR.parse_request(operation, request("PutMetricData", body))
    datum = params["MetricData"][0]
    assert datum["Timestamp"] == datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert datum["Value"] == 1.5 and datum["Values"] == [float("inf")]


@pytest.mark.parametrize("body", [b"\xff\x00garbage", cbor2.dumps([1, 2]), cbor2.dumps({"Namespace": 7}),
                                  cbor2.dumps({"Namespace": "n", "MetricData": [{"Timestamp": "soon"}]}), b"\x9f" * 100000])
def test_bad_bodies_are_serialization_exceptions(body):
    operation = service_model("cloudwatch").operation_model("PutMetricData")
    with pytest.raises(AwsError) as caught:
        CBOR.parse_request(operation, request("PutMetricData", body))
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)


def test_response_is_cbor_with_tag1_timestamps():
    model = service_model("cloudwatch")
    when = datetime.datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)
    response = CBOR.serialize_response(model.operation_model("GetMetricData"), {
        "MetricDataResults": [{"Id": "a", "Timestamps": [when], "Values": [2.0]}]}, RequestIdContext("r-1"))
    assert response.headers["content-type"] == "application/cbor"
    assert response.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert response.headers["x-amzn-requestid"] == "r-1"
    assert b"\xc1\xfb" in response.body  # tag 1 (epoch time) on a double: milliseconds carried
    assert cbor2.loads(response.body)["MetricDataResults"][0]["Timestamps"] == [when]


def test_errors_as_botocore_reads_them():
    model = service_model("cloudwatch")
    operation = model.operation_model("GetDashboard")
    response = CBOR.serialize_error(model, operation, AwsError("DashboardNotFoundError", "missing"), RequestIdContext())
    assert response.status == 404
    assert response.headers["x-amzn-query-error"] == "ResourceNotFound;Sender"
    assert cbor2.loads(response.body) == {"__type": "DashboardNotFoundError", "message": "missing"}
    parsed = botocore_parse_error("smithy-rpc-v2-cbor", response, operation)
    assert parsed["Error"]["Code"] == "ResourceNotFound" and parsed["Error"]["Message"] == "missing"
