"""EventBridge: TagResource, UntagResource, ListTagsForResource for buses and rules."""

from __future__ import annotations


class TagOperations:
    pass
