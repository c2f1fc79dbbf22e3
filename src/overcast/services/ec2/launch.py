"""RunInstances: validate a launch as EC2 does, then record the instances (no VMs run)."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.ec2 import instance_view
from overcast.services.ec2.errors import Ec2Error, dry_run, invalid_value, missing_parameter
from overcast.services.ec2.ids import IMAGE_ID, new_id, new_mac, new_private_ip, stable_id
from overcast.services.ec2.instance_store import TRANSITION_SECONDS, InstanceRow
from overcast.services.ec2.regions import invalid_zone, zone_names
from overcast.services.ec2.tags import MAX_TAGS, tag_limit_exceeded, validate_tags

# EC2: "User data is limited to 16 KB, in raw form, before it is base64-encoded."
MAX_USER_DATA = 16 * 1024
# Instances one RunInstances may launch here (EC2's bound is the account's vCPU quota).
MAX_INSTANCES = 1000
DEFAULT_INSTANCE_TYPE = "m1.small"  # EC2's default when InstanceType is omitted
# TagSpecifications resource types RunInstances accepts.
LAUNCH_TAG_TYPES = ("instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu")


@lru_cache(maxsize=1)
def instance_types() -> frozenset[str]:
    from overcast.protocols.models import service_model

    return frozenset(service_model("ec2").shape_for("InstanceType").enum)


def default_vpc(account: str, region: str) -> str:
    return stable_id("vpc", account, region)


def default_subnet(account: str, region: str, zone: str) -> str:
    return stable_id("subnet", account, region, zone)


class LaunchOperations:
    """RunInstances."""

    async def run_instances(self, ctx: RequestContext, params: dict) -> dict:
        image_id = params.get("ImageId")
        if not image_id:
            raise missing_parameter("ImageId")
        if not IMAGE_ID.match(image_id):
            raise Ec2Error("InvalidAMIID.Malformed", f'Invalid id: "{image_id}" (expecting "ami-...")')
        instance_type = params.get("InstanceType") or DEFAULT_INSTANCE_TYPE
        if instance_type not in instance_types():
            raise invalid_value(f"Invalid value '{instance_type}' for InstanceType.")
        min_count, max_count = params.get("MinCount"), params.get("MaxCount")
        if min_count is None:
            raise missing_parameter("MinCount")
        if max_count is None:
            raise missing_parameter("MaxCount")
        if max_count < 1:  # EC2's own wording
            raise invalid_value("Maximum instance count must be greater than zero")
        if min_count < 1:
            raise invalid_value("Minimum instance count must be greater than zero")
        if max_count < min_count:
            raise invalid_value("Minimum instance count must be less than or equal to maximum instance count")
        if min_count > MAX_INSTANCES:
            raise Ec2Error("InstanceLimitExceeded", f"You have requested more instances ({min_count}) than your "
                           f"current instance limit of {MAX_INSTANCES} allows for the specified instance type.")
        count = min(max_count, MAX_INSTANCES)
        user_data = self._user_data(params.get("UserData"))
        zone, subnet_id = self._placement(ctx, params)
        tags = self._launch_tags(params.get("TagSpecifications") or [])
        profile = await self._profile(ctx, params.get("IamInstanceProfile"))
        http_tokens = (params.get("MetadataOptions") or {}).get("HttpTokens") or "optional"
        if http_tokens not in ("optional", "required"):
            raise invalid_value(f"Invalid value '{http_tokens}' for HttpTokens.")
        if params.get("DryRun"):
            raise dry_run()
        token = params.get("ClientToken") or ""
        if token:  # EC2: a retried launch with the same client token returns the first one
            earlier = self.instances.by_client_token(ctx.account, ctx.region, token)
            if earlier:
                return self._reservation(ctx, earlier)

        now = self.clock.now()
        reservation_id = new_id("r")
        taken = self.instances.private_ips(ctx.account, ctx.region)
        seq = self.instances.next_seq()
        rows = []
        for index in range(count):
            ip = new_private_ip(taken)
            taken.add(ip)
            rows.append(InstanceRow(
                instance_id=new_id("i"), account=ctx.account, region=ctx.region, seq=seq, reservation_id=reservation_id,
                launch_index=index, image_id=image_id, instance_type=instance_type, state="pending",
                state_due=now + TRANSITION_SECONDS, state_reason="pending", transition_reason="", launch_time=now,
                key_name=params.get("KeyName"),
                user_data=user_data, zone=zone, subnet_id=subnet_id, vpc_id=default_vpc(ctx.account, ctx.region),
                private_ip=ip, mac=new_mac(), profile_arn=profile[0] if profile else None,
                profile_id=profile[1] if profile else None, profile_name=profile[2] if profile else None,
                client_token=token, http_tokens=http_tokens,
            ))
        with self.db.transaction():
            self.instances.insert(rows)  # pending now; running once the transition falls due
            for row in rows:
                if tags:
                    self.tags.put(ctx.account, ctx.region, row.instance_id, tags)
        return self._reservation(ctx, rows)

    def _reservation(self, ctx: RequestContext, rows: list[InstanceRow]) -> dict:
        tags = self.tags.of_many([row.instance_id for row in rows])
        return {
            "ReservationId": rows[0].reservation_id,
            "OwnerId": ctx.account,
            "Groups": [],
            "Instances": [instance_view.instance(row, tags[row.instance_id]) for row in rows],
        }

    @staticmethod
    def _user_data(encoded: str | None) -> bytes | None:
        if encoded is None:
            return None
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise invalid_value("Invalid BASE64 encoding of user data.") from None
        if len(raw) > MAX_USER_DATA:
            raise invalid_value(f"User data is limited to {MAX_USER_DATA} bytes")
        return raw

    def _placement(self, ctx: RequestContext, params: dict) -> tuple[str, str]:
        zones = zone_names(ctx.region)
        zone = (params.get("Placement") or {}).get("AvailabilityZone")
        if zone and zone not in zones:
            raise invalid_zone(zone)
        subnet_id = params.get("SubnetId")
        if subnet_id:
            by_subnet = {default_subnet(ctx.account, ctx.region, name): name for name in zones}
            if subnet_id not in by_subnet:
                raise Ec2Error("InvalidSubnetID.NotFound", f"The subnet ID '{subnet_id}' does not exist")
            if zone and by_subnet[subnet_id] != zone:
                raise invalid_value(f"Value ({zone}) for parameter availabilityZone is invalid. "
                                    f"Subnet '{subnet_id}' is in the availability zone {by_subnet[subnet_id]}")
            zone = by_subnet[subnet_id]
        zone = zone or zones[0]
        return zone, default_subnet(ctx.account, ctx.region, zone)

    @staticmethod
    def _launch_tags(specs: list[dict]) -> list[tuple[str, str]]:
        """The instance tags of ``TagSpecifications`` (other types are checked, then not kept:
        Overcast records no volumes or network interfaces)."""
        out: dict[str, str] = {}
        for spec in specs:
            resource_type = spec.get("ResourceType")
            if resource_type not in LAUNCH_TAG_TYPES:
                raise invalid_value(f"'{resource_type}' is not a valid taggable resource type for this operation.")
            pairs = validate_tags(spec.get("Tags") or [])
            if resource_type == "instance":
                out.update(pairs)
        if len(out) > MAX_TAGS:
            raise tag_limit_exceeded()
        return list(out.items())

    async def _profile(self, ctx: RequestContext, spec: dict | None) -> tuple[str, str, str] | None:
        """(arn, id, name) of the instance profile named by ``IamInstanceProfile`` (Arn or Name)."""
        if not spec or not (spec.get("Arn") or spec.get("Name")):
            return None
        by_arn = bool(spec.get("Arn"))
        given = spec.get("Arn") or spec.get("Name")
        if by_arn:
            error = invalid_value(f"Value ({given}) for parameter iamInstanceProfile.arn is invalid. "
                                  f"Invalid IAM Instance Profile ARN")
        else:
            error = invalid_value(f"Value ({given}) for parameter iamInstanceProfile.name is invalid. "
                                  f"Invalid IAM Instance Profile name")
        parts = given.split(":")
        if by_arn and (len(parts) != 6 or parts[:3] != ["arn", "aws", "iam"] or parts[4] != ctx.account
                       or not parts[5].startswith("instance-profile/")):
            raise error
        name = given.rsplit("/", 1)[-1]
        try:
            roles = self.cloud.services.provider("iam").instance_profile_roles(ctx.account, given)
            found = await ctx.services.call("iam", "GetInstanceProfile", {"InstanceProfileName": name})
        except AwsError:
            raise error from None
        if roles is None:
            raise error
        record = found.get("InstanceProfile") or {}
        if by_arn and record.get("Arn") != given:  # same name under another path
            raise error
        return record.get("Arn") or given, record.get("InstanceProfileId", ""), name
