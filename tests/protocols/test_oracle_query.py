"""Oracle: every operation of every service listing the ``query`` protocol round-trips through
botocore's query serializer/parser and ours; and SQS, json-first today, through the query
traits older SDKs were built with (see oracle_support for the rules)."""

from __future__ import annotations

import pytest

from oracle_support import (
    MICROS,
    MILLIS,
    SECONDS,
    XML_ENVELOPE_MEMBERS,
    Normalizer,
    run_service_oracle,
    services_speaking,
)
from overcast.protocols import get_protocol
from overcast.protocols.models import service_model
from overcast.protocols.query_compat import query_model

PROTOCOL = "query"


def request_precision(shape):
    # botocore's default precision: microseconds in iso8601 (the query default), seconds otherwise
    fmt = (shape.serialization.get("timestampFormat") or "iso8601").lower()
    return MICROS if fmt == "iso8601" else SECONDS


def response_precision(shape):
    fmt = (shape.serialization.get("timestampFormat") or "iso8601").lower()
    return SECONDS if fmt == "rfc822" else MILLIS


# botocore's query serializer writes nothing for an empty structure or map (but ``Name=`` for
# an empty list); an empty flattened list or map has no XML element to parse back
REQUEST = Normalizer(timestamp_precision=request_precision, drop_empty_structures=True, drop_empty_maps=True)
RESPONSE = Normalizer(timestamp_precision=response_precision, drop_empty_flattened=True)


@pytest.mark.parametrize("service", services_speaking(PROTOCOL))
def test_query_oracle(service):
    report = run_service_oracle(
        get_protocol(PROTOCOL), PROTOCOL, service_model(service), request_normalizer=REQUEST, response_normalizer=RESPONSE,
        error_envelope=XML_ENVELOPE_MEMBERS,
    )
    assert not report.failures, report.summary()


def test_sqs_over_query_with_the_legacy_sdk_traits():
    # an older SDK's SQS model: today's shapes with the query traits it had (query_compat)
    report = run_service_oracle(
        get_protocol(PROTOCOL), PROTOCOL, query_model(service_model("sqs")), request_normalizer=REQUEST,
        response_normalizer=RESPONSE, error_envelope=XML_ENVELOPE_MEMBERS,
    )
    assert not report.failures, report.summary()
