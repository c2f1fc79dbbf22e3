"""Tags of log groups: TagResource, UntagResource, ListTagsForResource (by ARN: a group's or a
destination's) and the older TagLogGroup, UntagLogGroup, ListTagsLogGroup (by name). A
resource has at most 50 tags. A destination keeps its tags with its configuration
(``destinations.py``)."""

from __future__ import annotations

from overcast.services.logs.errors import InvalidParameterException, ResourceNotFoundException
from overcast.services.logs.identifiers import split_group_arn
from overcast.services.logs.validation import check_input
from overcast.storage.scope import Scope

MAX_TAGS = 50  # "A log group can have a maximum of 50 tags" (TagResource's documentation)
TOO_MANY_TAGS = "Too many tags: a log group can have a maximum of 50 tags."
RESOURCE_NOT_FOUND = "The specified resource does not exist."


def check_tags(tags: dict | None) -> None:
    """Tag keys beginning ``aws:`` are reserved for AWS."""
    for key in tags or {}:
        if key.lower().startswith("aws:"):
            raise InvalidParameterException("Tag keys prefixed with 'aws:' are reserved for AWS use.")


class TagOperations:
    def tags_of(self, group_id: int) -> dict[str, str]:
        rows = self.db.query("SELECT tag_key, tag_value FROM log_group_tags WHERE group_id = ? ORDER BY tag_key",
                             (group_id,))
        return dict(rows)

    def _group_of_arn(self, ctx, arn: str):
        parts = split_group_arn(arn)
        if parts is None or (parts[1], parts[0]) != tuple(Scope.of(ctx)) or arn.endswith(":*"):
            raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
        group = self.group_row(Scope.of(ctx), parts[2])
        if group is None:
            raise ResourceNotFoundException(RESOURCE_NOT_FOUND)
        return group

    def _add_tags(self, group_id: int, tags: dict) -> None:
        check_tags(tags)
        current = self.tags_of(group_id)
        if len(set(current) | set(tags)) > MAX_TAGS:
            raise InvalidParameterException(TOO_MANY_TAGS)
        with self.db.transaction():
            self.db.executemany("INSERT INTO log_group_tags (group_id, tag_key, tag_value) VALUES (?, ?, ?) "
                                "ON CONFLICT (group_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
                                [(group_id, k, v) for k, v in tags.items()])

    def _remove_tags(self, group_id: int, keys: list[str]) -> None:
        with self.db.transaction():
            self.db.executemany("DELETE FROM log_group_tags WHERE group_id = ? AND tag_key = ?",
                                [(group_id, k) for k in keys])

    def tag_resource(self, ctx, params: dict) -> dict:
        check_input("TagResource", params)
        destination = self.destination_of_arn(ctx, params["resourceArn"])
        if destination is not None:
            check_tags(params["tags"])
            tags = {**destination.get("tags", {}), **params["tags"]}
            if len(tags) > MAX_TAGS:
                raise InvalidParameterException(TOO_MANY_TAGS)
            self.save_destination_tags(ctx, destination, tags)
            return {}
        self._add_tags(self._group_of_arn(ctx, params["resourceArn"]).group_id, params["tags"])
        return {}

    def untag_resource(self, ctx, params: dict) -> dict:
        check_input("UntagResource", params)
        destination = self.destination_of_arn(ctx, params["resourceArn"])
        if destination is not None:
            removed = set(params["tagKeys"])
            self.save_destination_tags(ctx, destination, {k: v for k, v in destination.get("tags", {}).items()
                                                          if k not in removed})
            return {}
        self._remove_tags(self._group_of_arn(ctx, params["resourceArn"]).group_id, params["tagKeys"])
        return {}

    def list_tags_for_resource(self, ctx, params: dict) -> dict:
        check_input("ListTagsForResource", params)
        destination = self.destination_of_arn(ctx, params["resourceArn"])
        if destination is not None:
            return {"tags": dict(sorted(destination.get("tags", {}).items()))}
        return {"tags": self.tags_of(self._group_of_arn(ctx, params["resourceArn"]).group_id)}

    def tag_log_group(self, ctx, params: dict) -> dict:
        check_input("TagLogGroup", params)
        self._add_tags(self.require_group(Scope.of(ctx), params["logGroupName"]).group_id, params["tags"])
        return {}

    def untag_log_group(self, ctx, params: dict) -> dict:
        check_input("UntagLogGroup", params)
        self._remove_tags(self.require_group(Scope.of(ctx), params["logGroupName"]).group_id, params["tags"])
        return {}

    def list_tags_log_group(self, ctx, params: dict) -> dict:
        check_input("ListTagsLogGroup", params)
        return {"tags": self.tags_of(self.require_group(Scope.of(ctx), params["logGroupName"]).group_id)}
