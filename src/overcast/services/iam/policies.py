"""Managed policies and their versions: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies,
CreatePolicyVersion, GetPolicyVersion, DeletePolicyVersion, ListPolicyVersions,
SetDefaultPolicyVersion.

A policy is a dict here: arn, key, name, policy_id, path, description, default_version,
next_version, created, updated, tags, aws (True for AWS managed policies, which live in
``aws_managed`` and are the same in every account). A managed policy keeps at most 5 versions.
"""

from __future__ import annotations

import json

from overcast.services.iam import documents, errors, ids
from overcast.services.iam.aws_managed import all_aws_policies, aws_policy
from overcast.services.iam.listing import paginate, path_filter
from overcast.services.iam.records import tag_list
from overcast.services.iam.tags import tags_from_params

MAX_VERSIONS = 5  # versions per managed policy

_POLICY_COLUMNS = "name_key, name, policy_id, path, description, default_version, next_version, created, updated, tags"


def _aws_dict(policy) -> dict:
    return {"arn": policy.arn, "key": policy.arn, "name": policy.name, "policy_id": policy.policy_id,
            "path": policy.path, "description": policy.description, "default_version": "v1", "next_version": 2,
            "created": policy.created, "updated": policy.created, "tags": {}, "aws": True}


def check_policy_arn(arn: str) -> None:
    """A policy ARN that is not an IAM ARN at all is InvalidInput (not NoSuchEntity)."""
    if ids.parse_arn(arn) is None:
        raise errors.invalid_input(f"ARN {arn} is not valid.")


class PolicyOperations:
    # -- lookups -----------------------------------------------------------------------------

    def _local_policy_row(self, account: str, name: str) -> dict | None:
        row = self.db.query_one(f"SELECT {_POLICY_COLUMNS} FROM policies WHERE account = ? AND name_key = ?",
                                (account, name.lower()))
        if row is None:
            return None
        key, name, policy_id, path, description, default, next_version, created, updated, tags = row
        return {"arn": ids.arn(account, "policy", path, name), "key": key, "name": name, "policy_id": policy_id,
                "path": path, "description": description, "default_version": default, "next_version": next_version,
                "created": created, "updated": updated, "tags": json.loads(tags), "aws": False}

    def find_policy(self, account: str, arn: str) -> dict | None:
        """The managed policy ``arn`` names (this account's or AWS's), or None."""
        found = aws_policy(arn)
        if found is not None:
            return _aws_dict(found)
        parsed = ids.parse_arn(arn)
        if parsed is None or parsed[0] != account or parsed[1] != "policy":
            return None
        policy = self._local_policy_row(account, parsed[3])
        return policy if policy is not None and policy["arn"] == arn else None

    def require_policy(self, account: str, arn: str) -> dict:
        policy = self.find_policy(account, arn)
        if policy is None:
            check_policy_arn(arn)
            raise errors.policy_not_found(arn)
        return policy

    def require_local_policy(self, account: str, arn: str) -> dict:
        policy = self.require_policy(account, arn)
        if policy["aws"]:
            raise errors.unmodifiable(f"Cannot modify AWS managed policy {arn}.")
        return policy

    def require_boundary_policy(self, account: str, arn: str) -> dict:
        """A permissions boundary must be an existing managed policy."""
        policy = self.find_policy(account, arn)
        if policy is None:
            check_policy_arn(arn)
            raise errors.policy_not_attachable(arn)
        return policy

    def policy_document(self, account: str, policy: dict, version: str | None = None) -> str | None:
        """The text of ``version`` (default: the default version) of a managed policy."""
        version = version or policy["default_version"]
        if policy["aws"]:
            return aws_policy(policy["arn"]).document if version == "v1" else None
        row = self.db.query_one("SELECT document FROM policy_versions WHERE account = ? AND policy_arn = ? "
                                "AND version_id = ?", (account, policy["arn"], version))
        return row[0] if row else None

    def _versions(self, account: str, policy: dict) -> list[tuple[str, str, float]]:
        if policy["aws"]:
            return [("v1", aws_policy(policy["arn"]).document, policy["created"])]
        return self.db.query("SELECT version_id, document, created FROM policy_versions WHERE account = ? AND "
                             "policy_arn = ?", (account, policy["arn"]))

    def _usage(self, account: str, arn: str) -> tuple[int, int]:
        attached = self.db.query_one("SELECT COUNT(*) FROM attachments WHERE account = ? AND policy_arn = ?",
                                     (account, arn))[0]
        boundary = (self.db.query_one("SELECT COUNT(*) FROM users WHERE account = ? AND boundary_arn = ?",
                                      (account, arn))[0]
                    + self.db.query_one("SELECT COUNT(*) FROM roles WHERE account = ? AND boundary_arn = ?",
                                        (account, arn))[0])
        return attached, boundary

    def usage_by_arn(self, account: str) -> dict[str, tuple[int, int]]:
        """(attachments, boundary uses) of every policy in use in ``account``: three queries for
        all of them, as listing the 100+ AWS managed policies would otherwise take hundreds."""
        counts: dict[str, list[int]] = {}
        for arn, n in self.db.query("SELECT policy_arn, COUNT(*) FROM attachments WHERE account = ? "
                                    "GROUP BY policy_arn", (account,)):
            counts.setdefault(arn, [0, 0])[0] += n
        for table in ("users", "roles"):
            for arn, n in self.db.query(f"SELECT boundary_arn, COUNT(*) FROM {table} WHERE account = ? AND "
                                        "boundary_arn IS NOT NULL GROUP BY boundary_arn", (account,)):
                counts.setdefault(arn, [0, 0])[1] += n
        return {arn: (a, b) for arn, (a, b) in counts.items()}

    def policy_shape(self, account: str, policy: dict, *, tags: bool = True,
                     usage: tuple[int, int] | None = None) -> dict:
        attached, boundary = usage if usage is not None else self._usage(account, policy["arn"])
        out = {"PolicyName": policy["name"], "PolicyId": policy["policy_id"], "Arn": policy["arn"],
               "Path": policy["path"], "DefaultVersionId": policy["default_version"], "AttachmentCount": attached,
               "PermissionsBoundaryUsageCount": boundary, "IsAttachable": True, "CreateDate": policy["created"],
               "UpdateDate": policy["updated"]}
        if policy["description"]:
            out["Description"] = policy["description"]
        if tags and policy["tags"]:
            out["Tags"] = tag_list(policy["tags"])
        return out

    # -- operations --------------------------------------------------------------------------

    def create_policy(self, ctx, params):
        name, path, document = params["PolicyName"], params.get("Path") or "/", params["PolicyDocument"]
        documents.check_managed(document)
        tags = tags_from_params(params)
        if self._local_policy_row(ctx.account, name) is not None:
            raise errors.entity_exists(f"A policy called {name} already exists. Duplicate names are not allowed.")
        now = self.clock.now()
        arn = ids.arn(ctx.account, "policy", path, name)
        with self.db.transaction():
            self.db.execute(
                f"INSERT INTO policies (account, {_POLICY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ctx.account, name.lower(), name, ids.unique_id(ids.POLICY), path, params.get("Description"),
                 "v1", 2, now, now, json.dumps(tags)))
            self.db.execute("INSERT INTO policy_versions (account, policy_arn, version_id, document, created) "
                            "VALUES (?, ?, ?, ?, ?)", (ctx.account, arn, "v1", document, now))
        policy = self._local_policy_row(ctx.account, name)
        shape = self.policy_shape(ctx.account, policy)
        shape.pop("Description", None)  # CreatePolicy's answer leaves the description out, as IAM does
        return {"Policy": shape}

    def get_policy(self, ctx, params):
        return {"Policy": self.policy_shape(ctx.account, self.require_policy(ctx.account, params["PolicyArn"]))}

    def delete_policy(self, ctx, params):
        policy = self.require_local_policy(ctx.account, params["PolicyArn"])
        attached, boundary = self._usage(ctx.account, policy["arn"])
        if attached or boundary:
            raise errors.delete_conflict("Cannot delete a policy attached to entities.")
        if len(self._versions(ctx.account, policy)) > 1:
            raise errors.delete_conflict(
                "This policy has more than one version. Before you delete a policy, you must delete the policy's "
                "versions. The default version is deleted with the policy.")
        with self.db.transaction():
            self.db.execute("DELETE FROM policies WHERE account = ? AND name_key = ?", (ctx.account, policy["key"]))
            self.db.execute("DELETE FROM policy_versions WHERE account = ? AND policy_arn = ?",
                            (ctx.account, policy["arn"]))
        return {}

    def all_local_policies(self, account: str) -> list[dict]:
        names = [r[0] for r in self.db.query("SELECT name FROM policies WHERE account = ?", (account,))]
        return [self._local_policy_row(account, name) for name in names]

    def list_policies(self, ctx, params):
        scope = params.get("Scope") or "All"
        policies = []
        if scope in ("All", "AWS"):
            policies += [_aws_dict(p) for p in all_aws_policies()]
        if scope in ("All", "Local"):
            policies += self.all_local_policies(ctx.account)
        wanted = path_filter(params)
        usage_filter = params.get("PolicyUsageFilter")
        usage = self.usage_by_arn(ctx.account)
        out = []
        for policy in policies:
            if not wanted(policy["path"]):
                continue
            attached, boundary = usage.get(policy["arn"], (0, 0))
            if params.get("OnlyAttached") and not (attached or boundary):
                continue
            if usage_filter == "PermissionsPolicy" and params.get("OnlyAttached") and not attached:
                continue
            if usage_filter == "PermissionsBoundary" and params.get("OnlyAttached") and not boundary:
                continue
            out.append(policy)
        page, more = paginate(out, params, key=lambda p: p["name"].lower() + "\0" + p["arn"])
        return {"Policies": [self.policy_shape(ctx.account, p, tags=False, usage=usage.get(p["arn"], (0, 0)))
                             for p in page], **more}

    # -- versions ----------------------------------------------------------------------------

    def create_policy_version(self, ctx, params):
        policy = self.require_local_policy(ctx.account, params["PolicyArn"])
        document = params["PolicyDocument"]
        documents.check_managed(document)
        if len(self._versions(ctx.account, policy)) >= MAX_VERSIONS:
            raise errors.limit_exceeded(
                f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new version, "
                "you must delete an existing version.")
        version = f"v{policy['next_version']}"
        now = self.clock.now()
        default = version if params.get("SetAsDefault") else policy["default_version"]
        with self.db.transaction():
            self.db.execute("INSERT INTO policy_versions (account, policy_arn, version_id, document, created) "
                            "VALUES (?, ?, ?, ?, ?)", (ctx.account, policy["arn"], version, document, now))
            self.db.execute("UPDATE policies SET next_version = ?, default_version = ?, updated = ? "
                            "WHERE account = ? AND name_key = ?",
                            (policy["next_version"] + 1, default, now, ctx.account, policy["key"]))
        return {"PolicyVersion": {"VersionId": version, "IsDefaultVersion": default == version, "CreateDate": now}}

    def _version_not_found(self, arn: str, version: str):
        return errors.no_such_entity(f"Policy {arn} version {version} does not exist or is not attachable.")

    def get_policy_version(self, ctx, params):
        policy = self.require_policy(ctx.account, params["PolicyArn"])
        version = params["VersionId"]
        for version_id, document, created in self._versions(ctx.account, policy):
            if version_id == version:
                return {"PolicyVersion": {"Document": ids.encode_document(document), "VersionId": version_id,
                                          "IsDefaultVersion": version_id == policy["default_version"],
                                          "CreateDate": created}}
        raise self._version_not_found(policy["arn"], version)

    def list_policy_versions(self, ctx, params):
        policy = self.require_policy(ctx.account, params["PolicyArn"])
        versions = [{"VersionId": v, "IsDefaultVersion": v == policy["default_version"], "CreateDate": created}
                    for v, _, created in self._versions(ctx.account, policy)]
        # newest first, as IAM lists them
        page, more = paginate(versions, params, key=lambda v: f"{10**6 - int(v['VersionId'][1:]):07d}")
        return {"Versions": page, **more}

    def delete_policy_version(self, ctx, params):
        policy = self.require_local_policy(ctx.account, params["PolicyArn"])
        version = params["VersionId"]
        if version == policy["default_version"]:
            raise errors.delete_conflict("Cannot delete the default version of a policy.")
        removed = self.db.execute("DELETE FROM policy_versions WHERE account = ? AND policy_arn = ? AND version_id = ?",
                                  (ctx.account, policy["arn"], version))
        if not removed:
            raise self._version_not_found(policy["arn"], version)
        return {}

    def set_default_policy_version(self, ctx, params):
        policy = self.require_local_policy(ctx.account, params["PolicyArn"])
        version = params["VersionId"]
        if not any(v == version for v, _, _ in self._versions(ctx.account, policy)):
            raise self._version_not_found(policy["arn"], version)
        self.db.execute("UPDATE policies SET default_version = ?, updated = ? WHERE account = ? AND name_key = ?",
                        (version, self.clock.now(), ctx.account, policy["key"]))
        return {}
