"""Whom the metadata endpoint answers as: a recorded EC2 instance or a built-in default one.

The chosen instance (``POST /_overcast/imds {"instance_id": ...}``), else the most recently
launched running instance, else a default identity (``i-00000000000000000``) that has an
instance profile only when one was chosen (``{"instance_profile": "name"}``).
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.config import DEFAULT_ACCOUNT
from overcast.services.ec2.ids import DEFAULT_INSTANCE_ID, private_dns_name


@dataclass
class Identity:
    instance_id: str
    account: str
    region: str
    zone: str
    zone_id: str
    image_id: str
    instance_type: str
    private_ip: str
    mac: str
    reservation_id: str
    launch_index: int
    pending_time: float
    user_data: bytes | None
    profile_arn: str | None
    profile_id: str | None
    http_tokens: str  # "required": this instance refuses IMDSv1 requests

    @property
    def hostname(self) -> str:
        return private_dns_name(self.private_ip, self.region)


def served_identity(cloud) -> Identity:
    """The identity IMDS answers as right now."""
    from overcast.services.ec2.regions import zone_id_prefix, zone_names

    ec2 = cloud.services.provider("ec2")
    row = ec2.imds_instance()
    if row is not None:
        zone_index = zone_names(row.region).index(row.zone) if row.zone in zone_names(row.region) else 0
        return Identity(
            instance_id=row.instance_id, account=row.account, region=row.region, zone=row.zone,
            zone_id=f"{zone_id_prefix(row.region)}-az{zone_index + 1}", image_id=row.image_id,
            instance_type=row.instance_type, private_ip=row.private_ip, mac=row.mac,
            reservation_id=row.reservation_id, launch_index=row.launch_index, pending_time=row.launch_time,
            user_data=row.user_data, profile_arn=row.profile_arn, profile_id=row.profile_id,
            http_tokens=row.http_tokens,
        )
    choice = ec2.imds_choice()
    region = cloud.settings.region
    return Identity(
        instance_id=DEFAULT_INSTANCE_ID, account=choice.get("account") or DEFAULT_ACCOUNT, region=region,
        zone=zone_names(region)[0], zone_id=f"{zone_id_prefix(region)}-az1", image_id="ami-" + "0" * 17,
        instance_type="t3.micro", private_ip="10.0.0.10", mac="0e:00:00:00:00:01",
        reservation_id="r-" + "0" * 17, launch_index=0, pending_time=cloud.started_at, user_data=None,
        profile_arn=choice.get("profile_arn"), profile_id=choice.get("profile_id"), http_tokens="optional",
    )
