"""``POST /_overcast/imds``: choose whom the metadata endpoint answers as.

- ``{"instance_id": "i-..."}``: that recorded instance (any account or region);
- ``{"instance_profile": "name-or-arn", "account": "123456789012"}``: no instance, the default
  identity with that instance profile (``account`` defaults to the default account);
- ``{}``: back to the default (the most recently launched running instance).

``GET /_overcast/imds`` tells the choice and the identity served.
"""

from __future__ import annotations

import re

from overcast.config import DEFAULT_ACCOUNT
from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.imds.identity import served_identity


class ChoiceError(ValueError):
    """The body names nothing IMDS can serve as (answered 400)."""


async def choose(cloud, payload: dict) -> dict:
    ec2 = cloud.services.provider("ec2")
    unknown = set(payload) - {"instance_id", "instance_profile", "account"}
    if unknown:
        raise ChoiceError(f"unknown members: {', '.join(sorted(unknown))}")
    if payload.get("instance_id"):
        instance_id = payload["instance_id"]
        if not isinstance(instance_id, str) or ec2.instances.one(instance_id) is None:
            raise ChoiceError(f"no instance {instance_id!r} is recorded")
        ec2.choose_for_imds({"instance_id": instance_id})
    elif payload.get("instance_profile"):
        account = payload.get("account") or DEFAULT_ACCOUNT
        if not isinstance(account, str) or not re.fullmatch(r"\d{12}", account):
            raise ChoiceError("account must be a 12-digit account id")
        arn, profile_id = await _profile(cloud, account, str(payload["instance_profile"]))
        ec2.choose_for_imds({"instance_profile": arn.rsplit("/", 1)[-1], "account": account,
                             "profile_arn": arn, "profile_id": profile_id})
    else:
        ec2.choose_for_imds({})
    return describe(cloud)


def describe(cloud) -> dict:
    identity = served_identity(cloud)
    return {
        "choice": cloud.services.provider("ec2").imds_choice(),
        "instance_id": identity.instance_id,
        "account": identity.account,
        "instance_profile_arn": identity.profile_arn,
    }


async def _profile(cloud, account: str, name_or_arn: str) -> tuple[str, str]:
    """(ARN, id) of an instance profile, read through IAM's own GetInstanceProfile."""
    name = name_or_arn.rsplit("/", 1)[-1]
    ctx = RequestContext(account=account, region=cloud.settings.region, service="ec2", registry=cloud.services)
    try:
        found = await ctx.services.call("iam", "GetInstanceProfile", {"InstanceProfileName": name})
    except AwsError as error:
        raise ChoiceError(f"no instance profile {name_or_arn!r} in account {account}: {error.message}") from None
    profile = found["InstanceProfile"]
    if name_or_arn.startswith("arn:") and profile["Arn"] != name_or_arn:
        raise ChoiceError(f"no instance profile {name_or_arn!r} in account {account}")
    return profile["Arn"], profile["InstanceProfileId"]
