"""S3's browser upload: ``POST /<bucket>`` (or ``POST /`` on a virtual host) with an HTML form.

The service model has no operation for it; the gateway hands any ``multipart/form-data`` POST
on a bucket URL here as ``PostObject``. The form's fields before the file are read, its policy
checked (and in strict mode its signature), then the file streams to the blob store and is
stored through the same ``ObjectStore.put`` as PutObject (event ``ObjectCreated:Post``).
The answer is S3's: 204 (default), 200, 201 with a ``PostResponse`` document, or a 303 to
``success_action_redirect``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlsplit

from overcast.auth.credentials import root_principal
from overcast.auth.parse import amz_date_epoch
from overcast.config import DEFAULT_ACCOUNT
from overcast.errors import AwsError
from overcast.protocols.s3_hosts import bucket_from_host
from overcast.protocols.xml_shapes import escape_text

from .at_rest import sealed
from .checksums import DEFAULT_ALGORITHM, encode, new_hasher
from .metadata_encoding import decode_metadata_value
from .objects import check_key
from .post_form import FormReader, boundary_of, malformed
from .post_policy import (
    check_policy,
    check_size,
    decode_policy,
    entity_too_large,
    form_signature,
    missing_field,
    verify_form_signature,
)
from .sse import reported, sse_headers
from .store import ObjectVersion
from .tagging import check_tags
from .write_limits import check_redirect_location

# A single upload is at most 5 GB (S3 user guide, "Uploading objects").
MAX_UPLOAD_BYTES = 5 * 1024**3
# User metadata is at most 2 KB (S3 user guide, "Working with object metadata").
MAX_METADATA_BYTES = 2 * 1024
# A refused upload's remaining body is read (so the client sees the error) up to this much.
_DRAIN_LIMIT = 8 * 1024 * 1024
_STORAGE_CLASSES = frozenset({"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
                              "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE"})
# form field (lower case) -> the PutObject member it stands for
_HEADER_FIELDS = {"content-type": "ContentType", "cache-control": "CacheControl",
                  "content-disposition": "ContentDisposition", "content-encoding": "ContentEncoding",
                  "content-language": "ContentLanguage", "expires": "Expires",
                  "x-amz-website-redirect-location": "WebsiteRedirectLocation"}


class _Counting:
    """The file's chunks, hashed and counted as they stream.

    Past ``keep`` bytes (the policy's maximum) the rest is still counted but no longer
    stored: the refusal names the whole size, and no disk is spent on a file that goes.
    Past S3's 5 GB limit the upload stops at once.
    """

    def __init__(self, chunks, keep: int):
        self.chunks = chunks
        self.keep = keep
        self.md5 = hashlib.md5()
        self.crc = new_hasher(DEFAULT_ALGORITHM)  # S3 gives a form upload its default checksum too
        self.size = 0

    async def __aiter__(self):
        async for chunk in self.chunks:
            self.size += len(chunk)
            if self.size > MAX_UPLOAD_BYTES:
                raise entity_too_large(self.size, MAX_UPLOAD_BYTES)
            if self.size > self.keep:
                continue
            self.md5.update(chunk)
            self.crc.update(chunk)
            yield chunk


class PostUploadMixin:
    async def post_object(self, ctx, params: dict) -> dict:
        """A browser form upload (``params``: ``Bucket`` and the raw ``Request``, streamed)."""
        request = params["Request"]
        boundary = boundary_of(request.headers.get("content-type", ""))
        if boundary is None or request.stream is None:
            raise malformed()
        form = FormReader(request.stream, boundary)
        try:
            return await self._post_form(ctx, params["Bucket"], request, form)
        except AwsError:
            await form.discard_rest(_DRAIN_LIMIT)
            raise

    async def _post_form(self, ctx, bucket_name: str, request, form: FormReader) -> dict:
        pairs, file_part = await form.read_fields()
        fields: dict[str, str] = {}
        for name, value in pairs:
            fields.setdefault(name.lower(), value)
        self._post_identity(ctx, fields)
        if self.cloud.settings.strict and "key" in fields and file_part is not None:
            await self._authorize_post(ctx, bucket_name, fields["key"].replace("${filename}", file_part.filename),
                                       fields, request)
        bucket = self.bucket_row(ctx, bucket_name)
        if "key" not in fields:
            raise missing_field("key")
        if file_part is None:
            raise AwsError("InvalidArgument", "POST requires exactly one file upload per request.", 400,
                           fields={"ArgumentName": "file", "ArgumentValue": "0"})
        size_range = None
        if "policy" in fields:
            document = decode_policy(fields["policy"])
            size_range = check_policy(document, fields, bucket_name, self._now_as_signed(fields))
        key = fields["key"].replace("${filename}", file_part.filename)
        check_key(key)
        headers, meta, storage_class, attrs = _object_settings(fields)
        encryption = _encryption_fields(fields)
        sse = self.write_encryption(bucket, encryption)  # sse.py
        if sse is not None:
            attrs["sse"] = sse
        seal, given = await self.sealer_for_write(ctx, bucket, key, sse, encryption)  # encrypted at rest (at_rest.py)
        attrs["enc"] = seal.envelope
        counting = _Counting(form.file_chunks(), size_range.high if size_range else MAX_UPLOAD_BYTES)
        blobs = self.blobs
        info = await blobs.write(sealed(counting, seal))
        try:
            check_size(size_range, counting.size)
            digest = counting.md5.digest()
            _check_md5(fields.get("content-md5"), digest)
            await form.discard_rest()  # fields after the file are ignored, as by S3
            bucket = self.bucket_row(ctx, bucket_name)  # it may have gone while the file streamed
        except BaseException:
            blobs.delete(info.id)
            raise
        etag = f'"{digest.hex()}"'
        attrs["checksum"] = {"algorithm": DEFAULT_ALGORITHM, "value": encode(counting.crc.digest()),
                             "type": "FULL_OBJECT"}
        version = ObjectVersion(key=key, blob=info.id, size=info.size, etag=etag,
                                modified=float(int(self.clock.now())), headers=headers, meta=meta,
                                storage_class=storage_class, attrs=attrs)
        self.store.put(bucket.partition, bucket.name, version, bucket.versioning, event="ObjectCreated:Post")
        answered = {**reported(sse, write=True), **(given.headers() if given is not None else {})}
        return _post_answer(request, bucket.name, key, etag, fields, sse_headers(answered),
                            version.version if bucket.versioning is not None else None)

    def _now_as_signed(self, fields: dict[str, str]) -> float:
        """The cloud's time on the clock the form's policy was written with: its expiration
        is the signer's wall time, made under the offset in force at its ``x-amz-date``
        (a SigV2 form carries no date: the offset in force now)."""
        clock = self.clock
        signed_at = amz_date_epoch(fields.get("x-amz-date", ""))
        return clock.now() - clock.signing_offset(clock.wall() if signed_at is None else signed_at)

    def _post_identity(self, ctx, fields: dict[str, str]) -> None:
        """The uploader: the form's signer (verified in strict mode), else anonymous."""
        if "policy" not in fields:
            if any(name in fields for name in ("awsaccesskeyid", "x-amz-credential", "signature", "x-amz-signature")):
                raise missing_field("policy")
            if self.cloud.settings.strict and ctx.extra.get("authorizer") is None:
                raise AwsError("AccessDenied", "Access Denied", 403)  # nobody to ask the bucket policy
            ctx.account, ctx.access_key = DEFAULT_ACCOUNT, ""
            ctx.principal_arn, ctx.user_id, ctx.credential = "", "", None
            return
        signed = form_signature(fields)
        credential = self.cloud.credentials.lookup(signed.access_key)
        if self.cloud.settings.strict:
            verify_form_signature(signed, fields["policy"], credential, fields.get("x-amz-security-token"))
        ctx.access_key = signed.access_key
        if credential is None:  # open mode: any key is the default account's root
            ctx.account, ctx.principal_arn, ctx.user_id = DEFAULT_ACCOUNT, root_principal(DEFAULT_ACCOUNT), ""
        else:
            ctx.account, ctx.principal_arn, ctx.user_id = credential.account, credential.principal_arn, \
                credential.user_id
        ctx.credential = credential

    async def _authorize_post(self, ctx, bucket_name: str, key: str, fields: dict[str, str], request) -> None:
        """Strict mode: the form's signer (or an anonymous uploader, through the bucket policy)
        must be allowed s3:PutObject on the key, as for PutObject."""
        authorizer = ctx.extra.get("authorizer")
        if authorizer is None:
            raise AwsError("AccessDenied", "Access Denied", 403)
        params = {"Bucket": bucket_name, "Key": key, "ACL": fields.get("acl"),
                  "ServerSideEncryption": fields.get("x-amz-server-side-encryption"),
                  "StorageClass": fields.get("x-amz-storage-class"), "Tagging": _tagging_query(fields)}
        await authorizer.authorize(ctx, params, request)


def _tagging_query(fields: dict[str, str]) -> str | None:
    """The form's ``tagging`` document as the ``k=v&...`` form conditions read (None if absent or bad)."""
    if "tagging" not in fields:
        return None
    try:
        from urllib.parse import urlencode

        return urlencode([(key, value) for key, value in _tags_of(fields["tagging"])])
    except AwsError:
        return None


def _object_settings(fields: dict[str, str]) -> tuple[dict, dict, str, dict]:
    """(stored headers, user metadata, storage class, attrs) from the form's fields."""
    headers = {}
    for name, member in _HEADER_FIELDS.items():
        if name in fields:
            headers[member] = fields[name]
    if "Expires" in headers:
        try:
            headers["Expires"] = parsedate_to_datetime(headers["Expires"]).timestamp()
        except (TypeError, ValueError):
            del headers["Expires"]  # S3 keeps an unparsable Expires out of the object
    meta = {name[len("x-amz-meta-"):]: decode_metadata_value(value, from_header=False)
            for name, value in fields.items() if name.startswith("x-amz-meta-")}
    size = sum(len(name.encode()) + len(value.encode()) for name, value in meta.items())
    if size > MAX_METADATA_BYTES:
        raise AwsError("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size", 400,
                       fields={"Size": str(size), "MaxSizeAllowed": str(MAX_METADATA_BYTES)})
    check_redirect_location(headers.get("WebsiteRedirectLocation"))
    storage_class = fields.get("x-amz-storage-class", "STANDARD")
    if storage_class not in _STORAGE_CLASSES:
        raise AwsError("InvalidStorageClass", "The storage class you specified is not valid", 400,
                       fields={"StorageClassRequested": storage_class})
    attrs = {}
    if "tagging" in fields:
        attrs["tags"] = _tags_of(fields["tagging"])
    return headers, meta, storage_class, attrs


def _tags_of(document: str) -> list[list[str]]:
    """The ``tagging`` field: a ``<Tagging><TagSet><Tag>`` document, as PutObjectTagging takes."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError:
        raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                       "published schema", 400) from None
    pairs = []
    for tag in root.iter():
        if tag.tag.rsplit("}", 1)[-1] == "Tag":
            values = {child.tag.rsplit("}", 1)[-1]: child.text or "" for child in tag}
            if "Key" not in values or "Value" not in values:  # both required by the schema
                raise AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate "
                               "against our published schema", 400)
            pairs.append((values["Key"], values["Value"]))
    return check_tags(pairs)  # the checks and texts of PutObjectTagging (tagging.py)


def _check_md5(claimed: str | None, digest: bytes) -> None:
    if claimed is None:
        return
    try:
        expected = base64.b64decode(claimed, validate=True)
    except (binascii.Error, ValueError):
        expected = b""
    if len(expected) != 16:
        raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400,
                       fields={"Content-MD5": claimed})
    if expected != digest:
        raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400,
                       fields={"ExpectedDigest": expected.hex(), "CalculatedDigest": base64.b64encode(digest).decode()})


def _object_url(request, bucket: str, key: str) -> str:
    host = request.headers.get("host", "localhost")
    path = quote(key, safe="/~")
    if bucket_from_host(host) == bucket:
        return f"http://{host}/{path}"
    return f"http://{host}/{quote(bucket, safe='')}/{path}"


def _encryption_fields(fields: dict[str, str]) -> dict:
    """The form's encryption fields as PutObject's members (what ``write_encryption`` reads)."""
    bucket_key = fields.get("x-amz-server-side-encryption-bucket-key-enabled")
    return {"ServerSideEncryption": fields.get("x-amz-server-side-encryption"),
            "SSEKMSKeyId": fields.get("x-amz-server-side-encryption-aws-kms-key-id"),
            "SSEKMSEncryptionContext": fields.get("x-amz-server-side-encryption-context"),
            "BucketKeyEnabled": None if bucket_key is None else bucket_key.lower() == "true",
            "SSECustomerAlgorithm": fields.get("x-amz-server-side-encryption-customer-algorithm"),
            "SSECustomerKey": fields.get("x-amz-server-side-encryption-customer-key"),
            "SSECustomerKeyMD5": fields.get("x-amz-server-side-encryption-customer-key-md5")}


def _post_answer(request, bucket: str, key: str, etag: str, fields: dict[str, str], encryption: dict,
                 version: str | None) -> dict:
    headers = {"ETag": etag, "Location": _object_url(request, bucket, key), **encryption}
    if version is not None:
        headers["x-amz-version-id"] = version
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect:
        parts = urlsplit(redirect)
        if parts.scheme in ("http", "https") and parts.netloc:  # S3 ignores a redirect that is no URL
            query = f"bucket={quote(bucket, safe='')}&key={quote(key, safe='')}&etag={quote(etag, safe='')}"
            headers["Location"] = redirect + ("&" if parts.query else "?") + query
            return {"__status__": 303, "__headers__": headers, "Body": b""}
    status = fields.get("success_action_status")
    if status == "201":
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
                f"<Location>{escape_text(headers['Location'])}</Location><Bucket>{escape_text(bucket)}</Bucket>"
                f"<Key>{escape_text(key)}</Key><ETag>{escape_text(etag)}</ETag></PostResponse>")
        headers["Content-Type"] = "application/xml"
        return {"__status__": 201, "__headers__": headers, "Body": body.encode("utf-8")}
    # 200 as asked; anything else (or nothing) is 204 (S3 API reference, success_action_status)
    return {"__status__": 200 if status == "200" else 204, "__headers__": headers, "Body": b""}
