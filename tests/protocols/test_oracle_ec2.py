"""Oracle: every EC2 operation round-trips through botocore's ec2 serializer/parser and ours
(see oracle_support for the rules)."""

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

PROTOCOL = "ec2"


def request_precision(shape):
    fmt = (shape.serialization.get("timestampFormat") or "iso8601").lower()
    return MICROS if fmt == "iso8601" else SECONDS


def response_precision(shape):
    fmt = (shape.serialization.get("timestampFormat") or "iso8601").lower()
    return SECONDS if fmt == "rfc822" else MILLIS


# botocore's ec2 serializer writes nothing for an empty structure, map or list
REQUEST = Normalizer(
    timestamp_precision=request_precision, drop_empty_structures=True, drop_empty_maps=True, drop_empty_lists=True
)
RESPONSE = Normalizer(timestamp_precision=response_precision, drop_empty_flattened=True)


@pytest.mark.parametrize("service", services_speaking(PROTOCOL))
def test_ec2_oracle(service):
    report = run_service_oracle(
        get_protocol(PROTOCOL), PROTOCOL, service_model(service), request_normalizer=REQUEST,
        response_normalizer=RESPONSE, error_envelope=XML_ENVELOPE_MEMBERS,
    )
    assert not report.failures, report.summary()
