"""Tags of groups and sampling rules: TagResource, UntagResource, ListTagsForResource.

Limits (X-Ray API reference, Tag): at most 50 tags per resource; keys 1-128 characters,
values 0-256; keys starting with ``aws:`` are reserved."""

from __future__ import annotations

import json

from overcast.services.xray.errors import InvalidRequest, ResourceNotFound, TooManyTags
from overcast.services.xray.validation import check_input

MAX_TAGS = 50


def checked_tags(tags) -> dict[str, str]:
    """A request's ``[{"Key", "Value"}]`` list as a dict (the model checked each member)."""
    out: dict[str, str] = {}
    for tag in tags or ():
        if tag["Key"].lower().startswith("aws:"):
            raise InvalidRequest(message="Tag keys prefixed with 'aws:' are reserved for AWS use")
        out[tag["Key"]] = tag["Value"]
    return out


class TagStore:
    """Tags by resource ARN (``resource_tags`` table)."""

    def __init__(self, db):
        self.db = db

    def get(self, arn: str) -> dict[str, str]:
        row = self.db.query_one("SELECT tags FROM resource_tags WHERE arn = ?", (arn,))
        return json.loads(row[0]) if row else {}

    def put(self, arn: str, tags: dict[str, str]) -> None:
        self.db.execute("INSERT INTO resource_tags (arn, tags) VALUES (?, ?) "
                        "ON CONFLICT (arn) DO UPDATE SET tags = excluded.tags", (arn, json.dumps(tags)))

    def drop(self, arn: str) -> None:
        self.db.execute("DELETE FROM resource_tags WHERE arn = ?", (arn,))


class TagOperations:
    def _taggable(self, ctx, arn: str) -> None:
        """Raise ResourceNotFoundException unless ``arn`` is a group or sampling rule of the caller."""
        if self.groups_store.by_arn(ctx.account, ctx.region, arn) is not None:
            return
        for record in self.sampling_rules.records(ctx.account, ctx.region):
            if record["SamplingRule"]["RuleARN"] == arn:
                return
        raise ResourceNotFound(message=f"Resource {arn} not found", fields={"ResourceName": arn})

    def tag_resource(self, ctx, params: dict) -> dict:
        check_input("TagResource", params)
        arn = params["ResourceARN"]
        new = checked_tags(params["Tags"])
        self._taggable(ctx, arn)
        tags = {**self.tags.get(arn), **new}
        if len(tags) > MAX_TAGS:
            raise TooManyTags(message=f"Resource {arn} cannot have more than {MAX_TAGS} tags",
                              fields={"ResourceName": arn})
        self.tags.put(arn, tags)
        return {}

    def untag_resource(self, ctx, params: dict) -> dict:
        check_input("UntagResource", params)
        arn = params["ResourceARN"]
        self._taggable(ctx, arn)
        tags = self.tags.get(arn)
        for key in params["TagKeys"]:
            tags.pop(key, None)
        self.tags.put(arn, tags)
        return {}

    def list_tags_for_resource(self, ctx, params: dict) -> dict:
        check_input("ListTagsForResource", params)
        arn = params["ResourceARN"]
        self._taggable(ctx, arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(self.tags.get(arn).items())]}
