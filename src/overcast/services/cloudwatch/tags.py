"""TagResource, UntagResource, ListTagsForResource over every taggable CloudWatch resource.

The tags live in one table keyed by ARN (``tag_schema.py``); whether the ARN names an
existing resource is asked of every concern: each mixin that owns a resource type may define
``resource_exists(scope, arn) -> bool`` (alarms, dashboards...), and an ARN none of them
knows answers ResourceNotFoundException. Concerns write the tags given at creation with
``put_tags`` and drop them with ``forget_tags`` when the resource is deleted.
"""

from __future__ import annotations

import re

from overcast.services.cloudwatch.errors import InvalidParameterValue, LimitExceeded, ResourceNotFoundException
from overcast.services.cloudwatch.validation import require
from overcast.storage.scope import Scope

# arn:aws:cloudwatch:<region>:<account>:alarm:<name>, ...:dashboard/<name> (dashboards are
# global: no region), ...:insight-rule/<name>, ...:metric-stream/<name>
ARN = re.compile(r"arn:aws[a-z-]*:cloudwatch:([a-z0-9-]*):(\d{12}):"
                 r"(alarm:|dashboard/|insight-rule/|metric-stream/)(.+)")
MAX_TAGS = 50  # tags per resource (AWS tagging limits)


def check_tags(tags) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, tag in enumerate(tags or [], 1):
        key = require(tag, "Key", f"Tags.member.{i}.Key")
        value = require(tag, "Value", f"Tags.member.{i}.Value")
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise InvalidParameterValue(f"The value {key} for parameter Tags.member.{i} is invalid.")
        if key.lower().startswith("aws:"):
            raise InvalidParameterValue("Invalid tag key: tag keys beginning with aws: are reserved for AWS use.")
        out[key] = value
    return out


class TagOperations:
    """The tagging operations of the CloudWatch provider, and the tag store the other
    concerns use."""

    # -- the store -------------------------------------------------------------------------

    def tags_of(self, scope, arn: str) -> dict[str, str]:
        rows = self.db.query(f"SELECT tag_key, tag_value FROM resource_tags WHERE {Scope.WHERE} AND arn = ?"
                             " ORDER BY tag_key", (*scope, arn))
        return dict(rows)

    def put_tags(self, scope, arn: str, tags: dict[str, str]) -> None:
        """Add or overwrite tags of ``arn`` (at most 50 in all)."""
        if not tags:
            return
        if len({**self.tags_of(scope, arn), **tags}) > MAX_TAGS:
            raise LimitExceeded(f"The maximum number of tags ({MAX_TAGS}) for the resource would be exceeded.")
        self.db.executemany(
            "INSERT INTO resource_tags (account, region, arn, tag_key, tag_value) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (account, region, arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
            [(*scope, arn, key, value) for key, value in tags.items()])

    def forget_tags(self, scope, arn: str) -> None:
        self.db.execute(f"DELETE FROM resource_tags WHERE {Scope.WHERE} AND arn = ?", (*scope, arn))

    def tag_resource_internal(self, scope, arn: str, tags: list[dict]) -> None:
        """The Tags a Put* operation creates its resource with (checked as TagResource checks them)."""
        self.put_tags(scope, arn, check_tags(tags))

    forget_tags_internal = forget_tags

    def _tagged_resource(self, ctx, params: dict) -> tuple[Scope, str]:
        arn = require(params, "ResourceARN")
        match = ARN.fullmatch(arn) if isinstance(arn, str) else None
        if match is None:
            raise InvalidParameterValue(f"The value {arn} for parameter ResourceARN is invalid.")
        region, account = match.group(1), match.group(2)
        # dashboards are global: their ARN has no region, and their tags are kept with it
        scope = Scope(account, region)
        owner_scope = Scope(account, region or ctx.region)
        if account != ctx.account or not self._resource_exists(owner_scope, arn):
            raise ResourceNotFoundException("The specified resource does not exist.")
        return scope, arn

    def _resource_exists(self, scope, arn: str) -> bool:
        for mixin in type(self).__mro__:
            hook = mixin.__dict__.get("resource_exists")
            if hook is not None and hook(self, scope, arn):
                return True
        return False

    # -- the operations --------------------------------------------------------------------

    def tag_resource(self, ctx, params: dict) -> dict:
        tags = check_tags(require(params, "Tags"))
        scope, arn = self._tagged_resource(ctx, params)
        with self.db.transaction():
            self.put_tags(scope, arn, tags)
        return {}

    def untag_resource(self, ctx, params: dict) -> dict:
        keys = require(params, "TagKeys")
        scope, arn = self._tagged_resource(ctx, params)
        if keys:
            self.db.executemany(f"DELETE FROM resource_tags WHERE {Scope.WHERE} AND arn = ? AND tag_key = ?",
                                [(*scope, arn, key) for key in keys])
        return {}

    def list_tags_for_resource(self, ctx, params: dict) -> dict:
        scope, arn = self._tagged_resource(ctx, params)
        return {"Tags": [{"Key": key, "Value": value} for key, value in self.tags_of(scope, arn).items()]}
