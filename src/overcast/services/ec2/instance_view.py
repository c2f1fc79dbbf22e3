"""An instance row as EC2's ``Instance`` structure (DescribeInstances, RunInstances)."""

from __future__ import annotations

import time

from overcast.services.ec2.ids import private_dns_name, stable_id
from overcast.services.ec2.instance_store import STATE_CODES, InstanceRow

_REASON_MESSAGES = {
    "pending": "pending",
    "Client.UserInitiatedShutdown": "Client.UserInitiatedShutdown: User initiated shutdown",
}


def state(name: str) -> dict:
    return {"Code": STATE_CODES[name], "Name": name}


def user_initiated(now: float) -> str:
    """``User initiated (2024-05-01 12:00:00 GMT)``: the StateTransitionReason of a stop/terminate."""
    return f"User initiated ({time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(now))} GMT)"


def instance(row: InstanceRow, tags: dict[str, str]) -> dict:
    dns = private_dns_name(row.private_ip, row.region) if row.state != "terminated" else ""
    ip = row.private_ip if row.state != "terminated" else None
    out = {
        "InstanceId": row.instance_id,
        "ImageId": row.image_id,
        "State": state(row.state),
        "PrivateDnsName": dns,
        "PublicDnsName": "",
        "StateTransitionReason": row.transition_reason,
        "AmiLaunchIndex": row.launch_index,
        "ProductCodes": [],
        "InstanceType": row.instance_type,
        "LaunchTime": row.launch_time,
        "Placement": {"AvailabilityZone": row.zone, "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "disabled"},
        "Architecture": "x86_64",
        "BlockDeviceMappings": [],
        "ClientToken": row.client_token,
        "EbsOptimized": False,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": [],
        "VirtualizationType": "hvm",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": row.http_tokens,
            "HttpPutResponseHopLimit": 1,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
    }
    if row.state != "terminated":
        out.update(SubnetId=row.subnet_id, VpcId=row.vpc_id, PrivateIpAddress=ip, SourceDestCheck=True)
        out["NetworkInterfaces"] = [_interface(row, dns)]
    if row.key_name:
        out["KeyName"] = row.key_name
    if row.state_reason:
        message = _REASON_MESSAGES.get(row.state_reason, row.state_reason)
        out["StateReason"] = {"Code": row.state_reason, "Message": message}
    if row.profile_arn:
        out["IamInstanceProfile"] = {"Arn": row.profile_arn, "Id": row.profile_id or ""}
    if tags:
        out["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    return out


def _interface(row: InstanceRow, dns: str) -> dict:
    return {
        "Attachment": {
            "AttachTime": row.launch_time,
            "AttachmentId": stable_id("eni-attach", row.instance_id),
            "DeleteOnTermination": True,
            "DeviceIndex": 0,
            "Status": "attached",
            "NetworkCardIndex": 0,
        },
        "Description": "",
        "Groups": [],
        "Ipv6Addresses": [],
        "MacAddress": row.mac,
        "NetworkInterfaceId": stable_id("eni", row.instance_id),
        "OwnerId": row.account,
        "PrivateDnsName": dns,
        "PrivateIpAddress": row.private_ip,
        "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": row.private_ip}],
        "SourceDestCheck": True,
        "Status": "in-use",
        "SubnetId": row.subnet_id,
        "VpcId": row.vpc_id,
        "InterfaceType": "interface",
    }
