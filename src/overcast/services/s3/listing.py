"""Object listings: ListObjects (v1) and ListObjectsV2, and the walk they share with
ListObjectVersions (``version_listing.py``).

Keys sort by their UTF-8 bytes, as SQLite compares TEXT. A listing walks rows in
(key ascending, seq descending) order from a *position* ``(key, seq)``, exclusive: the rows
after it are those with a greater key, or the same key and a smaller seq (an older version).
``(key, ALL_VERSIONS)`` therefore starts at the first version of ``key`` and ``(key, 0)``
just past its last one. Current-object listings see one row per key (its latest version,
delete markers left out); the version listing sees them all.

A marker (v1 ``marker``, v2 ``start-after``, ``key-marker``) is exclusive; one that falls
inside a group the delimiter rolls up skips the whole group, which was reported already
(S3 never repeats a CommonPrefix across pages). A v2 continuation token is the base64 of
the last key or common prefix handed out.
"""

from __future__ import annotations

import base64
import binascii
import json
from itertools import islice
from typing import Callable, Iterator
from urllib.parse import quote

from overcast.canonical_users import canonical_id
from overcast.errors import AwsError

from .restore import restore_status, wants_restore_status

MAX_KEYS = 1000        # S3 returns at most 1,000 entries per listing page (the default MaxKeys)
MAX_INT = 2147483647   # max-keys is an int32 (S3: "between 0 and 2147483647")
ALL_VERSIONS = 1 << 62  # above every seq: a position (key, ALL_VERSIONS) includes all of key
_AFTER_ALL = "\U0010ffff"  # sorts after every character: the first key past a common prefix
_BATCH = 1000

Position = tuple[str, int]
Fetch = Callable[[str, int, int], list]


def encode_token(marker: str) -> str:
    """An opaque continuation token for ``marker`` (a key, common prefix or bucket name)."""
    return base64.urlsafe_b64encode(marker.encode("utf-8")).decode()


def decode_token(token: str, echo_value: bool = True) -> str:
    """The marker inside a token from ``encode_token``; InvalidArgument for anything else (an
    empty token too: no page of S3's has one). ListBuckets names the argument without its value."""
    try:
        if token:
            return base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        pass
    fields = {"ArgumentName": "continuation-token"}
    if echo_value:
        fields["ArgumentValue"] = token
    raise AwsError("InvalidArgument", "The continuation token provided is incorrect", 400, fields=fields)


def owner_entry(owner, account: str) -> dict:
    """The ``Owner`` of a listed object or bucket: ``attrs.owner`` (an account id, or a dict
    with ``ID``, as json_extract returns it) or else the bucket owner's account, shown as
    its canonical id (S3 no longer returns a DisplayName)."""
    if isinstance(owner, str) and owner.startswith("{"):
        try:
            owner = json.loads(owner).get("ID")
        except (ValueError, AttributeError):
            owner = None
    return {"ID": canonical_id(owner or account)}


def region_header(bucket) -> dict:
    """``x-amz-bucket-region``, which S3 sends with every object listing."""
    return {"x-amz-bucket-region": bucket.region}


def group_of(key: str, prefix: str, delimiter: str) -> str | None:
    """The common prefix ``key`` rolls up into, or None when it is listed on its own."""
    if not delimiter or not key.startswith(prefix):
        return None
    cut = key.find(delimiter, len(prefix))
    return None if cut < 0 else key[: cut + len(delimiter)]


def start_position(prefix: str, delimiter: str, marker: str) -> Position:
    """Where a listing starts: just after ``marker`` (past its whole group if the delimiter
    rolls it up), and never before ``prefix``."""
    group = group_of(marker, prefix, delimiter) if marker else None
    if group is not None:
        return group + _AFTER_ALL, 0
    if prefix > marker or not marker:
        return prefix, ALL_VERSIONS
    return marker, 0


def walk(fetch: Fetch, prefix: str, delimiter: str, position: Position, batch: int) -> Iterator[tuple]:
    """Entries in listing order after ``position``: ``("row", row)`` for each row under
    ``prefix`` that the delimiter does not roll up, ``("prefix", common)`` once per group.

    ``fetch(key, seq, limit)`` returns up to ``limit`` rows after position ``(key, seq)``, each
    starting with its key and seq. Rows are fetched in batches, lazily: a page of N entries
    reads about N rows (plus one query per common prefix, to jump past its keys).
    """
    key, seq = position
    batch = max(1, min(batch, _BATCH))
    while True:
        rows = fetch(key, seq, batch)
        for row in rows:
            if not row[0].startswith(prefix):
                return  # the keys under a prefix are contiguous and the walk began inside them
            group = group_of(row[0], prefix, delimiter)
            if group is not None:
                yield "prefix", group
                key, seq = group + _AFTER_ALL, 0
                break
            yield "row", row
            key, seq = row[0], row[1]
        else:
            if len(rows) < batch:
                return


def take(entries: Iterator[tuple], max_keys: int) -> tuple[list, bool]:
    """The first ``max_keys`` entries and whether more follow (IsTruncated)."""
    page = list(islice(entries, max_keys))
    return page, max_keys > 0 and next(entries, None) is not None


class PageParams:
    """What every listing reads alike: prefix, delimiter, max-keys, encoding-type."""

    def __init__(self, params: dict):
        self.prefix = params.get("Prefix") or ""
        self.delimiter = params.get("Delimiter") or ""
        requested = params.get("MaxKeys")
        if requested is not None and not 0 <= int(requested) <= MAX_INT:
            raise AwsError("InvalidArgument", f"Argument maxKeys must be an integer between 0 and {MAX_INT}", 400,
                           fields={"ArgumentName": "maxKeys", "ArgumentValue": str(requested)})
        # the echo is what was asked for; a page never holds more than MAX_KEYS entries
        self.max_keys_echo = MAX_KEYS if requested is None else int(requested)
        self.max_keys = min(self.max_keys_echo, MAX_KEYS)
        encoding = params.get("EncodingType")
        if encoding is not None and encoding.lower() != "url":
            raise AwsError("InvalidArgument", "Invalid Encoding Method specified in Request", 400,
                           fields={"ArgumentName": "encoding-type", "ArgumentValue": encoding})
        self.encode = encoding is not None

    def enc(self, value: str) -> str:
        """A key-like value as the response carries it (percent-encoded under encoding-type=url)."""
        return quote(value, safe="/~") if self.encode else value

    def common(self, result: dict, prefixes: list[str], encode_prefix: bool = True) -> dict:
        """Add the members every listing answers alike. ListObjects (v1) answers its top-level
        ``Prefix`` as sent even under encoding-type=url (``encode_prefix=False``)."""
        result["Prefix"] = self.enc(self.prefix) if encode_prefix else self.prefix
        result["MaxKeys"] = self.max_keys_echo
        if prefixes:
            result["CommonPrefixes"] = [{"Prefix": self.enc(p)} for p in prefixes]
        if self.delimiter:
            result["Delimiter"] = self.enc(self.delimiter)
        if self.encode:
            result["EncodingType"] = "url"
        return result


_CURRENT = ("SELECT key, seq, size, etag, modified, storage_class, json_extract(attrs, '$.checksum.algorithm'), "
            "json_extract(attrs, '$.checksum.type'), json_extract(attrs, '$.owner'), "
            "json_extract(attrs, '$.restore') "
            # the partial index holds only current versions: a bucket with many old versions lists as fast
            "FROM versions INDEXED BY versions_current WHERE partition = ? AND bucket = ? AND latest = 1 "
            "AND marker = 0 AND key >= ? AND (key > ? OR seq < ?) ORDER BY key LIMIT ?")


def checksum_members(algorithm, checksum_type) -> dict:
    """``ChecksumAlgorithm`` / ``ChecksumType`` of a listed object that was stored with one."""
    return {"ChecksumAlgorithm": [algorithm], "ChecksumType": checksum_type or "FULL_OBJECT"} if algorithm else {}


class ListingMixin:
    def _list_current(self, bucket, page: PageParams, marker: str) -> tuple[list, bool]:
        """One page of current objects after ``marker``: (entries, truncated)."""

        def fetch(key: str, seq: int, limit: int) -> list:
            return self.db.query(_CURRENT, (bucket.partition, bucket.name, key, key, seq, limit))

        position = start_position(page.prefix, page.delimiter, marker)
        return take(walk(fetch, page.prefix, page.delimiter, position, page.max_keys + 1), page.max_keys)

    def _contents(self, entries: list, page: PageParams, owner_account: str | None,
                  params: dict) -> tuple[list, list]:
        """(Contents, common prefixes) of a page; ``Owner`` in each entry when an account is
        given, ``RestoreStatus`` when the request asks for it."""
        contents, prefixes = [], []
        now = self.clock.now() if wants_restore_status(params) else None
        for kind, value in entries:
            if kind == "prefix":
                prefixes.append(value)
                continue
            key, _seq, size, etag, modified, storage_class, algorithm, checksum_type, owner, restore = value
            entry = {"Key": page.enc(key), "LastModified": modified, "ETag": etag,
                     **checksum_members(algorithm, checksum_type), "Size": size, "StorageClass": storage_class}
            if owner_account is not None:
                entry["Owner"] = owner_entry(owner, owner_account)
            if now is not None:
                entry.update(restore_status(restore, now))
            contents.append(entry)
        return contents, prefixes

    def list_objects(self, ctx, params: dict) -> dict:
        """ListObjects (v1): ``marker`` pagination; NextMarker only with a delimiter, as S3
        answers (without one, the last key listed is the next marker); Owner always."""
        bucket = self.bucket_row(ctx, params["Bucket"])
        page = PageParams(params)
        marker = params.get("Marker") or ""
        entries, truncated = self._list_current(bucket, page, marker)
        contents, prefixes = self._contents(entries, page, bucket.account, params)
        result = {"Name": bucket.name, "Marker": page.enc(marker), "IsTruncated": truncated,
                  "__headers__": region_header(bucket)}
        if contents:
            result["Contents"] = contents
        if truncated and page.delimiter and entries:
            kind, value = entries[-1]
            result["NextMarker"] = page.enc(value if kind == "prefix" else value[0])
        return page.common(result, prefixes, encode_prefix=False)

    def list_objects_v2(self, ctx, params: dict) -> dict:
        """ListObjectsV2: continuation token or start-after, KeyCount, Owner with fetch-owner."""
        bucket = self.bucket_row(ctx, params["Bucket"])
        page = PageParams(params)
        token = params.get("ContinuationToken")
        start_after = params.get("StartAfter") or ""
        marker = decode_token(token) if token is not None else start_after
        entries, truncated = self._list_current(bucket, page, marker)
        owner = bucket.account if params.get("FetchOwner") else None
        contents, prefixes = self._contents(entries, page, owner, params)
        result = {"Name": bucket.name, "KeyCount": len(entries), "IsTruncated": truncated,
                  "__headers__": region_header(bucket)}
        if contents:
            result["Contents"] = contents
        if token is not None:
            result["ContinuationToken"] = token
        if params.get("StartAfter") is not None and token is None:  # a continuation token supersedes it
            result["StartAfter"] = page.enc(start_after)
        if truncated and entries:
            kind, value = entries[-1]
            result["NextContinuationToken"] = encode_token(value if kind == "prefix" else value[0])
        return page.common(result, prefixes)
