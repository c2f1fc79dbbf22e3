"""The credential scope a SigV4 signature must name: the service's signing name and a region
the endpoint serves (strict mode).

AWS derives the signing key from ``date/region/service``, and each endpoint only accepts its
own service and region: SQS answers ``Credential should be scoped to correct service: 'sqs'. ``
to a request signed for ``s3``, and a regional endpoint ``Credential should be scoped to a
valid region, not 'xx-fake-9'. `` (the trailing space is AWS's). Overcast serves every region
on one port, so "the endpoint's region" is whatever real region the scope names; a service
without regions (IAM, Route 53, CloudFront...) answers only to its partition's global
region (``us-east-1`` in ``aws``), as its single global endpoint does. S3 decides the region
itself against the bucket's location (``services/s3``), after authentication.
"""

from __future__ import annotations

import functools

from overcast.auth.sigv4 import S3_SIGNING_NAMES


@functools.lru_cache(maxsize=1)
def _endpoint_data() -> dict:
    import botocore.loaders

    return botocore.loaders.create_loader().load_data("endpoints")


@functools.lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region botocore's endpoint data names, in every partition."""
    return frozenset(region for partition in _endpoint_data()["partitions"] for region in partition["regions"])


@functools.lru_cache(maxsize=512)
def global_region(endpoint_prefix: str, region: str) -> str | None:
    """The one region a global service's endpoint signs with in ``region``'s partition
    (IAM: ``us-east-1`` in ``aws``), or None when the service is regional."""
    for partition in _endpoint_data()["partitions"]:
        if region not in partition["regions"]:
            continue
        service = partition["services"].get(endpoint_prefix)
        if service is None or service.get("isRegionalized", True):
            return None
        endpoint = service.get("endpoints", {}).get(service.get("partitionEndpoint", ""), {})
        return endpoint.get("credentialScope", {}).get("region")
    return None


@functools.lru_cache(maxsize=512)
def _names(service: str) -> tuple[str, str]:
    """(signing name, endpoint prefix) of a botocore service."""
    from overcast.protocols.models import service_model

    metadata = service_model(service).metadata
    prefix = metadata.get("endpointPrefix") or service
    return metadata.get("signingName") or prefix, prefix


def scope_problem(info, service: str) -> tuple[str, str] | None:
    """``("service", expected)`` or ``("region", expected or "")`` when the signature's scope
    is not the routed service's; None when it is."""
    signing_name, prefix = _names(service)
    if info.service != signing_name and not (service == "s3" and info.service in S3_SIGNING_NAMES):
        return "service", signing_name
    if info.region not in known_regions():
        return "region", ""
    fixed = global_region(prefix, info.region)
    if fixed is not None and info.region != fixed:
        return "region", fixed
    return None
