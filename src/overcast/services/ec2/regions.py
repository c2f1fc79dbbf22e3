"""DescribeRegions and DescribeAvailabilityZones, from botocore's own endpoint data."""

from __future__ import annotations

from functools import lru_cache

from overcast.context import RequestContext
from overcast.services.ec2.errors import dry_run, invalid_value
from overcast.services.ec2.filters import compile_filters

# Regions that an AWS account must opt in to (the others are enabled for every account).
OPT_IN_REGIONS = frozenset({
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1",
})
# Zones per region where it is not three (us-east-1 has six, us-west-1 two).
ZONE_LETTERS = {"us-east-1": "abcdef", "us-west-1": "ab", "ap-northeast-1": "acd", "us-west-2": "abcd",
                "ap-northeast-2": "abcd"}
_DIRECTIONS = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c", "northeast": "ne",
               "northwest": "nw", "southeast": "se", "southwest": "sw"}


@lru_cache(maxsize=1)
def all_regions() -> tuple[str, ...]:
    """The commercial partition's EC2 regions, as botocore knows them."""
    import botocore.session

    return tuple(sorted(botocore.session.get_session().get_available_regions("ec2")))


def zone_id_prefix(region: str) -> str:
    """``us-east-1`` -> ``use1``, ``ap-southeast-2`` -> ``apse2`` (the AZ id form)."""
    parts = region.split("-")
    return parts[0] + "".join(_DIRECTIONS.get(part, part[:1]) for part in parts[1:-1]) + parts[-1]


def zones(region: str) -> list[dict]:
    """The availability zones of ``region`` as DescribeAvailabilityZones lists them."""
    letters = ZONE_LETTERS.get(region, "abc")
    opt_in = "opted-in" if region in OPT_IN_REGIONS else "opt-in-not-required"
    return [
        {
            "State": "available",
            "OptInStatus": opt_in,
            "Messages": [],
            "RegionName": region,
            "ZoneName": f"{region}{letter}",
            "ZoneId": f"{zone_id_prefix(region)}-az{index + 1}",
            "GroupName": region,
            "NetworkBorderGroup": region,
            "ZoneType": "availability-zone",
            "GroupLongName": region,
        }
        for index, letter in enumerate(letters)
    ]


def zone_names(region: str) -> list[str]:
    return [zone["ZoneName"] for zone in zones(region)]


def invalid_zone(name: str):
    return invalid_value(f"Invalid availability zone: [{name}]")


class RegionOperations:
    """DescribeRegions, DescribeAvailabilityZones (every region is enabled locally)."""

    def describe_regions(self, ctx: RequestContext, params: dict) -> dict:
        names = params.get("RegionNames") or []
        known = all_regions()
        for name in names:
            if name not in known:
                raise invalid_value(f"Invalid region name: {name}")
        matches = compile_filters(params.get("Filters"), {
            "region-name": lambda r: [r["RegionName"]],
            "endpoint": lambda r: [r["Endpoint"]],
            "opt-in-status": lambda r: [r["OptInStatus"]],
        })
        if params.get("DryRun"):
            raise dry_run()
        regions = [
            {
                "RegionName": name,
                "Endpoint": f"ec2.{name}.amazonaws.com",
                "OptInStatus": "opted-in" if name in OPT_IN_REGIONS else "opt-in-not-required",
            }
            for name in known
            if not names or name in names
        ]
        return {"Regions": [region for region in regions if matches(region)]}

    def describe_availability_zones(self, ctx: RequestContext, params: dict) -> dict:
        listed = zones(ctx.region)
        by_name = {zone["ZoneName"]: zone for zone in listed}
        by_id = {zone["ZoneId"]: zone for zone in listed}
        for name in params.get("ZoneNames") or []:
            if name not in by_name:
                raise invalid_zone(name)
        for zone_id in params.get("ZoneIds") or []:
            if zone_id not in by_id:
                raise invalid_value(f"Invalid availability zone ID: [{zone_id}]")
        matches = compile_filters(params.get("Filters"), {
            "zone-name": lambda z: [z["ZoneName"]],
            "zone-id": lambda z: [z["ZoneId"]],
            "region-name": lambda z: [z["RegionName"]],
            "state": lambda z: [z["State"]],
            "zone-type": lambda z: [z["ZoneType"]],
            "group-name": lambda z: [z["GroupName"]],
            "opt-in-status": lambda z: [z["OptInStatus"]],
            "network-border-group": lambda z: [z["NetworkBorderGroup"]],
        })
        if params.get("DryRun"):
            raise dry_run()
        wanted_names = set(params.get("ZoneNames") or ())
        wanted_ids = set(params.get("ZoneIds") or ())
        selected = [
            zone for zone in listed
            if (not wanted_names and not wanted_ids) or zone["ZoneName"] in wanted_names or zone["ZoneId"] in wanted_ids
        ]
        return {"AvailabilityZones": [zone for zone in selected if matches(zone)]}
