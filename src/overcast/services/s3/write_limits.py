"""Limits S3 applies to a write before it reads the body: user-metadata size, the size of a
single PUT, the storage class, the website redirect location.
"""

from __future__ import annotations

from overcast.errors import AwsError

# "The PUT request header is limited to 8 KB in size. Within the PUT request header, the
# user-defined metadata is limited to 2 KB in size. The size of user-defined metadata is
# measured by taking the sum of the number of bytes in the UTF-8 encoding of each key and
# value." (S3 User Guide, "Working with object metadata")
MAX_METADATA_BYTES = 2 * 1024
# "Upload an object in a single operation by using the AWS SDKs, REST API, or AWS CLI – With a
# single PUT operation, you can upload a single object up to 5 GB in size." (S3 User Guide,
# "Uploading objects"); larger objects need a multipart upload.
MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3
# Storage classes a general purpose bucket accepts on a write. The model's enum also lists
# OUTPOSTS (S3 on Outposts only), SNOW (Snow Family devices), EXPRESS_ONEZONE (directory
# buckets) and FSX_* (FSx access points): a regional bucket refuses them.
# "The value must be prefixed by, "/", "http://" or "https://". The length of the value is
# limited to 2 KB." (PutObject, x-amz-website-redirect-location)
MAX_REDIRECT_LOCATION_BYTES = 2 * 1024
_REDIRECT_PREFIXES = ("/", "http://", "https://")
STORAGE_CLASSES = ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
                   "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR")


def check_metadata_size(metadata: dict | None) -> None:
    """400 MetadataTooLarge when the ``x-amz-meta-*`` names and values exceed 2 KB (UTF-8)."""
    if not metadata:
        return
    size = sum(_byte_size(name) + _byte_size(str(value)) for name, value in metadata.items())
    if size > MAX_METADATA_BYTES:
        raise AwsError("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", 400,
                       fields={"Size": str(size), "MaxSizeAllowed": str(MAX_METADATA_BYTES)})


def _byte_size(text: str) -> int:
    """The bytes a header value was sent as (header text is latin-1 of the raw bytes, so raw
    UTF-8 counts once); text beyond latin-1 counts as its UTF-8."""
    if text.isascii():
        return len(text)
    try:
        return len(text.encode("latin-1"))
    except UnicodeEncodeError:
        return len(text.encode("utf-8", "surrogatepass"))


def check_single_put_size(params: dict, body) -> None:
    """400 EntityTooLarge for a single PUT over 5 GiB, from the declared length (before a byte
    of the body is read). An aws-chunked body declares its payload size in
    ``x-amz-decoded-content-length``; Content-Length then counts the framing too."""
    size = getattr(body, "decoded_length", None)
    if size is None:
        size = params.get("ContentLength")
    if size is not None and int(size) > MAX_SINGLE_PUT_BYTES:
        raise AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.", 400,
                       fields={"ProposedSize": str(size), "MaxSizeAllowed": str(MAX_SINGLE_PUT_BYTES)})


def check_storage_class(params: dict) -> str:
    """The write's storage class (``STANDARD`` when absent); 400 InvalidStorageClass otherwise."""
    storage_class = params.get("StorageClass")
    if storage_class is None:
        return "STANDARD"
    if storage_class not in STORAGE_CLASSES:
        raise AwsError("InvalidStorageClass", "The storage class you specified is not valid", 400,
                       fields={"StorageClassRequested": storage_class})
    return storage_class


def check_redirect_location(location: str | None) -> None:
    """400 InvalidRedirectLocation for an ``x-amz-website-redirect-location`` that is neither a
    key in the bucket (``/...``) nor an http(s) URL, or that is longer than 2 KB."""
    if not location:
        return
    if not location.startswith(_REDIRECT_PREFIXES):
        raise AwsError("InvalidRedirectLocation", "The website redirect location must have a prefix of 'http://' or "
                       "'https://' or '/'.", 400)
    if _byte_size(location) > MAX_REDIRECT_LOCATION_BYTES:
        raise AwsError("InvalidRedirectLocation", "The length of website redirect location cannot exceed 2,048 "
                       "characters.", 400)
