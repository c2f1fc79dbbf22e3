"""The metadata endpoint's ASGI app: EC2's paths, IMDSv1 and IMDSv2 (session tokens).

``PUT /latest/api/token`` (header ``X-aws-ec2-metadata-token-ttl-seconds``: 1-21600, else
400; a request carrying ``X-Forwarded-For`` is refused with 403, as EC2 refuses proxied token
requests) returns a token; a ``GET`` with ``X-aws-ec2-metadata-token`` must carry a live one
(else 401). Without a token, a GET is IMDSv1: allowed unless v1 is disabled (setting
``imds_v1``) or the instance requires tokens (``MetadataOptions.HttpTokens=required``).
The hop-limit of EC2 has no meaning locally and is not enforced.
"""

from __future__ import annotations

import json
import logging

from overcast.imds.credentials import RoleCredentials, iso_z
from overcast.imds.identity import Identity, served_identity
from overcast.imds.tokens import TokenStore, parse_ttl
from overcast.storage import group_commit

log = logging.getLogger("overcast.imds")

TOKEN_HEADER = "x-aws-ec2-metadata-token"
TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
_PAGE = ('<?xml version="1.0" encoding="iso-8859-1"?>\n'
         '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
         '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
         '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n'
         ' <head>\n  <title>{status} - {reason}</title>\n </head>\n'
         ' <body>\n  <h1>{status} - {reason}</h1>\n </body>\n</html>\n')
_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}


class ImdsApp:
    """ASGI app of the instance metadata service of one cloud."""

    def __init__(self, cloud, allow_v1: bool = True):
        self.cloud = cloud
        self.allow_v1 = allow_v1
        self.tokens = TokenStore(cloud.clock)
        self.credentials = RoleCredentials(cloud)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        method, path = scope["method"], scope["path"]
        with group_commit.tracking():
            try:
                status, extra, body = self.respond(method, path, headers)
                await group_commit.settle()  # credentials it issued are on disk before they are served
            except Exception:  # noqa: BLE001 - an Overcast bug: logged, answered as a server error
                log.exception("IMDS %s %s failed", method, path)
                status, extra, body = 500, {}, b""
        if method == "HEAD":
            body_out = b""
        else:
            body_out = body
        extra = {"content-type": "text/plain", **extra, "content-length": str(len(body)), "server": "EC2ws"}
        out_headers = [(k.encode(), v.encode()) for k, v in extra.items()]
        await send({"type": "http.response.start", "status": status, "headers": out_headers})
        await send({"type": "http.response.body", "body": body_out})

    def respond(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        if method == "PUT":
            if path != "/latest/api/token":
                return _error(405 if _known_path(path) else 404)
            if "x-forwarded-for" in headers:
                return _error(403)
            ttl = parse_ttl(headers.get(TTL_HEADER))
            if ttl is None:
                return _error(400)
            return 200, {TTL_HEADER: str(ttl)}, self.tokens.issue(ttl).encode()
        if method not in ("GET", "HEAD") or path == "/latest/api/token":
            return _error(405)
        extra = {}
        identity = served_identity(self.cloud)
        token = headers.get(TOKEN_HEADER)
        if token is not None:
            left = self.tokens.remaining(token)
            if left is None:
                return _error(401)
            extra[TTL_HEADER] = str(left)
        elif not self.allow_v1 or identity.http_tokens == "required":
            return _error(401)
        found = self._lookup(identity, path)
        if found is None:
            return _error(404)
        return 200, extra, found

    def _lookup(self, identity: Identity, path: str) -> bytes | None:
        if path in ("", "/"):
            return b"latest"
        if path == "/latest/user-data":
            return identity.user_data  # None (404) when the instance was launched without
        node = self._tree(identity)
        parts = [part for part in path.split("/") if part]
        for part in parts:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        if callable(node):
            node = node()
        if node is None or node == {}:
            return None
        if isinstance(node, dict):  # a directory: its entries, one a line, directories with "/"
            if parts == ["latest"]:  # except EC2's top level: "dynamic", "meta-data", "user-data"
                return "\n".join(node).encode()
            return "\n".join(f"{name}/" if isinstance(child, dict) else name
                             for name, child in node.items()).encode()
        return node.encode() if isinstance(node, str) else node

    def _tree(self, identity: Identity) -> dict:
        meta = {
            "ami-id": identity.image_id,
            "ami-launch-index": str(identity.launch_index),
            "hostname": identity.hostname,
            "instance-id": identity.instance_id,
            "instance-type": identity.instance_type,
            "local-hostname": identity.hostname,
            "local-ipv4": identity.private_ip,
            "mac": identity.mac,
            "placement": {
                "availability-zone": identity.zone,
                "availability-zone-id": identity.zone_id,
                "region": identity.region,
            },
            "reservation-id": identity.reservation_id,
            "instance-life-cycle": "on-demand",
            "services": {"domain": "amazonaws.com", "partition": "aws"},
        }
        if identity.profile_arn:
            meta["iam"] = self._iam(identity)
        meta = dict(sorted(meta.items()))
        latest = {"dynamic": {"instance-identity": {"document": lambda: _document(identity)}}, "meta-data": meta}
        if identity.user_data is not None:
            latest["user-data"] = identity.user_data
        return {"latest": latest}

    def _iam(self, identity: Identity) -> dict:
        role = self.credentials.role_of(identity)
        creds = {}
        if role is not None:
            def document():
                found = self.credentials.for_role(identity, role)
                return None if found is None else _json(found)

            creds[role.name] = document
        info = lambda: _json({  # noqa: E731
            "Code": "Success",
            "LastUpdated": iso_z(self.credentials.last_updated(identity) or identity.pending_time),
            "InstanceProfileArn": identity.profile_arn,
            "InstanceProfileId": identity.profile_id or "",
        })
        return {"info": info, "security-credentials": creds}


def _document(identity: Identity) -> str:
    """``/latest/dynamic/instance-identity/document``, with EC2's members in EC2's order."""
    return _json({
        "accountId": identity.account,
        "architecture": "x86_64",
        "availabilityZone": identity.zone,
        "billingProducts": None,
        "devpayProductCodes": None,
        "marketplaceProductCodes": None,
        "imageId": identity.image_id,
        "instanceId": identity.instance_id,
        "instanceType": identity.instance_type,
        "kernelId": None,
        "pendingTime": iso_z(identity.pending_time),
        "privateIp": identity.private_ip,
        "ramdiskId": None,
        "region": identity.region,
        "version": "2017-09-30",
    })


def _json(document: dict) -> str:
    """JSON as IMDS writes it: one member a line, ``"Name" : value``."""
    return json.dumps(document, indent=2, separators=(",", " : "))


def _known_path(path: str) -> bool:
    return path == "/" or path.startswith("/latest")


def _error(status: int) -> tuple[int, dict, bytes]:
    page = _PAGE.format(status=status, reason=_REASONS[status]).encode()
    return status, {"content-type": "text/html"}, page
