"""Where a Glacier Select job writes: OutputLocation.S3 of RestoreObject, as PutObject members.

Every object the job writes (job.txt, results/..., result_manifest.txt, errors.txt) is an
ordinary PutObject with the location's CannedACL or AccessControlList, Encryption (SSE-S3, or
SSE-KMS with KMSKeyId and KMSContext), Tagging, UserMetadata and StorageClass, so it behaves
as such a PUT would. S3 checks all of them, and that the requester may write there
(s3:PutObject on the output bucket and prefix), before the job is accepted: the output bucket
must be in the same region as the archived object's bucket and "the AWS account that
initiates the job must have permissions to write to the S3 bucket" (RestoreObject, "Querying
Archives with Select Requests").
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from overcast.errors import AwsError

from ..acl import acl_from_request
from ..objects import check_key
from ..sse import check_requested_encryption
from ..tagging import tags_from_header
from ..write_limits import check_metadata_size, check_storage_class

# Grant.Permission -> the x-amz-grant-* member of PutObject that carries it
_GRANT_MEMBERS = {"FULL_CONTROL": "GrantFullControl", "READ": "GrantRead", "READ_ACP": "GrantReadACP",
                  "WRITE": "GrantWrite", "WRITE_ACP": "GrantWriteACP"}
# Grantee.Type -> how an x-amz-grant-* header names that grantee, and the member holding it
_GRANTEE_FORMS = {"CanonicalUser": ("id", "ID"), "Group": ("uri", "URI"),
                  "AmazonCustomerByEmail": ("emailAddress", "EmailAddress")}


def malformed() -> AwsError:
    """The restore request's XML does not follow the schema."""
    return AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                                    "published schema", 400)


def _grant_members(grants: list) -> dict:
    """AccessControlList as PutObject's x-amz-grant-* members (``id="..."`` joined by commas)."""
    members: dict[str, list[str]] = {}
    for grant in grants:
        grantee, permission = grant.get("Grantee") or {}, grant.get("Permission")
        form = _GRANTEE_FORMS.get(grantee.get("Type"))
        if form is None or permission not in _GRANT_MEMBERS:
            raise malformed()  # both are enumerations of the schema
        value = grantee.get(form[1])
        if not value:
            if form[0] == "id":
                raise AwsError("InvalidArgument", "Invalid id", 400, fields={"ArgumentName": "CanonicalUser/ID"})
            if form[0] == "uri":
                raise AwsError("InvalidArgument", "Invalid group uri", 400, fields={"ArgumentName": "Group/URI"})
            raise AwsError("InvalidArgument", "Invalid email address", 400, fields={"ArgumentName": "EmailAddress"})
        if '"' in value:  # a grantee no S3 identifier can hold; the header form could not carry it
            raise AwsError("InvalidArgument", "Argument format not recognized", 400,
                           fields={"ArgumentName": form[1], "ArgumentValue": value})
        members.setdefault(_GRANT_MEMBERS[permission], []).append(f'{form[0]}="{value}"')
    return {member: ", ".join(values) for member, values in members.items()}


def output_put_params(location: dict) -> dict:
    """The PutObject members every output object is written with (OutputLocation.S3)."""
    params: dict = {}
    encryption = location.get("Encryption") or {}
    # a KMS key or context without aws:kms is refused as PutObject refuses it (sse.py)
    for member, name in (("EncryptionType", "ServerSideEncryption"), ("KMSKeyId", "SSEKMSKeyId"),
                         ("KMSContext", "SSEKMSEncryptionContext")):
        if encryption.get(member):
            params[name] = encryption[member]
    if location.get("CannedACL"):
        params["ACL"] = location["CannedACL"]
    params.update(_grant_members(location.get("AccessControlList") or []))
    tags = (location.get("Tagging") or {}).get("TagSet") or []
    if tags:
        params["Tagging"] = "&".join(f"{quote(t.get('Key') or '', safe='')}={quote(t.get('Value') or '', safe='')}"
                                     for t in tags)
    metadata = {}
    for entry in location.get("UserMetadata") or ():
        if not entry.get("Name"):
            raise malformed()
        metadata[entry["Name"]] = entry.get("Value") or ""
    if metadata:
        params["Metadata"] = metadata
    if location.get("StorageClass"):
        params["StorageClass"] = location["StorageClass"]
    return params


class GlacierOutputMixin:
    async def check_output_location(self, ctx, source_bucket, location: dict, path: str) -> tuple[dict, bool]:
        """Check OutputLocation.S3 as the PutObjects under ``path`` (``<prefix>/<job id>``) would
        be checked, before the job is queued: the members themselves, then (strict mode)
        s3:PutObject for the requester, then the bucket (NoSuchBucket, same region, its ACL and
        encryption rules). Returns the PutObject members and whether the write was authorized
        for the requester."""
        put = output_put_params(location)
        check_key(f"{path}/results/{'0' * 32}")  # KeyTooLongError: the longest key the job writes
        tags_from_header(put.get("Tagging"))  # InvalidTag: as PutObject's x-amz-tagging
        acl_from_request(put, for_bucket=False)  # canned ACL name, grantees, not both
        check_requested_encryption(put)
        check_metadata_size(put.get("Metadata"))
        check_storage_class(put)
        # a write of its own: the RestoreObject's authorization says nothing about the output
        write_ctx = replace(ctx, operation="PutObject",
                            extra={k: v for k, v in ctx.extra.items() if k != "authorized"})
        authorizer = getattr(ctx.registry, "authorizer", None)
        if authorizer is not None:
            await authorizer.authorize(write_ctx, {"Bucket": location["BucketName"], "Key": f"{path}/job.txt", **put})
        bucket = self.bucket_row(write_ctx, location["BucketName"])
        if bucket.region != source_bucket.region:
            raise AwsError("InvalidRequest", "The output bucket must be in the same region as the bucket of the "
                                             "object being queried", 400)
        self.object_write_attrs(bucket, put)  # ACLs disabled on the bucket, Block Public Access
        self.write_encryption(bucket, put)
        return put, bool(write_ctx.extra.get("authorized"))
