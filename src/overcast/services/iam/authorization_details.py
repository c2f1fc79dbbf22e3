"""GetAccountAuthorizationDetails (Filter, Marker/MaxItems) and GetAccountSummary.

AWS managed policies appear in the details only when attached to something in the account, as
IAM reports them. Pages run over users, then groups, then roles, then policies.
"""

from __future__ import annotations

from overcast.services.iam import groups as groups_module
from overcast.services.iam import instance_profiles, roles, users
from overcast.services.iam.access_keys import MAX_KEYS
from overcast.services.iam.attachments import MAX_ATTACHED
from overcast.services.iam.aws_managed import all_aws_policies
from overcast.services.iam.ids import encode_document
from overcast.services.iam.listing import paginate
from overcast.services.iam.policies import MAX_VERSIONS, _aws_dict
from overcast.services.iam.records import boundary_shape, tag_list

_ALL = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")
_ORDER = {"User": 0, "Group": 1, "Role": 2, "LocalManagedPolicy": 3, "AWSManagedPolicy": 3}


class AuthorizationDetailsOperations:
    def _attached_shapes(self, account: str, kind: str, key: str) -> list[dict]:
        out = []
        for arn in self.attached_arns(account, kind, key):
            policy = self.find_policy(account, arn)
            if policy is not None:
                out.append({"PolicyName": policy["name"], "PolicyArn": arn})
        return out

    def _inline_shapes(self, account: str, kind: str, key: str) -> list[dict]:
        return [{"PolicyName": name, "PolicyDocument": encode_document(doc)}
                for name, doc in self.inline_documents(account, kind, key)]

    def _user_detail(self, user) -> dict:
        out = {"Path": user.path, "UserName": user.name, "UserId": user.user_id, "Arn": user.arn,
               "CreateDate": user.created, "UserPolicyList": self._inline_shapes(user.account, "user", user.key),
               "GroupList": [g.name for g in self.groups_of_user(user.account, user.key)],
               "AttachedManagedPolicies": self._attached_shapes(user.account, "user", user.key),
               **boundary_shape(user.boundary_arn)}
        if user.tags:
            out["Tags"] = tag_list(user.tags)
        return out

    def _group_detail(self, group) -> dict:
        return {**group.shape(), "GroupPolicyList": self._inline_shapes(group.account, "group", group.key),
                "AttachedManagedPolicies": self._attached_shapes(group.account, "group", group.key)}

    def _role_detail(self, role) -> dict:
        keys = {r[0] for r in self.db.query("SELECT profile_key FROM profile_roles WHERE account = ? AND role_key = ?",
                                            (role.account, role.key))}
        profiles = [self.profile_shape(p) for p in self.all_profiles(role.account) if p.key in keys]
        out = role.shape()
        out.pop("MaxSessionDuration", None)
        out.pop("Description", None)
        out.update({"InstanceProfileList": profiles,
                    "RolePolicyList": self._inline_shapes(role.account, "role", role.key),
                    "AttachedManagedPolicies": self._attached_shapes(role.account, "role", role.key)})
        return out

    def _policy_detail(self, account: str, policy: dict) -> dict:
        out = self.policy_shape(account, policy, tags=False)
        out["PolicyVersionList"] = [
            {"Document": encode_document(doc), "VersionId": v, "IsDefaultVersion": v == policy["default_version"],
             "CreateDate": created} for v, doc, created in self._versions(account, policy)]
        return out

    def get_account_authorization_details(self, ctx, params):
        account = ctx.account
        wanted = set(params.get("Filter") or _ALL)
        items: list[tuple[str, str, object]] = []
        if "User" in wanted:
            items += [("User", u.key, u) for u in self.all_users(account)]
        if "Group" in wanted:
            items += [("Group", g.key, g) for g in self.all_groups(account)]
        if "Role" in wanted:
            items += [("Role", r.key, r) for r in self.all_roles(account)]
        if "LocalManagedPolicy" in wanted:
            items += [("LocalManagedPolicy", p["arn"], p) for p in self.all_local_policies(account)]
        if "AWSManagedPolicy" in wanted:
            usage = self.usage_by_arn(account)
            for aws in all_aws_policies():
                policy = _aws_dict(aws)
                if any(usage.get(policy["arn"], (0, 0))):
                    items.append(("AWSManagedPolicy", policy["arn"], policy))
        page, more = paginate(items, params, key=lambda item: f"{_ORDER[item[0]]}\0{item[1]}")
        out = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
        for kind, _, entity in page:
            if kind == "User":
                out["UserDetailList"].append(self._user_detail(entity))
            elif kind == "Group":
                out["GroupDetailList"].append(self._group_detail(entity))
            elif kind == "Role":
                out["RoleDetailList"].append(self._role_detail(entity))
            else:
                out["Policies"].append(self._policy_detail(account, entity))
        return {**out, **more}

    def get_account_summary(self, ctx, params):
        account = ctx.account

        def count(sql: str) -> int:
            return self.db.query_one(sql, (account,))[0]

        summary = {
            "Users": count("SELECT COUNT(*) FROM users WHERE account = ?"),
            "UsersQuota": users.MAX_USERS,
            "Groups": count("SELECT COUNT(*) FROM groups WHERE account = ?"),
            "GroupsQuota": groups_module.MAX_GROUPS,
            "GroupsPerUserQuota": groups_module.MAX_GROUPS_PER_USER,
            "Roles": count("SELECT COUNT(*) FROM roles WHERE account = ?"),
            "RolesQuota": roles.MAX_ROLES,
            "InstanceProfiles": count("SELECT COUNT(*) FROM instance_profiles WHERE account = ?"),
            "InstanceProfilesQuota": instance_profiles.MAX_PROFILES,
            "Policies": count("SELECT COUNT(*) FROM policies WHERE account = ?"),
            "PolicyVersionsInUse": count("SELECT COUNT(*) FROM policy_versions WHERE account = ?"),
            "PolicyVersionsInUseQuota": 10_000,
            "VersionsPerPolicyQuota": MAX_VERSIONS,
            "AttachedPoliciesPerUserQuota": MAX_ATTACHED,
            "AttachedPoliciesPerGroupQuota": MAX_ATTACHED,
            "AttachedPoliciesPerRoleQuota": MAX_ATTACHED,
            "AccessKeysPerUserQuota": MAX_KEYS,
            "ServerCertificates": 0,
            "ServerCertificatesQuota": 20,
            "Providers": count("SELECT COUNT(*) FROM oidc_providers WHERE account = ?"),
            "MFADevices": 0,
            "MFADevicesInUse": 0,
            "AccountMFAEnabled": 0,
            "AccountAccessKeysPresent": count("SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_key = ''"),
            "AccountSigningCertificatesPresent": 0,
            "UserPolicySizeQuota": 2048,
            "GroupPolicySizeQuota": 5120,
            "RolePolicySizeQuota": 10240,
            "PolicySizeQuota": 6144,
            "AssumeRolePolicySizeQuota": 2048,
            "SigningCertificatesPerUserQuota": 2,
        }
        return {"SummaryMap": summary}
