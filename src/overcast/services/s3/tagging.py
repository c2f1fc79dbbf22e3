"""S3 object tagging: Put/Get/DeleteObjectTagging and the ``x-amz-tagging`` header.

Tags live in the version's ``attrs["tags"]`` as ``[[key, value], ...]`` in the order given;
changing them (``store.update_attrs``) never makes a new version. ``x-amz-tagging`` on
PutObject, CreateMultipartUpload and CopyObject is a URL query string (``a=1&b=2``).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from overcast.errors import AwsError

# Limits from "Categorizing your storage using tags" (S3 user guide)
MAX_TAGS = 10
MAX_KEY_CHARS = 128
MAX_VALUE_CHARS = 256
# letters, numbers and spaces representable in UTF-8, and + - = . _ : / @
_ALLOWED = re.compile(r"^[\w\s+\-=.:/@]*$", re.UNICODE)


def _invalid_tag(message: str, key: str | None = None, value: str | None = None) -> AwsError:
    """S3's InvalidTag, naming the offending tag as S3 does (``TagKey``, and ``TagValue``
    for a value's fault)."""
    fields = {}
    if key is not None:
        fields["TagKey"] = key
    if value is not None:
        fields["TagValue"] = value
    return AwsError("InvalidTag", message, 400, fields=fields or None)


def check_tags(pairs: list[tuple[str, str]]) -> list[list[str]]:
    """Validate a tag set as S3 does (count, lengths, characters, duplicate keys); returns
    the stored form ``[[key, value], ...]``."""
    if len(pairs) > MAX_TAGS:
        raise _invalid_tag("Object tags cannot be greater than 10")
    seen = set()
    for key, value in pairs:
        if len(key) > MAX_KEY_CHARS:
            raise _invalid_tag("The TagKey you have provided is too long, max 128", key)
        if len(value) > MAX_VALUE_CHARS:
            raise _invalid_tag("The TagValue you have provided is too long, max 256", key, value)
        if not key or not _ALLOWED.match(key):
            raise _invalid_tag("The TagKey you have provided is invalid", key)
        if not _ALLOWED.match(value):
            raise _invalid_tag("The TagValue you have provided is invalid", key, value)
        if key.lower().startswith("aws:"):
            raise _invalid_tag("Your TagKey cannot be prefixed with aws:", key)
        if key in seen:
            raise _invalid_tag("Cannot provide multiple Tags with the same key", key)
        seen.add(key)
    return [[key, value] for key, value in pairs]


def _bad_tagging_header(header: str) -> AwsError:
    return AwsError("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded "
                    "URL query parameters without tag name duplicates.", 400,
                    fields={"ArgumentName": "x-amz-tagging", "ArgumentValue": header})


_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _form_decode(text: str, header: str) -> str:
    """One URL-encoded name or value: ``+`` is a space, ``%XX`` bytes must form UTF-8."""
    if _PERCENT.search(text):
        raise _bad_tagging_header(header)
    try:
        return unquote_to_bytes(text.replace("+", " ")).decode("utf-8")
    except UnicodeDecodeError:
        raise _bad_tagging_header(header) from None


def parse_tagging_header(header: str) -> list[tuple[str, str]]:
    """The ``(key, value)`` pairs of an ``x-amz-tagging`` header as S3 reads it: URL-encoded
    UTF-8 query pairs, a name without ``=`` being a tag with an empty value; a repeated name
    or a broken encoding is InvalidArgument."""
    try:  # the header's bytes arrive as latin-1 text: UTF-8 sent raw is read as UTF-8
        text = header.encode("latin-1").decode("utf-8") if not header.isascii() else header
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise _bad_tagging_header(header) from None
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        key = _form_decode(name, header)
        if key in seen:
            raise _bad_tagging_header(header)
        seen.add(key)
        pairs.append((key, _form_decode(value, header)))
    return pairs


def tags_from_header(header: str | None) -> list[list[str]] | None:
    """The tags of an ``x-amz-tagging`` header (URL query encoded), validated; None when the
    header is absent. Used by PutObject, CreateMultipartUpload and CopyObject."""
    if header is None:
        return None
    return check_tags(parse_tagging_header(header))


def tag_count_headers(attrs: dict) -> dict:
    """``TagCount`` (``x-amz-tagging-count``) for GET/HEAD of an object that has tags."""
    tags = attrs.get("tags")
    return {"TagCount": len(tags)} if tags else {}


def apply_tagging_header(params: dict, attrs: dict) -> None:
    """Store the tags of a write's ``x-amz-tagging`` header (``Tagging``) in ``attrs``."""
    tags = tags_from_header(params.get("Tagging"))
    if tags:
        attrs["tags"] = tags


class TaggingMixin:
    def object_tags_for(self, bucket: str, key: str, version_id: str | None = None,
                        region: str | None = None) -> dict[str, str]:
        """The tags of an object (its current version, or ``version_id``), for strict mode's
        s3:ExistingObjectTag/<key>; {} when there is no such object."""
        from overcast.storage.scope import partition_of

        from .store import is_version_id

        partition = partition_of(region or self.cloud.settings.region)
        if version_id is not None:
            found = self.store.version(partition, bucket, key, version_id) if is_version_id(version_id) else None
        else:
            found = self.store.current(partition, bucket, key)
        if found is None or found.marker:
            return {}
        return {name: value for name, value in found.attrs.get("tags") or ()}

    def _tagged_version(self, ctx, params: dict):
        """(bucket, version) a tagging call names; a delete marker answers as S3 does."""
        bucket = self.bucket_row(ctx, params["Bucket"])
        version = self._object_version(ctx, bucket, params["Key"], params)
        return bucket, version

    def put_object_tagging(self, ctx, params: dict) -> dict:
        bucket, version = self._tagged_version(ctx, params)
        tag_set = (params.get("Tagging") or {}).get("TagSet") or []
        pairs = []
        for tag in tag_set:
            if tag.get("Key") is None or tag.get("Value") is None:
                raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate "
                               "against our published schema", 400)
            pairs.append((tag["Key"], tag["Value"]))
        tags = check_tags(pairs)
        self.store.update_attrs(bucket.partition, bucket.name, version.key, version.version, tags=tags or None)
        return self._tagging_version_header(version, bucket)

    def get_object_tagging(self, ctx, params: dict) -> dict:
        bucket, version = self._tagged_version(ctx, params)
        tag_set = [{"Key": key, "Value": value} for key, value in version.attrs.get("tags") or ()]
        return {"TagSet": tag_set, **self._tagging_version_header(version, bucket)}

    def delete_object_tagging(self, ctx, params: dict) -> dict:
        bucket, version = self._tagged_version(ctx, params)
        self.store.update_attrs(bucket.partition, bucket.name, version.key, version.version, tags=None)
        return self._tagging_version_header(version, bucket)

    @staticmethod
    def _tagging_version_header(version, bucket) -> dict:
        # S3 reports the version id of the tagged version, "null" included, once versioning was ever on
        return {} if bucket.versioning is None else {"VersionId": version.version}
