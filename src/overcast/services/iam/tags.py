"""Tags on users, roles, instance profiles, managed policies and OIDC providers.

IAM allows 50 tags per resource, keys of 1-128 and values of 0-256 characters (the model checks
lengths and patterns); keys are case-insensitive: a tag whose key differs only in case replaces
the earlier one, and one request may not carry such duplicates.
"""

from __future__ import annotations

import json

from overcast.services.iam import errors
from overcast.services.iam.listing import paginate
from overcast.services.iam.records import tag_list

MAX_TAGS = 50  # tags per IAM resource


def tags_from_params(params: dict) -> dict[str, str]:
    """The request's ``Tags`` as an ordered dict; duplicate keys (ignoring case) are InvalidInput."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for tag in params.get("Tags") or []:
        key = tag.get("Key", "")
        if key.lower() in seen:
            raise errors.invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen.add(key.lower())
        out[key] = tag.get("Value", "")
    if len(out) > MAX_TAGS:
        raise errors.limit_exceeded("The number of tags has reached the maximum limit.")
    return out


def merged(existing: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """``existing`` with ``new`` applied: same key in another case replaces, as IAM does."""
    out = {k: v for k, v in existing.items() if k.lower() not in {n.lower() for n in new}}
    out.update(new)
    if len(out) > MAX_TAGS:
        raise errors.limit_exceeded("The number of tags has reached the maximum limit.")
    return out


def without(existing: dict[str, str], keys: list[str]) -> dict[str, str]:
    drop = {k.lower() for k in keys}
    return {k: v for k, v in existing.items() if k.lower() not in drop}


class TagOperations:
    """Tag*/Untag*/List*Tags for each taggable kind; each kind locates (table, key column, key)."""

    def _tag_target(self, ctx, kind: str, params: dict, *, modify: bool = True) -> tuple[str, str, str, dict]:
        """(table, key column, key, current tags); ``modify``: refuse protected and AWS-owned targets."""
        account = ctx.account
        if kind == "user":
            user = self.require_user(account, params["UserName"])
            return "users", "name_key", user.key, user.tags
        if kind == "role":
            role = self.require_role(account, params["RoleName"])
            if modify and role.service_linked:
                raise errors.unmodifiable(
                    f"Cannot perform the operation on the protected role '{role.name}' - "
                    "this role is only modifiable by AWS")
            return "roles", "name_key", role.key, role.tags
        if kind == "profile":
            profile = self.require_profile(account, params["InstanceProfileName"])
            return "instance_profiles", "name_key", profile.key, profile.tags
        if kind == "policy":
            policy = (self.require_local_policy if modify else self.require_policy)(account, params["PolicyArn"])
            return "policies", "name_key", policy["key"], policy["tags"]
        provider = self.require_oidc(account, params["OpenIDConnectProviderArn"])
        return "oidc_providers", "url_key", provider["key"], provider["tags"]

    def _save_tags(self, account: str, table: str, column: str, key: str, tags: dict) -> None:
        self.db.execute(f"UPDATE {table} SET tags = ? WHERE account = ? AND {column} = ?",
                        (json.dumps(tags), account, key))

    def _tag(self, ctx, kind: str, params: dict) -> dict:
        table, column, key, tags = self._tag_target(ctx, kind, params)
        self._save_tags(ctx.account, table, column, key, merged(tags, tags_from_params(params)))
        return {}

    def _untag(self, ctx, kind: str, params: dict) -> dict:
        table, column, key, tags = self._tag_target(ctx, kind, params)
        self._save_tags(ctx.account, table, column, key, without(tags, params.get("TagKeys") or []))
        return {}

    def _list_tags(self, ctx, kind: str, params: dict) -> dict:
        _, _, _, tags = self._tag_target(ctx, kind, params, modify=False)
        page, more = paginate(list(tags.items()), params, key=lambda item: item[0])
        return {"Tags": tag_list(dict(page)), **more}

    def tag_user(self, ctx, params):
        return self._tag(ctx, "user", params)

    def untag_user(self, ctx, params):
        return self._untag(ctx, "user", params)

    def list_user_tags(self, ctx, params):
        return self._list_tags(ctx, "user", params)

    def tag_role(self, ctx, params):
        return self._tag(ctx, "role", params)

    def untag_role(self, ctx, params):
        return self._untag(ctx, "role", params)

    def list_role_tags(self, ctx, params):
        return self._list_tags(ctx, "role", params)

    def tag_instance_profile(self, ctx, params):
        return self._tag(ctx, "profile", params)

    def untag_instance_profile(self, ctx, params):
        return self._untag(ctx, "profile", params)

    def list_instance_profile_tags(self, ctx, params):
        return self._list_tags(ctx, "profile", params)

    def tag_policy(self, ctx, params):
        return self._tag(ctx, "policy", params)

    def untag_policy(self, ctx, params):
        return self._untag(ctx, "policy", params)

    def list_policy_tags(self, ctx, params):
        return self._list_tags(ctx, "policy", params)

    def tag_open_id_connect_provider(self, ctx, params):
        return self._tag(ctx, "oidc", params)

    def untag_open_id_connect_provider(self, ctx, params):
        return self._untag(ctx, "oidc", params)

    def list_open_id_connect_provider_tags(self, ctx, params):
        return self._list_tags(ctx, "oidc", params)
