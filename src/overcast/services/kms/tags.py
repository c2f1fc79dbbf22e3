"""Key tags: TagResource, UntagResource, ListResourceTags."""

from __future__ import annotations

from overcast.services.kms.markers import page
from overcast.services.kms.tag_rules import check_tags, merge_tags, tags_json
from overcast.services.kms.validation import check_input


class TagOperations:
    """The tagging operations of the KMS provider."""

    def tag_resource(self, ctx, params: dict) -> dict:
        check_input("TagResource", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="TagResource")
        tags = merge_tags(record.tag_list, check_tags(params["Tags"]))
        self.keys.update(record, tags=tags_json(tags))
        return {}

    def untag_resource(self, ctx, params: dict) -> dict:
        check_input("UntagResource", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="UntagResource")
        drop = set(params["TagKeys"])
        tags = [tag for tag in record.tag_list if tag["TagKey"] not in drop]
        self.keys.update(record, tags=tags_json(tags))
        return {}

    def list_resource_tags(self, ctx, params: dict) -> dict:
        check_input("ListResourceTags", params)
        record = self.keys.resolve(ctx, params["KeyId"], operation="ListResourceTags")
        tags = sorted(record.tag_list, key=lambda tag: tag["TagKey"])

        def fetch(after: str, limit: int):
            return [tag for tag in tags if tag["TagKey"] > after][:limit]

        items, next_marker = page(fetch, params, key=lambda tag: tag["TagKey"], default_limit=50)
        out = {"Tags": items, "Truncated": next_marker is not None}
        if next_marker is not None:
            out["NextMarker"] = next_marker
        return out
