"""S3 access control lists: canned ACLs, grant headers and AccessControlPolicy bodies, stored
and returned (Get/PutObjectAcl, Get/PutBucketAcl, ``x-amz-acl`` on writes).

An object's ACL lives in its version's ``attrs["acl"]``, a bucket's in ``bucket_configs``
kind ``acl``; both as ``{"canned": name}`` or ``{"grants": [Grant, ...]}`` (the owner's id is
filled in when read, so the stored form does not depend on it). No ACL stored means
``private``. Open mode stores ACLs without enforcing them; strict mode's authorization asks
``acl_allows`` when no policy grants an anonymous caller or another account.

Object Ownership: with ``BucketOwnerEnforced`` (the default of every new bucket since April
2023) ACLs are disabled — requests that set anything but owner-full-control fail with
AccessControlListNotSupported; reads still answer the owner's FULL_CONTROL.
"""

from __future__ import annotations

import json
import re

from overcast.canonical_users import account_of, canonical_id
from overcast.errors import AwsError

from .tagging import tags_from_header

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
# the canonical user S3's aws-exec-read canned ACL grants READ to (EC2, for AMI bundles)
EC2_EXEC_READ_ID = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"
OBJECT_CANNED = ("private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
                 "bucket-owner-read", "bucket-owner-full-control")
BUCKET_CANNED = OBJECT_CANNED + ("log-delivery-write",)
PERMISSIONS = ("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP")
GRANT_HEADERS = {"GrantFullControl": "FULL_CONTROL", "GrantRead": "READ", "GrantReadACP": "READ_ACP",
                 "GrantWrite": "WRITE", "GrantWriteACP": "WRITE_ACP"}
_GRANT_HEADER_NAMES = {"GrantFullControl": "x-amz-grant-full-control", "GrantRead": "x-amz-grant-read",
                       "GrantReadACP": "x-amz-grant-read-acp", "GrantWrite": "x-amz-grant-write",
                       "GrantWriteACP": "x-amz-grant-write-acp"}
DEFAULT_OWNERSHIP = "BucketOwnerEnforced"  # of every new bucket since April 2023
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"([^"]*)"\s*(?:,|$)', re.IGNORECASE)


def owner_of(account: str) -> dict:
    """An ``Owner`` element: the canonical id only (S3 stopped returning DisplayName)."""
    return {"ID": canonical_id(account)}


def check_grantee_id(grantee_id: str, argument: str = "CanonicalUser/ID") -> None:
    """InvalidArgument "Invalid id" for a canonical id that no account has (an account
    number is not one either)."""
    if grantee_id != EC2_EXEC_READ_ID and account_of(grantee_id) is None:
        raise _invalid_argument("Invalid id", argument, grantee_id)


def _user(user_id: str) -> dict:
    return {"Type": "CanonicalUser", "ID": user_id}


def _group(uri: str) -> dict:
    return {"Type": "Group", "URI": uri}


def canned_grants(canned: str, owner_id: str) -> list[dict]:
    """The grants S3 derives from a canned ACL (object and bucket owner are the same account
    here: cross-account writes are refused)."""
    grants = [{"Grantee": _user(owner_id), "Permission": "FULL_CONTROL"}]
    extra = {
        "public-read": [(_group(ALL_USERS), "READ")],
        "public-read-write": [(_group(ALL_USERS), "READ"), (_group(ALL_USERS), "WRITE")],
        "authenticated-read": [(_group(AUTHENTICATED_USERS), "READ")],
        "aws-exec-read": [(_user(EC2_EXEC_READ_ID), "READ")],
        "log-delivery-write": [(_group(LOG_DELIVERY), "WRITE"), (_group(LOG_DELIVERY), "READ_ACP")],
    }.get(canned, [])
    return grants + [{"Grantee": grantee, "Permission": permission} for grantee, permission in extra]


def stored_grants(acl: dict | None, owner_id: str) -> list[dict]:
    """The grants of a stored ACL (None: private)."""
    if not acl:
        return canned_grants("private", owner_id)
    if "canned" in acl:
        return canned_grants(acl["canned"], owner_id)
    # grants stored before S3 dropped DisplayName keep theirs out of the answer
    return [{"Grantee": {k: v for k, v in grant["Grantee"].items() if k != "DisplayName"},
             "Permission": grant["Permission"]} for grant in acl["grants"]]


def _invalid_argument(message: str, name: str, value: str | None = None) -> AwsError:
    fields = {"ArgumentName": name}
    if value is not None:
        fields["ArgumentValue"] = value
    return AwsError("InvalidArgument", message, 400, fields=fields)


def _header_grants(params: dict) -> list[dict]:
    """Grants of the ``x-amz-grant-*`` headers: ``id="..."``, ``uri="..."``,
    ``emailAddress="..."``, comma separated."""
    grants = []
    for member, permission in GRANT_HEADERS.items():
        text = params.get(member)
        if text is None:
            continue
        pos = 0
        while pos < len(text):
            match = _GRANTEE.match(text, pos)
            if match is None:  # S3 names the header and the grantee it could not read
                piece = text[pos:].split(",", 1)[0].strip()
                raise _invalid_argument("Argument format not recognized", _GRANT_HEADER_NAMES[member], piece)
            kind, value = match.group(1).lower(), match.group(2)
            if kind == "id":
                check_grantee_id(value)
                grantee = _user(value)
            elif kind == "uri":
                if value not in (ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY):
                    raise _invalid_argument("Invalid group uri", "uri", value)
                grantee = _group(value)
            else:
                grantee = {"Type": "AmazonCustomerByEmail", "EmailAddress": value}
            grants.append({"Grantee": grantee, "Permission": permission})
            pos = match.end()
    return grants


def _policy_grants(policy: dict) -> list[dict]:
    """Grants of an AccessControlPolicy body, checked as S3 checks them (MalformedACLError)."""
    if not policy.get("Owner"):  # the schema requires the Owner element
        raise AwsError("MalformedACLError", "The XML you provided was not well-formed or did not validate "
                       "against our published schema", 400)
    grants = []
    for grant in policy.get("Grants") or []:
        grantee, permission = grant.get("Grantee") or {}, grant.get("Permission")
        kind = grantee.get("Type")
        if permission not in PERMISSIONS or kind not in ("CanonicalUser", "Group", "AmazonCustomerByEmail"):
            raise AwsError("MalformedACLError", "The XML you provided was not well-formed or did not validate "
                           "against our published schema", 400)
        if kind == "CanonicalUser":
            if not grantee.get("ID"):
                raise AwsError("InvalidArgument", "Invalid id", 400, fields={"ArgumentName": "CanonicalUser/ID"})
            check_grantee_id(grantee["ID"])
        if kind == "Group" and grantee.get("URI") not in (ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY):
            raise _invalid_argument("Invalid group uri", "Group/URI", grantee.get("URI"))
        if kind == "AmazonCustomerByEmail" and not grantee.get("EmailAddress"):
            raise _invalid_argument("Invalid email address", "EmailAddress")
        clean = {k: v for k, v in grantee.items() if k in ("Type", "ID", "URI", "EmailAddress")}
        grants.append({"Grantee": clean, "Permission": permission})
    return grants


def acl_from_request(params: dict, for_bucket: bool, with_body: bool = False) -> dict | None:
    """The ACL a request sets (``x-amz-acl``, ``x-amz-grant-*``, or with ``with_body`` an
    AccessControlPolicy), validated; None when it sets none."""
    canned = params.get("ACL")
    header_grants = _header_grants(params)
    policy = params.get("AccessControlPolicy") if with_body else None
    if canned is not None and header_grants:
        raise AwsError("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed", 400)
    if (canned is not None or header_grants) and policy:
        raise AwsError("UnexpectedContent", "This request does not support content", 400)
    if canned is not None:
        if canned not in (BUCKET_CANNED if for_bucket else OBJECT_CANNED):
            raise _invalid_argument("", "x-amz-acl", canned)
        return {"canned": canned}
    if header_grants:
        return {"grants": header_grants}
    if policy:
        return {"grants": _policy_grants(policy)}
    return None


def owner_only(acl: dict | None, owner_id: str) -> bool:
    """Whether an ACL grants nothing but the owner's FULL_CONTROL (allowed when ACLs are
    disabled): no ACL, ``private``, ``bucket-owner-full-control`` or the same as grants."""
    if acl is None or acl.get("canned") in ("private", "bucket-owner-full-control"):
        return True
    if "canned" in acl:
        return False
    return all(g["Permission"] == "FULL_CONTROL" and g["Grantee"].get("Type") == "CanonicalUser"
               and g["Grantee"].get("ID") == owner_id for g in acl["grants"])


def _find_ownership(value) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get("ObjectOwnership"), str):
            return value["ObjectOwnership"]
        for item in value.values():
            found = _find_ownership(item)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _find_ownership(item)
            if found:
                return found
    elif isinstance(value, str):
        return value if value in ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter") else None
    return None


def acl_not_supported() -> AwsError:
    return AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)


def is_public(acl: dict | None) -> bool:
    """Whether an ACL grants anything to everyone or to every AWS user (what Block Public
    Access calls a public ACL)."""
    if not acl:
        return False
    if "canned" in acl:
        return acl["canned"] in ("public-read", "public-read-write", "authenticated-read")
    return any(g["Grantee"].get("URI") in (ALL_USERS, AUTHENTICATED_USERS) for g in acl["grants"])


_NO_ROW = object()


# What an ACL grant's permission allows (S3 user guide, "Mapping of ACL permissions and access
# policy permissions"); FULL_CONTROL allows all of them. A bucket's WRITE covers its objects.
_BUCKET_GRANTS = {
    "READ": frozenset({"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"}),
    "WRITE": frozenset({"s3:PutObject", "s3:DeleteObject"}),
    "READ_ACP": frozenset({"s3:GetBucketAcl"}),
    "WRITE_ACP": frozenset({"s3:PutBucketAcl"}),
}
_OBJECT_GRANTS = {
    "READ": frozenset({"s3:GetObject", "s3:GetObjectVersion"}),
    "READ_ACP": frozenset({"s3:GetObjectAcl", "s3:GetObjectVersionAcl"}),
    "WRITE_ACP": frozenset({"s3:PutObjectAcl", "s3:PutObjectVersionAcl"}),
}
_BUCKET_LEVEL = frozenset().union(*_BUCKET_GRANTS.values())


def _grantee_matches(grantee: dict, account: str | None) -> bool:
    if grantee.get("Type") == "CanonicalUser":
        # (an account number: a grant stored before owners had canonical ids)
        return account is not None and grantee.get("ID") in (canonical_id(account), account)
    uri = grantee.get("URI")
    return uri == ALL_USERS or (uri == AUTHENTICATED_USERS and account is not None)


class AclMixin:
    def acl_allows(self, bucket_name: str, key: str | None, version_id: str | None, action: str,
                   account: str | None, region: str | None = None) -> bool:
        """Whether the bucket's ACL (bucket actions, and WRITE on its objects) or the object's
        ACL grants ``action`` to ``account`` (None: an anonymous caller), for strict mode. No
        ACL grants anything while ACLs are disabled (BucketOwnerEnforced); public grants
        (AllUsers, AuthenticatedUsers) count for nothing under IgnorePublicAcls."""
        from overcast.storage.scope import partition_of

        from .buckets import Bucket
        from .store import is_version_id

        partition = partition_of(region or self.cloud.settings.region)
        row = self.db.query_one("SELECT account, region, created, versioning FROM buckets "
                                "WHERE partition = ? AND name = ?", (partition, bucket_name))
        if row is None:
            return False
        bucket = Bucket(*row, partition, bucket_name)
        if self.object_ownership(bucket) == "BucketOwnerEnforced":
            return False
        owner = canonical_id(bucket.account)
        if key is None or action in _BUCKET_LEVEL:
            stored = self._bucket_config_value(bucket, "acl")
            grants, table = stored_grants(None if stored is _NO_ROW else stored, owner), _BUCKET_GRANTS
        else:
            if version_id is not None:
                found = self.store.version(partition, bucket_name, key, version_id) \
                    if is_version_id(version_id) else None
            else:
                found = self.store.current(partition, bucket_name, key)
            if found is None or found.marker:
                return False
            grants, table = stored_grants(found.attrs.get("acl"), owner), _OBJECT_GRANTS
        block = self._bucket_config_value(bucket, "public-access-block")
        ignore_public = True if block is _NO_ROW else bool(isinstance(block, dict) and block.get("IgnorePublicAcls"))
        for grant in grants:
            grantee, permission = grant.get("Grantee") or {}, grant.get("Permission")
            if not _grantee_matches(grantee, account) or (ignore_public and grantee.get("Type") == "Group"):
                continue
            if permission == "FULL_CONTROL" or action in table.get(permission, ()):
                return True
        return False

    def _bucket_config_value(self, bucket, kind: str):
        """A ``bucket_configs`` value (None for a deleted default), or ``_NO_ROW``."""
        row = self.db.query_one("SELECT value FROM bucket_configs WHERE partition = ? AND bucket = ? "
                                "AND kind = ?", (bucket.partition, bucket.name, kind))
        if row is None:
            return _NO_ROW
        try:
            return json.loads(row[0])
        except ValueError:
            return row[0]

    def object_ownership(self, bucket) -> str:
        """The bucket's Object Ownership setting (``bucket_configs`` kind ``ownership``):
        BucketOwnerEnforced by default; a bucket whose ownership controls were deleted
        behaves as ObjectWriter (ACLs enabled), as S3 buckets did before the setting existed."""
        value = self._bucket_config_value(bucket, "ownership")
        if value is _NO_ROW:
            return DEFAULT_OWNERSHIP
        if value is None:
            return "ObjectWriter"
        return _find_ownership(value) or DEFAULT_OWNERSHIP

    def _blocks_public_acls(self, bucket) -> bool:
        """BlockPublicAcls of the bucket's public access block (on by default for new buckets)."""
        value = self._bucket_config_value(bucket, "public-access-block")
        if value is _NO_ROW:
            return True
        return bool(isinstance(value, dict) and value.get("BlockPublicAcls"))

    def _check_acl_allowed(self, bucket, acl: dict | None) -> None:
        """ACLs disabled (BucketOwnerEnforced): 400 AccessControlListNotSupported for any ACL but
        the owner's full control; Block Public Access: 403 AccessDenied for a public ACL."""
        if not owner_only(acl, canonical_id(bucket.account)) and self.object_ownership(bucket) == "BucketOwnerEnforced":
            raise acl_not_supported()
        if is_public(acl) and self._blocks_public_acls(bucket):
            raise AwsError("AccessDenied", "Access Denied", 403)

    def object_write_attrs(self, bucket, params: dict) -> dict:
        """The ``attrs`` members a write's headers set (``x-amz-tagging``, ``x-amz-acl`` and
        ``x-amz-grant-*``), validated before any byte is stored. Used by PutObject,
        CopyObject and CreateMultipartUpload."""
        attrs = {}
        tags = tags_from_header(params.get("Tagging"))
        if tags:
            attrs["tags"] = tags
        acl = acl_from_request(params, for_bucket=False)
        self._check_acl_allowed(bucket, acl)
        if acl is not None and acl != {"canned": "private"}:
            attrs["acl"] = acl
        return attrs

    def bucket_acl_for_create(self, ctx, params: dict) -> dict | None:
        """Validate CreateBucket's ACL headers against its Object Ownership (before the bucket
        exists); returns the ACL to store with ``save_created_bucket_acl``."""
        acl = acl_from_request(params, for_bucket=True)
        ownership = params.get("ObjectOwnership")
        if ownership is None:  # an empty x-amz-object-ownership is refused, not the default
            ownership = DEFAULT_OWNERSHIP
        if ownership not in ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"):
            raise _invalid_argument("Invalid x-amz-object-ownership header", "x-amz-object-ownership", ownership)
        if ownership == "BucketOwnerEnforced" and not owner_only(acl, canonical_id(ctx.account)):
            raise AwsError("InvalidBucketAclWithObjectOwnership",
                           "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400)
        return acl

    def save_created_bucket_acl(self, partition: str, name: str, params: dict, acl: dict | None) -> None:
        """Store a new bucket's ACL, and the Object Ownership its request named."""
        if acl is not None and acl != {"canned": "private"}:
            self._save_bucket_config(partition, name, "acl", acl, replace=True)
        if params.get("ObjectOwnership"):
            # the form PutBucketOwnershipControls stores; kept if a configuration is already there
            self._save_bucket_config(partition, name, "ownership",
                                     {"Rules": [{"ObjectOwnership": params["ObjectOwnership"]}]}, replace=False)

    def _save_bucket_config(self, partition: str, name: str, kind: str, value, replace: bool) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        self.db.execute(f"{verb} INTO bucket_configs (partition, bucket, kind, value) VALUES (?, ?, ?, ?)",
                        (partition, name, kind, json.dumps(value)))

    # -- objects -------------------------------------------------------------------------

    def get_object_acl(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        version = self._object_version(ctx, bucket, params["Key"], params)
        owner = owner_of(bucket.account)
        if self.object_ownership(bucket) == "BucketOwnerEnforced":
            grants = canned_grants("private", owner["ID"])
        else:
            grants = stored_grants(version.attrs.get("acl"), owner["ID"])
        return {"Owner": owner, "Grants": grants}

    def put_object_acl(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        version = self._object_version(ctx, bucket, params["Key"], params)
        acl = acl_from_request(params, for_bucket=False, with_body=True)
        if acl is None:
            raise AwsError("MissingSecurityHeader", "Your request was missing a required header", 400,
                           fields={"MissingHeaderName": "x-amz-acl"})
        self._check_acl_allowed(bucket, acl)
        self.store.update_attrs(bucket.partition, bucket.name, version.key, version.version,
                                acl=None if acl == {"canned": "private"} else acl)
        return {}

    # -- buckets -------------------------------------------------------------------------

    def get_bucket_acl(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        owner = owner_of(bucket.account)
        acl = None
        if self.object_ownership(bucket) != "BucketOwnerEnforced":
            row = self.db.query_one("SELECT value FROM bucket_configs WHERE partition = ? AND bucket = ? "
                                    "AND kind = 'acl'", (bucket.partition, bucket.name))
            acl = json.loads(row[0]) if row else None
        return {"Owner": owner, "Grants": stored_grants(acl, owner["ID"])}

    def put_bucket_acl(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        acl = acl_from_request(params, for_bucket=True, with_body=True)
        if acl is None:
            raise AwsError("MissingSecurityHeader", "Your request was missing a required header", 400,
                           fields={"MissingHeaderName": "x-amz-acl"})
        self._check_acl_allowed(bucket, acl)
        if acl == {"canned": "private"}:
            self.db.execute("DELETE FROM bucket_configs WHERE partition = ? AND bucket = ? AND kind = 'acl'",
                            (bucket.partition, bucket.name))
        else:
            self._save_bucket_config(bucket.partition, bucket.name, "acl", acl, replace=True)
        return {}
