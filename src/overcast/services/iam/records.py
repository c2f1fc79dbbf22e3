"""The IAM entities as Python records, read from their rows; and their API shapes.

``RoleRecord`` is part of IAM's in-process contract (STS, strict-mode authorization, IMDS):
``iam.role_record(account, name)`` / ``iam.role_by_arn(arn)`` return one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from overcast.services.iam.ids import arn, encode_document

USER_COLUMNS = "account, name_key, name, user_id, path, created, boundary_arn, tags"
GROUP_COLUMNS = "account, name_key, name, group_id, path, created"
ROLE_COLUMNS = ("account, name_key, name, role_id, path, created, trust_policy, description, max_session, "
                "boundary_arn, tags, last_used, last_used_region")
PROFILE_COLUMNS = "account, name_key, name, profile_id, path, created, tags"


def tag_list(tags: dict[str, str]) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def boundary_shape(boundary_arn: str | None) -> dict:
    if not boundary_arn:
        return {}
    return {"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary_arn}}


@dataclass
class UserRecord:
    account: str
    key: str
    name: str
    user_id: str
    path: str
    created: float
    boundary_arn: str | None
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row) -> "UserRecord":
        return cls(*row[:7], json.loads(row[7]))

    @property
    def arn(self) -> str:
        return arn(self.account, "user", self.path, self.name)

    def shape(self, *, tags: bool = True) -> dict:
        out = {"Path": self.path, "UserName": self.name, "UserId": self.user_id, "Arn": self.arn,
               "CreateDate": self.created, **boundary_shape(self.boundary_arn)}
        if tags and self.tags:
            out["Tags"] = tag_list(self.tags)
        return out


@dataclass
class GroupRecord:
    account: str
    key: str
    name: str
    group_id: str
    path: str
    created: float

    @classmethod
    def from_row(cls, row) -> "GroupRecord":
        return cls(*row)

    @property
    def arn(self) -> str:
        return arn(self.account, "group", self.path, self.name)

    def shape(self) -> dict:
        return {"Path": self.path, "GroupName": self.name, "GroupId": self.group_id, "Arn": self.arn,
                "CreateDate": self.created}


@dataclass
class RoleRecord:
    """A role as STS and authorization need it (the contract's fields first)."""

    arn: str
    role_id: str
    name: str
    path: str
    trust_policy: str
    max_session_duration: int
    boundary_arn: str | None
    tags: dict[str, str]
    account: str = ""
    key: str = ""
    created: float = 0.0
    description: str | None = None
    last_used: float | None = None
    last_used_region: str | None = None

    @classmethod
    def from_row(cls, row) -> "RoleRecord":
        (account, key, name, role_id, path, created, trust, description, max_session, boundary, tags,
         last_used, last_region) = row
        return cls(arn(account, "role", path, name), role_id, name, path, trust, max_session, boundary,
                   json.loads(tags), account, key, created, description, last_used, last_region)

    @property
    def service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")

    def shape(self, *, full: bool = True) -> dict:
        """The Role shape; ``full`` adds what GetRole shows beyond ListRoles (RoleLastUsed)."""
        out = {"Path": self.path, "RoleName": self.name, "RoleId": self.role_id, "Arn": self.arn,
               "CreateDate": self.created, "AssumeRolePolicyDocument": encode_document(self.trust_policy),
               "MaxSessionDuration": self.max_session_duration, **boundary_shape(self.boundary_arn)}
        if self.description is not None:
            out["Description"] = self.description
        if self.tags:
            out["Tags"] = tag_list(self.tags)
        if full:
            last = {}
            if self.last_used is not None:
                last = {"LastUsedDate": self.last_used, "Region": self.last_used_region}
            out["RoleLastUsed"] = last
        return out


@dataclass
class ProfileRecord:
    account: str
    key: str
    name: str
    profile_id: str
    path: str
    created: float
    tags: dict[str, str]

    @classmethod
    def from_row(cls, row) -> "ProfileRecord":
        return cls(*row[:6], json.loads(row[6]))

    @property
    def arn(self) -> str:
        return arn(self.account, "instance-profile", self.path, self.name)
