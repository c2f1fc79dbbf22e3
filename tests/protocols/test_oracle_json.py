"""Oracle: every operation of every service listing the ``json`` protocol round-trips through
botocore's JSON serializer/parser and ours (see oracle_support for the rules)."""

from __future__ import annotations

import pytest

from oracle_support import (
    MICROS,
    MILLIS,
    SECONDS,
    Normalizer,
    has_event_stream_output,
    run_service_oracle,
    services_speaking,
)
from overcast.protocols import get_protocol
from overcast.protocols.models import service_model

PROTOCOL = "json"


def request_precision(shape):
    # botocore's default precision: whole epoch seconds, microseconds in iso8601, seconds in rfc822
    fmt = (shape.serialization.get("timestampFormat") or "unixtimestamp").lower()
    return MICROS if fmt == "iso8601" else SECONDS


def response_precision(shape):
    # ours: milliseconds in epoch numbers and iso8601, seconds in rfc822
    fmt = (shape.serialization.get("timestampFormat") or "unixtimestamp").lower()
    return SECONDS if fmt == "rfc822" else MILLIS


REQUEST = Normalizer(timestamp_precision=request_precision)
RESPONSE = Normalizer(timestamp_precision=response_precision)


def skip_response(operation):
    if has_event_stream_output(operation):
        return "event stream output: framed by the event stream encoder, covered by its own tests"
    return None


@pytest.mark.parametrize("service", services_speaking(PROTOCOL))
def test_json_oracle(service):
    report = run_service_oracle(
        get_protocol(PROTOCOL),
        PROTOCOL,
        service_model(service),
        request_normalizer=REQUEST,
        response_normalizer=RESPONSE,
        skip_response=skip_response,
    )
    assert not report.failures, report.summary()
