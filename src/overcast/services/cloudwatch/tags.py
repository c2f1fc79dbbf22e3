"""TagResource, UntagResource, ListTagsForResource (filled in below the skeleton)."""

from __future__ import annotations


class TagOperations:
    """The tagging operations of the CloudWatch provider."""
