"""The tags a CreateBucket request carries in ``CreateBucketConfiguration`` (S3's checks, in
S3's order: shape, duplicate keys, the reserved ``aws:`` prefix, then the characters)."""

from __future__ import annotations

import re

from overcast.errors import AwsError

# keys 1-128 and values 0-256 characters of letters, digits, spaces and + - = . _ : / @
_TAG_TEXT = re.compile(r"^[\w\s+\-=.:/@]*$")
MAX_BUCKET_TAGS = 50  # S3: at most 50 tags on a bucket


def _malformed() -> AwsError:
    return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                    "published schema", 400)


def check_create_bucket_tags(tags) -> list[dict]:
    """The tags to store, or the error S3 answers for them."""
    if not isinstance(tags, list):
        raise _malformed()
    seen: set[str] = set()
    for tag in tags:
        if not isinstance(tag, dict) or set(tag) != {"Key", "Value"} or None in (tag["Key"], tag["Value"]):
            raise _malformed()
        key, value = tag["Key"], tag["Value"]
        if key in seen:
            raise AwsError("InvalidTag", "Cannot provide multiple Tags with the same key", 400, fields={"TagKey": key})
        if key.startswith("aws:"):
            # CreateBucket's own text, without the TagKey PutBucketTagging names
            raise AwsError("InvalidTag", "User-defined tag keys can't start with \"aws:\". This prefix is reserved "
                           "for system tags. Remove \"aws:\" from your tag keys and try again.", 400)
        if not 1 <= len(key) <= 128 or not _TAG_TEXT.match(key):
            raise AwsError("InvalidTag", "The TagKey you have provided is invalid", 400, fields={"TagKey": key})
        if len(value) > 256 or not _TAG_TEXT.match(value):
            raise AwsError("InvalidTag", "The TagValue you have provided is invalid", 400,
                           fields={"TagKey": key, "TagValue": value})
        seen.add(key)
    if len(tags) > MAX_BUCKET_TAGS:
        raise AwsError("BadRequest", "Bucket tag count cannot be greater than 50", 400)
    return [{"Key": t["Key"], "Value": t["Value"]} for t in tags]
