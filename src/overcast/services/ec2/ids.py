"""EC2 resource ids (``i-`` + 17 hex digits...), private addresses and DNS names."""

from __future__ import annotations

import hashlib
import re
import secrets

# EC2 ids: a prefix, a dash, then 8 (older resources) or 17 lower-case hex digits.
_ID = re.compile(r"^(?P<prefix>[a-z]+(?:-[a-z]+)*)-(?P<hex>[0-9a-f]{8}|[0-9a-f]{17})$")
INSTANCE_ID = re.compile(r"^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
IMAGE_ID = re.compile(r"^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
SUBNET_ID = re.compile(r"^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$")

# What each id prefix names, as DescribeTags' resource-type reports it.
RESOURCE_TYPES = {
    "i": "instance",
    "ami": "image",
    "vpc": "vpc",
    "subnet": "subnet",
    "sg": "security-group",
    "vol": "volume",
    "snap": "snapshot",
    "eni": "network-interface",
    "igw": "internet-gateway",
    "rtb": "route-table",
    "acl": "network-acl",
    "eipalloc": "elastic-ip",
    "key": "key-pair",
    "lt": "launch-template",
    "r": "reservation",
}

DEFAULT_INSTANCE_ID = "i-" + "0" * 17  # who IMDS answers as when no instance runs


def new_id(prefix: str) -> str:
    """``prefix-`` followed by 17 random hex digits, as EC2 makes ids today."""
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


def id_prefix(resource_id: str) -> str | None:
    """The prefix of a well-formed EC2 id (``i``, ``vpc``...), or None."""
    found = _ID.match(resource_id)
    return found.group("prefix") if found else None


def stable_id(prefix: str, *parts: str) -> str:
    """A fixed id derived from ``parts`` (the default VPC and subnets of an account's region)."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{prefix}-{digest[:17]}"


def new_private_ip(taken: set[str]) -> str:
    """A free address in 10.0.0.0/16 (.0-.3 and .255 of a /24 are reserved by the VPC)."""
    while True:
        address = f"10.0.{secrets.randbelow(256)}.{4 + secrets.randbelow(251)}"
        if address not in taken:
            return address


def new_mac() -> str:
    """A locally administered unicast MAC, like the ``0e:..`` ones EC2 gives ENIs."""
    octets = [0x0E] + [secrets.randbelow(256) for _ in range(5)]
    return ":".join(f"{octet:02x}" for octet in octets)


def private_dns_name(private_ip: str, region: str) -> str:
    """``ip-10-0-1-5.ec2.internal`` in us-east-1, ``ip-10-0-1-5.<region>.compute.internal`` elsewhere."""
    host = "ip-" + private_ip.replace(".", "-")
    return f"{host}.ec2.internal" if region == "us-east-1" else f"{host}.{region}.compute.internal"
