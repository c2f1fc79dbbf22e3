"""KMS tags: ``[{"TagKey", "TagValue"}]``, keys 1-128 characters, values 0-256, at most 50 per key,
no ``aws:`` prefix (TagException), a repeated key in one request refused."""

from __future__ import annotations

import json

from overcast.services.kms.errors import TagException

MAX_TAGS = 50  # tags per KMS key (AWS quota)


def check_tags(tags: list[dict]) -> list[dict]:
    """The request's tags, checked; the model's lengths are checked before this."""
    seen = set()
    for tag in tags:
        key = tag.get("TagKey")
        if key is None or tag.get("TagValue") is None:
            raise TagException("Tag key and value are required.")
        if key.lower().startswith("aws:"):
            raise TagException("Tags beginning with aws: are reserved.")
        if key in seen:
            raise TagException("Duplicate tag keys.")
        seen.add(key)
    if len(tags) > MAX_TAGS:
        raise TagException(f"Too many tags: a KMS key can have at most {MAX_TAGS} tags.")
    return tags


def merge_tags(current: list[dict], new: list[dict]) -> list[dict]:
    """TagResource: a new value replaces the old one of the same key; new keys are appended."""
    merged = {tag["TagKey"]: tag["TagValue"] for tag in current}
    for tag in new:
        merged[tag["TagKey"]] = tag["TagValue"]
    if len(merged) > MAX_TAGS:
        raise TagException(f"Too many tags: a KMS key can have at most {MAX_TAGS} tags.")
    return [{"TagKey": key, "TagValue": value} for key, value in merged.items()]


def tags_json(tags: list[dict]) -> str:
    """Tags as the keys table stores them (``KeyRecord.tags``)."""
    return json.dumps(tags, separators=(",", ":"))
