"""ListObjectsV2: prefix, delimiter + CommonPrefixes, max-keys, continuation token, start-after.

Keys sort by their UTF-8 bytes, as SQLite compares TEXT; a continuation token is the
base64 of the last key (or common prefix) handed out.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote

from overcast.errors import AwsError
from overcast.storage.scope import partition_of

_BATCH = 1000
_AFTER_ALL = "\U0010ffff"  # sorts after every character: skips the keys under a common prefix


def _token(marker: str) -> str:
    return base64.urlsafe_b64encode(marker.encode("utf-8")).decode()


def _untoken(token: str) -> str:
    try:
        return base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        raise AwsError("InvalidArgument", "The continuation token provided is incorrect", 400,
                       fields={"ArgumentName": "continuation-token"}) from None


class ListingMixin:
    def list_objects_v2(self, ctx, params: dict) -> dict:
        bucket = params["Bucket"]
        self.bucket_row(ctx, bucket)
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        max_keys = params.get("MaxKeys")
        max_keys = 1000 if max_keys is None else max(0, min(int(max_keys), 1000))
        token = params.get("ContinuationToken")
        start_after = params.get("StartAfter") or ""
        after = _untoken(token) if token is not None else start_after
        if prefix > after:
            after_cmp, inclusive = prefix, True
        else:
            after_cmp, inclusive = after, False
        encode = params.get("EncodingType") == "url"
        enc = (lambda s: quote(s, safe="/~")) if encode else (lambda s: s)
        partition = partition_of(ctx.region)
        contents, prefixes, last, truncated = [], [], None, False
        cursor, first = after_cmp, inclusive
        done = False
        while not done and len(contents) + len(prefixes) < max_keys + 1:
            op = ">=" if first else ">"
            rows = self.db.query(
                f"SELECT key, size, etag, modified, storage_class FROM versions WHERE partition = ? AND bucket = ? "
                f"AND latest = 1 AND marker = 0 AND key {op} ? ORDER BY key LIMIT ?", (partition, bucket, cursor, _BATCH))
            first = False
            if not rows:
                break
            for key, size, etag, modified, storage_class in rows:
                cursor = key
                if not key.startswith(prefix):
                    if key > prefix:
                        done = True
                        break
                    continue
                if len(contents) + len(prefixes) >= max_keys:
                    truncated = True
                    done = True
                    break
                if delimiter:
                    cut = key.find(delimiter, len(prefix))
                    if cut >= 0:
                        common = key[: cut + len(delimiter)]
                        prefixes.append({"Prefix": enc(common)})
                        last = common + _AFTER_ALL
                        cursor = last
                        break  # re-query past the common prefix
                contents.append({"Key": enc(key), "LastModified": modified, "ETag": etag, "Size": size,
                                 "StorageClass": storage_class})
                last = key
            else:
                if len(rows) < _BATCH:
                    done = True
        result = {"Name": bucket, "Prefix": enc(prefix), "MaxKeys": max_keys, "KeyCount": len(contents) + len(prefixes),
                  "IsTruncated": truncated}
        if contents:
            result["Contents"] = contents
        if prefixes:
            result["CommonPrefixes"] = prefixes
        if delimiter:
            result["Delimiter"] = enc(delimiter)
        if encode:
            result["EncodingType"] = "url"
        if token is not None:
            result["ContinuationToken"] = token
        if params.get("StartAfter") is not None:
            result["StartAfter"] = enc(start_after)
        if truncated and last is not None:
            result["NextContinuationToken"] = _token(last)
        return result
