"""The rest-json oracle: every operation of every rest-json service in botocore round-trips.

Requests: botocore's serializer -> our routing and parser. Responses: our serializer ->
botocore's parser. Errors: every modelled error shape, our serializer -> botocore's parser.
``OVERCAST_ORACLE_DEPTH`` sets the examples per operation (1 by default).
"""

from __future__ import annotations

import pytest

from oracle_support import services_speaking
from rest_oracle import RestOracle

from overcast.protocols import get_protocol
from overcast.protocols.models import service_model

PROTOCOL = "rest-json"
SERVICES = services_speaking(PROTOCOL)

# Operations a request cannot be routed to, because another operation has the very same
# method, URI template, query literals and required members: the wire cannot tell them apart.
INDISTINGUISHABLE: dict[str, str] = {}


def oracle() -> RestOracle:
    return RestOracle(get_protocol(PROTOCOL), PROTOCOL, skip_requests=INDISTINGUISHABLE)


@pytest.mark.parametrize("service", SERVICES)
def test_service_round_trips_through_botocore(service):
    report = oracle().run(service_model(service))
    assert not report.failures, report.summary()


if __name__ == "__main__":  # python tests/protocols/test_oracle_rest_json.py: per-service counts
    import sys

    totals = [0, 0, 0, 0]
    for name in sys.argv[1:] or SERVICES:
        report = oracle().run(service_model(name))
        totals[0] += 1
        totals[1] += not report.failures
        totals[2] += report.operations
        totals[3] += report.passed
        if report.failures or report.skipped:
            print(report.summary(), *report.skipped, sep="\n  ")
    print(f"{PROTOCOL}: {totals[1]}/{totals[0]} services, {totals[3]}/{totals[2]} operations pass")
