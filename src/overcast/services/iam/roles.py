"""Roles: CreateRole, GetRole, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
DeleteRole, ListRoles; and the in-process ``role_record``/``role_by_arn`` STS reads."""

from __future__ import annotations

import json

from overcast.services.iam import documents, errors, ids
from overcast.services.iam.listing import paginate, path_filter
from overcast.services.iam.records import RoleRecord
from overcast.services.iam.tags import tags_from_params

MAX_ROLES = 1_000  # IAM quota RolesPerAccount (default)
DEFAULT_MAX_SESSION = 3_600


def protected(role: RoleRecord):
    return errors.unmodifiable(
        f"Cannot perform the operation on the protected role '{role.name}' - this role is only modifiable by AWS")


class RoleOperations:
    # -- contract (CONTRACTS.md section 2) --------------------------------------------------

    def role_record(self, account: str, role_name: str) -> RoleRecord | None:
        """The role ``role_name`` of ``account`` (names match regardless of case), or None."""
        return self.find_role(account, role_name)

    def role_by_arn(self, role_arn: str) -> RoleRecord | None:
        """The role an ARN names (path included, as IAM matches it), or None."""
        parsed = ids.parse_arn(role_arn)
        if parsed is None or parsed[1] != "role":
            return None
        role = self.find_role(parsed[0], parsed[3])
        if role is None or role.path != parsed[2]:
            return None
        return role

    def note_role_used(self, role_arn: str, region: str) -> None:
        """Record RoleLastUsed (STS calls this when a session of the role is issued)."""
        role = self.role_by_arn(role_arn)
        if role is not None:
            self.db.execute("UPDATE roles SET last_used = ?, last_used_region = ? WHERE account = ? AND name_key = ?",
                            (self.clock.now(), region, role.account, role.key))

    # -- operations ------------------------------------------------------------------------

    def _insert_role(self, account: str, name: str, path: str, trust: str, *, description=None,
                     max_session=DEFAULT_MAX_SESSION, boundary=None, tags=None) -> RoleRecord:
        if self.find_role(account, name) is not None:
            raise errors.entity_exists(f"Role with name {name} already exists.")
        count = self.db.query_one("SELECT COUNT(*) FROM roles WHERE account = ?", (account,))[0]
        if count >= MAX_ROLES:
            raise errors.quota("RolesPerAccount", MAX_ROLES)
        self.db.execute(
            "INSERT INTO roles (account, name_key, name, role_id, path, created, trust_policy, description, "
            "max_session, boundary_arn, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (account, name.lower(), name, ids.unique_id(ids.ROLE), path, self.clock.now(), trust, description,
             max_session, boundary, json.dumps(tags or {})))
        return self.find_role(account, name)

    def check_trust_principals(self, trust: str) -> None:
        """IAM refuses a trust policy naming a user or role that does not exist (in any account)."""
        for statement in documents.parse(trust, "trust").statements:
            for spec in (statement.principal, statement.not_principal):
                for arn in spec.of("AWS") if spec is not None else ():
                    parsed = ids.parse_arn(arn)
                    if parsed is None or parsed[1] not in ("user", "role") or "*" in arn or "?" in arn:
                        continue
                    finder = self.find_user if parsed[1] == "user" else self.find_role
                    found = finder(parsed[0], parsed[3])
                    if found is None or found.path != parsed[2]:
                        raise errors.malformed_policy(f'Invalid principal in policy: "AWS":"{arn}"')

    def create_role(self, ctx, params):
        trust = params["AssumeRolePolicyDocument"]
        documents.check_trust(trust)
        self.check_trust_principals(trust)
        tags = tags_from_params(params)
        boundary = params.get("PermissionsBoundary")
        if boundary:
            self.require_boundary_policy(ctx.account, boundary)
        role = self._insert_role(ctx.account, params["RoleName"], params.get("Path") or "/", trust,
                                 description=params.get("Description"),
                                 max_session=params.get("MaxSessionDuration") or DEFAULT_MAX_SESSION,
                                 boundary=boundary, tags=tags)
        shape = role.shape(full=False)
        shape.pop("MaxSessionDuration")  # CreateRole's answer leaves it out; GetRole and ListRoles report it
        return {"Role": shape}

    def get_role(self, ctx, params):
        return {"Role": self.require_role(ctx.account, params["RoleName"]).shape()}

    def list_roles(self, ctx, params):
        wanted = path_filter(params)
        roles = [r for r in self.all_roles(ctx.account) if wanted(r.path)]
        page, more = paginate(roles, params, key=lambda r: r.key)
        out = []
        for role in page:
            shape = role.shape(full=False)
            shape.pop("Tags", None)  # ListRoles leaves out Tags and PermissionsBoundary, as IAM does
            shape.pop("PermissionsBoundary", None)
            out.append(shape)
        return {"Roles": out, **more}

    def _modifiable_role(self, ctx, name: str) -> RoleRecord:
        role = self.require_role(ctx.account, name)
        if role.service_linked:
            raise protected(role)
        return role

    def update_role(self, ctx, params):
        # a service-linked role's description may be edited (IAM allows that much on them)
        role = self.require_role(ctx.account, params["RoleName"])
        if role.service_linked and params.get("MaxSessionDuration") is not None:
            raise protected(role)
        description = params.get("Description", role.description)
        max_session = params.get("MaxSessionDuration") or role.max_session_duration
        self.db.execute("UPDATE roles SET description = ?, max_session = ? WHERE account = ? AND name_key = ?",
                        (description, max_session, ctx.account, role.key))
        return {}

    def update_role_description(self, ctx, params):
        role = self.require_role(ctx.account, params["RoleName"])
        self.db.execute("UPDATE roles SET description = ? WHERE account = ? AND name_key = ?",
                        (params["Description"], ctx.account, role.key))
        return {"Role": self.require_role(ctx.account, role.name).shape()}

    def update_assume_role_policy(self, ctx, params):
        role = self._modifiable_role(ctx, params["RoleName"])
        document = params["PolicyDocument"]
        documents.check_trust(document)
        self.check_trust_principals(document)
        self.db.execute("UPDATE roles SET trust_policy = ? WHERE account = ? AND name_key = ?",
                        (document, ctx.account, role.key))
        return {}

    def delete_role(self, ctx, params):
        role = self._modifiable_role(ctx, params["RoleName"])
        self._check_role_deletable(role)
        self._drop_role(role)
        return {}

    def _check_role_deletable(self, role: RoleRecord) -> None:
        account = role.account
        if self.db.query_one("SELECT 1 FROM profile_roles WHERE account = ? AND role_key = ?", (account, role.key)):
            raise errors.delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
        if self.db.query_one("SELECT 1 FROM attachments WHERE account = ? AND kind = 'role' AND entity_key = ?",
                             (account, role.key)):
            raise errors.delete_conflict("Cannot delete entity, must detach all policies first.")
        if self.db.query_one("SELECT 1 FROM inline_policies WHERE account = ? AND kind = 'role' AND entity_key = ?",
                             (account, role.key)):
            raise errors.delete_conflict("Cannot delete entity, must delete policies first.")

    def _drop_role(self, role: RoleRecord) -> None:
        with self.db.transaction():
            self.db.execute("DELETE FROM roles WHERE account = ? AND name_key = ?", (role.account, role.key))
            self.db.execute("DELETE FROM profile_roles WHERE account = ? AND role_key = ?", (role.account, role.key))
            for table in ("attachments", "inline_policies"):
                self.db.execute(f"DELETE FROM {table} WHERE account = ? AND kind = 'role' AND entity_key = ?",
                                (role.account, role.key))
            self.forget_principal(role.arn, role.role_id)
