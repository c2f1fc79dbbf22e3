"""GetObjectAttributes: what HeadObject and ListParts tell, in one call, for the attributes
``x-amz-object-attributes`` names (ETag, Checksum, ObjectParts, StorageClass, ObjectSize).

As S3 returns them: the ETag without its quotes; ObjectParts only for a multipart object
(TotalPartsCount always, the Parts list only when the object has a composite checksum,
paged by ``x-amz-max-parts`` / ``x-amz-part-number-marker``); a composite checksum without
its ``-N`` suffix; StorageClass always, STANDARD
included.
"""

from __future__ import annotations

from overcast.errors import AwsError

from .customer_keys import customer_key, key_for_read

ATTRIBUTES = ("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize")
# ListParts' page size, which S3 also uses here when x-amz-max-parts is absent
DEFAULT_MAX_PARTS = 1000


def _requested(params: dict) -> list[str]:
    names = params.get("ObjectAttributes") or []
    if isinstance(names, str):
        names = [names]
    names = [name.strip() for name in names if name.strip()]
    if not names:
        raise AwsError("InvalidRequest", "The x-amz-object-attributes header specifying the attributes to be "
                       "retrieved is either missing or empty", 400)
    for name in names:
        if name not in ATTRIBUTES:
            raise AwsError("InvalidArgument", "Invalid attribute name specified.", 400,
                           fields={"ArgumentName": "x-amz-object-attributes", "ArgumentValue": name})
    return names


def _part_checksum(part, algorithm: str | None) -> dict:
    value = part[3] if len(part) > 3 else None
    if isinstance(value, dict):
        return {"Checksum" + value["algorithm"]: value["value"]}
    if value and algorithm:
        return {"Checksum" + algorithm: value}
    return {}


def object_parts(version, params: dict) -> dict:
    """The ObjectParts member for a multipart object's version."""
    parts = version.parts or []
    checksum = version.attrs.get("checksum") or {}
    result = {"TotalPartsCount": len(parts)}
    if checksum.get("type") != "COMPOSITE":
        return result  # S3 lists the parts only of an object with a composite checksum
    max_parts = params.get("MaxParts")
    max_parts = DEFAULT_MAX_PARTS if max_parts is None else max(0, min(int(max_parts), DEFAULT_MAX_PARTS))
    marker = int(params.get("PartNumberMarker") or 0)
    page = [(number, part) for number, part in enumerate(parts, start=1) if number > marker][:max_parts]
    listed = [{"PartNumber": number, "Size": part[1], **_part_checksum(part, checksum.get("algorithm"))}
              for number, part in page]
    truncated = bool(page) and page[-1][0] < len(parts)
    result.update({"PartNumberMarker": marker, "MaxParts": max_parts, "IsTruncated": truncated,
                   "NextPartNumberMarker": page[-1][0] if page else 0})
    if listed:
        result["Parts"] = listed
    return result


class AttributesMixin:
    def get_object_attributes(self, ctx, params: dict) -> dict:
        bucket = self.bucket_row(ctx, params["Bucket"])
        key = params["Key"]
        names = _requested(params)
        given = customer_key(params)
        # a delete marker answers as GET does: 404 (current) or 405 (by id) with its headers
        version = self._object_version(ctx, bucket, key, params)
        key_for_read(version.attrs.get("sse"), given)  # an SSE-C object's attributes need its key
        result = {"LastModified": version.modified}
        if bucket.versioning is not None:
            result["VersionId"] = version.version
        if "ETag" in names:
            result["ETag"] = version.etag.strip('"')
        if "Checksum" in names and version.attrs.get("checksum"):
            checksum = version.attrs["checksum"]
            # a composite checksum without the ``-<part count>`` that HeadObject appends to it
            value = checksum["value"].split("-")[0] if version.parts is not None else checksum["value"]
            result["Checksum"] = {"Checksum" + checksum["algorithm"]: value,
                                  "ChecksumType": checksum.get("type", "FULL_OBJECT")}
        if "ObjectParts" in names and version.parts is not None:
            result["ObjectParts"] = object_parts(version, params)
        if "StorageClass" in names:
            result["StorageClass"] = version.storage_class
        if "ObjectSize" in names:
            result["ObjectSize"] = version.size
        return result
