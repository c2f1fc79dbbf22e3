"""Instance profiles: CreateInstanceProfile, GetInstanceProfile, DeleteInstanceProfile,
ListInstanceProfiles, AddRoleToInstanceProfile (one role per profile),
RemoveRoleFromInstanceProfile, ListInstanceProfilesForRole; ``instance_profile_roles`` for IMDS."""

from __future__ import annotations

import json

from overcast.services.iam import errors, ids
from overcast.services.iam.listing import paginate, path_filter
from overcast.services.iam.records import RoleRecord
from overcast.services.iam.tags import tags_from_params

MAX_PROFILES = 1_000  # InstanceProfilesPerAccount
ROLES_PER_PROFILE = 1  # InstanceSessionsPerInstanceProfile


class InstanceProfileOperations:
    def instance_profile_roles(self, account: str, profile_name_or_arn: str) -> list[RoleRecord]:
        """The roles of a profile named by name or ARN ([] when there is no such profile)."""
        name = profile_name_or_arn
        if name.startswith("arn:"):
            parsed = ids.parse_arn(name)
            if parsed is None or parsed[1] != "instance-profile":
                return []
            account, name = parsed[0], parsed[3]
        profile = self.find_profile(account, name)
        return [] if profile is None else self.profile_roles_of(profile)

    def create_instance_profile(self, ctx, params):
        name, path = params["InstanceProfileName"], params.get("Path") or "/"
        tags = tags_from_params(params)
        if self.find_profile(ctx.account, name) is not None:
            raise errors.entity_exists(f"Instance Profile {name} already exists.")
        count = self.db.query_one("SELECT COUNT(*) FROM instance_profiles WHERE account = ?", (ctx.account,))[0]
        if count >= MAX_PROFILES:
            raise errors.quota("InstanceProfilesPerAccount", MAX_PROFILES)
        self.db.execute("INSERT INTO instance_profiles (account, name_key, name, profile_id, path, created, tags) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (ctx.account, name.lower(), name, ids.unique_id(ids.PROFILE), path, self.clock.now(),
                         json.dumps(tags)))
        return {"InstanceProfile": self.profile_shape(self.find_profile(ctx.account, name))}

    def get_instance_profile(self, ctx, params):
        return {"InstanceProfile": self.profile_shape(self.require_profile(ctx.account, params["InstanceProfileName"]))}

    def delete_instance_profile(self, ctx, params):
        profile = self.require_profile(ctx.account, params["InstanceProfileName"])
        if self.profile_roles_of(profile):
            raise errors.delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
        self.db.execute("DELETE FROM instance_profiles WHERE account = ? AND name_key = ?", (ctx.account, profile.key))
        return {}

    def list_instance_profiles(self, ctx, params):
        wanted = path_filter(params)
        profiles = [p for p in self.all_profiles(ctx.account) if wanted(p.path)]
        page, more = paginate(profiles, params, key=lambda p: p.key)
        shapes = []
        for profile in page:
            shape = self.profile_shape(profile)
            shape.pop("Tags", None)
            shapes.append(shape)
        return {"InstanceProfiles": shapes, **more}

    def add_role_to_instance_profile(self, ctx, params):
        profile = self.require_profile(ctx.account, params["InstanceProfileName"])
        role = self.require_role(ctx.account, params["RoleName"])
        current = self.profile_roles_of(profile)
        if any(r.key == role.key for r in current) or len(current) >= ROLES_PER_PROFILE:
            raise errors.quota("InstanceSessionsPerInstanceProfile", ROLES_PER_PROFILE)
        self.db.execute("INSERT INTO profile_roles (account, profile_key, role_key) VALUES (?, ?, ?)",
                        (ctx.account, profile.key, role.key))
        return {}

    def remove_role_from_instance_profile(self, ctx, params):
        profile = self.require_profile(ctx.account, params["InstanceProfileName"])
        role = self.require_role(ctx.account, params["RoleName"])
        removed = self.db.execute("DELETE FROM profile_roles WHERE account = ? AND profile_key = ? AND role_key = ?",
                                  (ctx.account, profile.key, role.key))
        if not removed:
            raise errors.no_such_entity(f"The role with name {role.name} cannot be found in instance profile "
                                        f"{profile.name}.")
        return {}

    def list_instance_profiles_for_role(self, ctx, params):
        role = self.require_role(ctx.account, params["RoleName"])
        keys = {r[0] for r in self.db.query("SELECT profile_key FROM profile_roles WHERE account = ? AND role_key = ?",
                                            (ctx.account, role.key))}
        profiles = [p for p in self.all_profiles(ctx.account) if p.key in keys]
        page, more = paginate(profiles, params, key=lambda p: p.key)
        shapes = []
        for profile in page:
            shape = self.profile_shape(profile)
            shape.pop("Tags", None)
            shapes.append(shape)
        return {"InstanceProfiles": shapes, **more}
