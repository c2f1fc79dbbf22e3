"""IAM's side of the authorization interface (``overcast.auth.authorization.authority``).

IAM ARNs include an entity's path, which the action tables fill from the existing user,
group or role a call names; an OIDC provider's ARN comes from its URL. A role's tags are
aws:ResourceTag/* (found by name: the tables' role ARNs carry no path). IAM is also the
identity service: ``principal_policies`` (principal_policies.py) gives a caller's policies.
"""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority


class IamAuthority(ResourceAuthority):
    def authorization_values(self, ctx, params: dict) -> dict:
        out = {}
        url = params.get("Url")
        if isinstance(url, str) and url:
            out["UrlHostPath"] = url.split("://", 1)[-1].rstrip("/")
        caller = ctx.credential.user_name if ctx.credential is not None else None
        for name, finder, path_key in ((params.get("UserName") or caller, self.find_user, "UserPath"),
                                       (params.get("GroupName"), self.find_group, "GroupPath"),
                                       (params.get("RoleName"), self.role_record, "RolePath")):
            if isinstance(name, str) and name:
                record = finder(ctx.account, name)
                if record is not None and getattr(record, "path", None):
                    out[path_key] = record.path
        return out

    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        parts = arn.split(":", 5)
        if not parts[5].startswith("role/"):
            return {}
        role = self.role_record(parts[4], parts[5].rsplit("/", 1)[-1])
        return dict(role.tags) if role is not None else {}
