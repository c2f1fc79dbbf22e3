"""Oracle: every operation of every service listing ``smithy-rpc-v2-cbor`` round-trips through
botocore's RPCv2 CBOR serializer/parser and ours (see oracle_support for the rules)."""

from __future__ import annotations

import pytest

from oracle_support import MILLIS, SECONDS, Normalizer, has_event_stream_output, run_service_oracle, services_speaking
from overcast.protocols import get_protocol
from overcast.protocols.models import service_model

PROTOCOL = "smithy-rpc-v2-cbor"

# botocore's cbor serializer sends whole epoch seconds (tag 1, default precision); ours
# answer milliseconds
REQUEST = Normalizer(timestamp_precision=lambda shape: SECONDS)
RESPONSE = Normalizer(timestamp_precision=lambda shape: MILLIS)


def skip_response(operation):
    if has_event_stream_output(operation):
        return "event stream output: framed by the event stream encoder, covered by its own tests"
    return None


@pytest.mark.parametrize("service", services_speaking(PROTOCOL))
def test_cbor_oracle(service):
    report = run_service_oracle(
        get_protocol(PROTOCOL),
        PROTOCOL,
        service_model(service),
        request_normalizer=REQUEST,
        response_normalizer=RESPONSE,
        skip_response=skip_response,
    )
    assert not report.failures, report.summary()
