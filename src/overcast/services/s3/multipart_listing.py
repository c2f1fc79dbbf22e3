"""ListParts and ListMultipartUploads (the read side of multipart uploads).

Uploads list by key (UTF-8 byte order, as SQLite compares TEXT), then by initiation (the
row's insertion order breaks ties), as S3 lists them; ``key-marker`` + ``upload-id-marker``
resume after that upload, ``key-marker`` alone after every upload of that key.
"""

from __future__ import annotations

import json

from overcast.canonical_users import canonical_id
from overcast.errors import AwsError

from .listing import PageParams

MAX_LISTED = 1000  # AWS: ListParts max-parts and ListMultipartUploads max-uploads cap (and default)
_BATCH = 1000
_AFTER_ALL = "\U0010ffff"  # sorts after every character: skips the keys under a common prefix


def owner_of(account: str) -> dict:
    """Owner / Initiator as S3 reports them: the account's canonical id, no DisplayName."""
    return {"ID": canonical_id(account)}


def initiator_arn(principal_arn: str | None) -> bool:
    """Whether S3 names the initiator of an upload by its ARN: "If the principal is an IAM
    User, it provides a user ARN value" (an assumed-role session likewise); an account's root
    is named by its canonical id."""
    return bool(principal_arn) and not principal_arn.endswith(":root")


def initiator_of(account: str, attrs: dict) -> dict:
    """The Initiator of an upload: the IAM principal's ARN, or the account's canonical id."""
    arn = attrs.get("initiator")
    return {"ID": arn} if arn else owner_of(account)


def _limit(value, name: str) -> int:
    if value is None:
        return MAX_LISTED
    if int(value) < 0:
        raise AwsError("InvalidArgument", f"Argument {name} must be an integer between 0 and 2147483647", 400,
                       fields={"ArgumentName": name, "ArgumentValue": str(value)})
    return min(int(value), MAX_LISTED)


class MultipartListingMixin:
    def list_parts(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        upload = self._upload(bucket, params["Key"], params.get("UploadId"))
        max_parts = _limit(params.get("MaxParts"), "max-parts")
        marker = int(params.get("PartNumberMarker") or 0)
        rows = self.db.query("SELECT number, size, etag, modified, checksum FROM parts WHERE upload_id = ? "
                             "AND number > ? ORDER BY number LIMIT ?", (upload.id, marker, max_parts + 1))
        truncated = len(rows) > max_parts
        rows = rows[:max_parts]
        parts = []
        for number, size, etag, modified, checksum in rows:
            part = {"PartNumber": number, "LastModified": modified, "ETag": etag, "Size": size}
            if checksum and upload.algorithm:
                value = json.loads(checksum).get(upload.algorithm)
                if value is not None:
                    part["Checksum" + upload.algorithm] = value
            parts.append(part)
        result = {"Bucket": bucket.name, "Key": upload.key, "UploadId": upload.id, "PartNumberMarker": marker,
                  "MaxParts": max_parts, "IsTruncated": truncated, "Initiator": initiator_of(upload.account, upload.attrs),
                  "Owner": owner_of(upload.attrs.get("owner", upload.account)), "StorageClass": upload.storage_class}
        # S3 answers NextPartNumberMarker always: 0 when the page lists no part
        result["NextPartNumberMarker"] = parts[-1]["PartNumber"] if parts else 0
        if parts:
            result["Parts"] = parts
        if upload.algorithm:
            result["ChecksumAlgorithm"], result["ChecksumType"] = upload.algorithm, upload.checksum_type
        return result

    def list_multipart_uploads(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        # S3's order: encoding-type, then max-uploads' range, then the markers
        page = PageParams({"EncodingType": params.get("EncodingType")})
        encode, enc = page.encode, page.enc
        max_uploads = _limit(params.get("MaxUploads"), "max-uploads")
        key_marker = params.get("KeyMarker") or ""
        # upload-id-marker counts only beside a key-marker (S3 ignores it alone)
        id_marker = (params.get("UploadIdMarker") or "") if key_marker else ""
        # the position to resume from: (key, rowid) strictly after it
        cursor_key, cursor_row = key_marker, 1 << 62
        if id_marker:
            row = self.db.query_one("SELECT rowid FROM uploads WHERE upload_id = ? AND partition = ? AND bucket = ? "
                                    "AND key = ?", (id_marker, bucket.partition, bucket.name, key_marker))
            if row is None:  # not an upload of this key in this bucket (another's, or none at all)
                raise AwsError("InvalidArgument", "Invalid uploadId marker", 400,
                               fields={"ArgumentName": "upload-id-marker", "ArgumentValue": id_marker})
            cursor_key, cursor_row = key_marker, row[0]
        elif delimiter and key_marker.startswith(prefix) and key_marker.endswith(delimiter):
            cursor_key = key_marker + _AFTER_ALL  # a NextKeyMarker that was a common prefix: skip it whole
        if prefix > cursor_key:
            cursor_key, cursor_row = prefix, -1
        uploads, prefixes, truncated = [], [], False
        last_key = last_id = None
        done = False
        while not done:
            rows = self.db.query(
                "SELECT rowid, upload_id, key, initiated, account, storage_class, attrs FROM uploads "
                "WHERE partition = ? AND bucket = ? AND (key > ? OR (key = ? AND rowid > ?)) "
                "ORDER BY key, rowid LIMIT ?",
                (bucket.partition, bucket.name, cursor_key, cursor_key, cursor_row, _BATCH))
            if not rows:
                break
            for rowid, upload_id, key, initiated, account, storage_class, attrs in rows:
                cursor_key, cursor_row = key, rowid
                if not key.startswith(prefix):
                    if key > prefix:
                        done = True
                        break
                    continue
                if len(uploads) + len(prefixes) >= max_uploads:
                    truncated = True
                    done = True
                    break
                if delimiter:
                    cut = key.find(delimiter, len(prefix))
                    if cut >= 0:
                        common = key[: cut + len(delimiter)]
                        prefixes.append({"Prefix": enc(common)})
                        last_key, last_id = common, None
                        cursor_key, cursor_row = common + _AFTER_ALL, 1 << 62
                        break  # re-query past the common prefix
                attrs = json.loads(attrs)
                # S3 keeps an upload's initiation time to the second (Initiated ends in .000Z)
                upload = {"UploadId": upload_id, "Key": enc(key), "Initiated": int(initiated),
                          "StorageClass": storage_class, "Owner": owner_of(attrs.get("owner", account)),
                          "Initiator": initiator_of(account, attrs)}
                if attrs.get("checksum_algorithm"):
                    upload["ChecksumAlgorithm"] = attrs["checksum_algorithm"]
                    upload["ChecksumType"] = attrs["checksum_type"]
                uploads.append(upload)
                last_key, last_id = key, upload_id
            else:
                done = len(rows) < _BATCH
        # NextKeyMarker / NextUploadIdMarker always (empty without an entry); Prefix only when asked for
        result = {"Bucket": bucket.name, "KeyMarker": enc(key_marker), "UploadIdMarker": id_marker,
                  "NextKeyMarker": enc(last_key) if last_key is not None else "",
                  "NextUploadIdMarker": last_id or "", "MaxUploads": max_uploads, "IsTruncated": truncated}
        if prefix:
            result["Prefix"] = enc(prefix)
        if delimiter:
            result["Delimiter"] = enc(delimiter)
        if encode:
            result["EncodingType"] = "url"
        if uploads:
            result["Uploads"] = uploads
        if prefixes:
            result["CommonPrefixes"] = prefixes
        return result
