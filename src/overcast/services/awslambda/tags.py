"""TagResource, UntagResource, ListTags (core): the tags of a function, by unqualified ARN."""

from __future__ import annotations


class TagOperations:
    def tags_of(self, arn: str) -> dict[str, str]:
        return {key: value for key, value in self.db.query("SELECT key, value FROM tags WHERE arn = ?", (arn,))}
