"""TagResource, UntagResource, ListTags (core): the tags of a function, by unqualified ARN.

A tagged resource must exist; a qualified function ARN is refused as AWS refuses it (tags
belong to the function, not to one of its versions or aliases)."""

from __future__ import annotations

from overcast.services.awslambda.arns import split_function_name
from overcast.services.awslambda.errors import InvalidParameterValueException
from overcast.services.awslambda.validation import check_input
from overcast.storage.scope import Scope

TAG_LIMIT = 50


class TagOperations:
    def tags_of(self, arn: str) -> dict[str, str]:
        return {key: value for key, value in self.db.query("SELECT key, value FROM tags WHERE arn = ?", (arn,))}

    def tag_resource(self, ctx, params: dict) -> None:
        check_input("TagResource", params)
        arn = self._tags_function_arn(ctx, params["Resource"])
        tags = params["Tags"]
        merged = {**self.tags_of(arn), **tags}
        if len(merged) > TAG_LIMIT:
            raise InvalidParameterValueException(f"Number of tags exceeds resource tag limit of {TAG_LIMIT}.")
        with self.db.transaction():
            for key, value in tags.items():
                self.db.execute("INSERT OR REPLACE INTO tags (arn, key, value) VALUES (?, ?, ?)", (arn, key, value))
        return None

    def untag_resource(self, ctx, params: dict) -> None:
        check_input("UntagResource", params)
        arn = self._tags_function_arn(ctx, params["Resource"])
        with self.db.transaction():
            for key in params["TagKeys"]:
                self.db.execute("DELETE FROM tags WHERE arn = ? AND key = ?", (arn, key))
        return None

    def list_tags(self, ctx, params: dict) -> dict:
        check_input("ListTags", params)
        return {"Tags": self.tags_of(self._tags_function_arn(ctx, params["Resource"]))}

    def _tags_function_arn(self, ctx, resource: str) -> str:
        parts = split_function_name(resource)
        if ":function:" not in resource or parts is None:
            raise InvalidParameterValueException(f"Unsupported resource: {resource}")
        if parts[3] is not None:
            raise InvalidParameterValueException("Tags are not supported on function versions or aliases. Use the "
                                                 "unqualified function ARN.")
        return self.resolve_function(Scope.of(ctx), resource).arn
