"""The rest-xml oracle: every operation of S3, S3 Control, Route 53 and CloudFront round-trips.

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

PROTOCOL = "rest-xml"
SERVICES = services_speaking(PROTOCOL)

# Requests that are, on the wire, the request of another operation: same method, URI template,
# query literals and required members. S3 answers them as that operation.
SAME_REQUEST_AS = {
    # deprecated operations, superseded by the *Configuration one on the same subresource
    "s3.GetBucketLifecycle": "GetBucketLifecycleConfiguration",
    "s3.PutBucketLifecycle": "PutBucketLifecycleConfiguration",
    "s3.GetBucketNotification": "GetBucketNotificationConfiguration",
    "s3.PutBucketNotification": "PutBucketNotificationConfiguration",
    # directory buckets are listed at the S3 Express zonal endpoint; on a general endpoint
    # GET / without a directory-bucket parameter is ListBuckets
    "s3.ListDirectoryBuckets": "ListBuckets",
}


# The deprecated notification API maps two members (``Event``, a string, and ``Events``, a
# flattened list named ``Event``) to the same <Event> element: no XML can say which is meant.
AMBIGUOUS_MODEL = "two members (Event, Events) share the <Event> element in the deprecated notification API"
SKIP_REQUESTS = {"s3.PutBucketNotification": AMBIGUOUS_MODEL}
SKIP_RESPONSES = {"s3.GetBucketNotification": AMBIGUOUS_MODEL}


def check_get_bucket_location(protocol, protocol_name, operation, result, normalizer):
    """GetBucketLocation: the region is the text of the root element, which botocore reads with
    its ``parse_get_bucket_location`` handler (the model cannot describe it)."""
    from botocore.handlers import parse_get_bucket_location

    from oracle_support import RequestIdContext, botocore_parse

    response = protocol.serialize_response(operation, result, RequestIdContext())
    parsed = botocore_parse(protocol_name, response, operation.output_shape)

    class Raw:  # what the handler reads: http_response.raw / .content
        raw = True
        content = response.body

    parse_get_bucket_location(parsed, Raw())
    want = result.get("LocationConstraint") or None
    return None if parsed.get("LocationConstraint") == want else f"LocationConstraint {parsed!r}, expected {want!r}"


def oracle() -> RestOracle:
    return RestOracle(
        get_protocol(PROTOCOL),
        PROTOCOL,
        route_aliases=SAME_REQUEST_AS,
        skip_requests=SKIP_REQUESTS,
        skip_responses=SKIP_RESPONSES,
        response_fixups={"s3.GetBucketLocation": check_get_bucket_location},
    )


@pytest.mark.parametrize("service", SERVICES)
def test_service_round_trips_through_botocore(service):
    report = oracle().run(service_model(service))
    assert not report.failures, report.summary()


if __name__ == "__main__":  # python tests/protocols/test_oracle_rest_xml.py: per-service counts
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
