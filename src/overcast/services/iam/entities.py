"""Finding users, groups, roles and instance profiles by name (case-insensitively, as IAM does)."""

from __future__ import annotations

from overcast.services.iam import errors
from overcast.services.iam.records import (GROUP_COLUMNS, PROFILE_COLUMNS, ROLE_COLUMNS, USER_COLUMNS,
                                           GroupRecord, ProfileRecord, RoleRecord, UserRecord)


class EntityLookups:
    """Mixed into the provider: ``self.db`` is IAM's database."""

    def find_user(self, account: str, name: str) -> UserRecord | None:
        row = self.db.query_one(f"SELECT {USER_COLUMNS} FROM users WHERE account = ? AND name_key = ?",
                                (account, name.lower()))
        return UserRecord.from_row(row) if row else None

    def require_user(self, account: str, name: str) -> UserRecord:
        user = self.find_user(account, name)
        if user is None:
            raise errors.user_not_found(name)
        return user

    def find_group(self, account: str, name: str) -> GroupRecord | None:
        row = self.db.query_one(f"SELECT {GROUP_COLUMNS} FROM groups WHERE account = ? AND name_key = ?",
                                (account, name.lower()))
        return GroupRecord.from_row(row) if row else None

    def require_group(self, account: str, name: str) -> GroupRecord:
        group = self.find_group(account, name)
        if group is None:
            raise errors.group_not_found(name)
        return group

    def find_role(self, account: str, name: str) -> RoleRecord | None:
        row = self.db.query_one(f"SELECT {ROLE_COLUMNS} FROM roles WHERE account = ? AND name_key = ?",
                                (account, name.lower()))
        return RoleRecord.from_row(row) if row else None

    def require_role(self, account: str, name: str) -> RoleRecord:
        role = self.find_role(account, name)
        if role is None:
            raise errors.role_not_found(name)
        return role

    def find_profile(self, account: str, name: str) -> ProfileRecord | None:
        row = self.db.query_one(
            f"SELECT {PROFILE_COLUMNS} FROM instance_profiles WHERE account = ? AND name_key = ?",
            (account, name.lower()))
        return ProfileRecord.from_row(row) if row else None

    def require_profile(self, account: str, name: str) -> ProfileRecord:
        profile = self.find_profile(account, name)
        if profile is None:
            raise errors.profile_not_found(name)
        return profile

    def all_users(self, account: str) -> list[UserRecord]:
        return [UserRecord.from_row(r) for r in
                self.db.query(f"SELECT {USER_COLUMNS} FROM users WHERE account = ?", (account,))]

    def all_groups(self, account: str) -> list[GroupRecord]:
        return [GroupRecord.from_row(r) for r in
                self.db.query(f"SELECT {GROUP_COLUMNS} FROM groups WHERE account = ?", (account,))]

    def all_roles(self, account: str) -> list[RoleRecord]:
        return [RoleRecord.from_row(r) for r in
                self.db.query(f"SELECT {ROLE_COLUMNS} FROM roles WHERE account = ?", (account,))]

    def all_profiles(self, account: str) -> list[ProfileRecord]:
        return [ProfileRecord.from_row(r) for r in self.db.query(
            f"SELECT {PROFILE_COLUMNS} FROM instance_profiles WHERE account = ?", (account,))]

    def profile_roles_of(self, profile: ProfileRecord) -> list[RoleRecord]:
        keys = [r[0] for r in self.db.query(
            "SELECT role_key FROM profile_roles WHERE account = ? AND profile_key = ?",
            (profile.account, profile.key))]
        roles = [self.find_role(profile.account, key) for key in keys]
        return [role for role in roles if role is not None]

    def profile_shape(self, profile: ProfileRecord) -> dict:
        out = {"Path": profile.path, "InstanceProfileName": profile.name, "InstanceProfileId": profile.profile_id,
               "Arn": profile.arn, "CreateDate": profile.created,
               "Roles": [role.shape(full=False) for role in self.profile_roles_of(profile)]}
        if profile.tags:
            out["Tags"] = [{"Key": k, "Value": v} for k, v in profile.tags.items()]
        return out
