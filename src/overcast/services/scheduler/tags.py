"""Tags of schedule groups: TagResource, UntagResource, ListTagsForResource. Scheduler tags
groups only (schedules are organised, and tagged, through their group)."""

from __future__ import annotations

from overcast.services.scheduler.arns import split_group_arn
from overcast.services.scheduler.errors import ResourceNotFoundException, ValidationException
from overcast.services.scheduler.validation import check_input
from overcast.storage.scope import Scope

MAX_TAGS = 200  # the model's TagList maximum


class TagOperations:
    @staticmethod
    def tag_dict(tags: list[dict]) -> dict[str, str]:
        """Tags given as a TagList; keys beginning ``aws:`` are AWS's own."""
        result = {}
        for tag in tags:
            if tag["Key"].lower().startswith("aws:"):
                raise ValidationException("Tag keys prefixed with 'aws:' are reserved for AWS use.")
            result[tag["Key"]] = tag["Value"]
        return result

    def group_tags(self, scope: Scope, group: str) -> dict[str, str]:
        return dict(self.db.query("SELECT tag_key, tag_value FROM group_tags WHERE account = ? AND region = ? AND "
                                  "group_name = ? ORDER BY tag_key", (*scope, group)))

    def _tagged_group(self, ctx, arn: str) -> tuple[Scope, str]:
        found = split_group_arn(arn)
        if found is None or found[0] != Scope.of(ctx) or self.group_row(*found) is None:
            name = found[1] if found else arn
            raise ResourceNotFoundException(f"Schedule group {name} does not exist.")
        return found

    def tag_resource(self, ctx, params: dict) -> dict:
        check_input("TagResource", params)
        scope, group = self._tagged_group(ctx, params["ResourceArn"])
        tags = self.tag_dict(params["Tags"])
        if len(set(self.group_tags(scope, group)) | set(tags)) > MAX_TAGS:
            raise ValidationException(f"Schedule group {group} cannot have more than {MAX_TAGS} tags.")
        self.db.executemany("INSERT INTO group_tags (account, region, group_name, tag_key, tag_value) "
                            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET tag_value = excluded.tag_value",
                            [(*scope, group, k, v) for k, v in tags.items()])
        return {}

    def untag_resource(self, ctx, params: dict) -> dict:
        check_input("UntagResource", params)
        scope, group = self._tagged_group(ctx, params["ResourceArn"])
        self.db.executemany("DELETE FROM group_tags WHERE account = ? AND region = ? AND group_name = ? AND "
                            "tag_key = ?", [(*scope, group, key) for key in params["TagKeys"]])
        return {}

    def list_tags_for_resource(self, ctx, params: dict) -> dict:
        check_input("ListTagsForResource", params)
        scope, group = self._tagged_group(ctx, params["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in self.group_tags(scope, group).items()]}
