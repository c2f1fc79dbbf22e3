"""Flexible checksums of S3 uploads: streaming hashers and the rules of PutObject.

S3 ("Checking object integrity" in the User Guide) accepts one checksum per upload, either as
a header (``x-amz-checksum-<alg>``) or as a trailer of an ``aws-chunked`` body (announced by
``x-amz-trailer``; boto3's default over HTTPS). ``x-amz-sdk-checksum-algorithm`` names the
algorithm the SDK used and must agree with the header or trailer. S3 computes the checksum
itself, refuses a mismatch (400 BadDigest) and stores it; an upload that carries none gets
the default CRC64NVME checksum. Values are the big-endian digest in base64.

CRC32C and CRC64NVME (and the XXHASH family) come from ``awscrt``, the AWS Common Runtime's
C implementation (hardware-accelerated, the same code botocore uses when it is installed);
CRC32 from zlib, the SHA family and MD5 from hashlib.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib

from awscrt import checksums as _crt

from overcast.errors import AwsError

# S3's algorithm names -> digest size in bytes (the model's ChecksumAlgorithm enum)
DIGEST_SIZES = {"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8, "SHA1": 20, "SHA256": 32, "SHA512": 64, "MD5": 16,
                "XXHASH64": 8, "XXHASH3": 8, "XXHASH128": 16}
ALGORITHMS = tuple(DIGEST_SIZES)
# S3 adds this full-object checksum to an upload that carries none (since December 2024)
DEFAULT_ALGORITHM = "CRC64NVME"


class _Crc:
    """A running CRC (``update`` / ``digest``) over a function ``fn(data, previous) -> int``."""

    __slots__ = ("_fn", "_value", "_size")

    def __init__(self, fn, size: int):
        self._fn, self._value, self._size = fn, 0, size

    def update(self, data) -> None:
        self._value = self._fn(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(self._size, "big")


class _XXHash:
    __slots__ = ("_hash",)

    def __init__(self, factory):
        self._hash = factory()

    def update(self, data) -> None:
        self._hash.update(data)

    def digest(self) -> bytes:
        return self._hash.finalize()


def new_hasher(algorithm: str):
    """A streaming hasher (``update(bytes)``, ``digest() -> bytes``) for an S3 algorithm name."""
    if algorithm == "CRC32":
        return _Crc(zlib.crc32, 4)
    if algorithm == "CRC32C":
        return _Crc(_crt.crc32c, 4)
    if algorithm == "CRC64NVME":
        return _Crc(_crt.crc64nvme, 8)
    if algorithm in ("SHA1", "SHA256", "SHA512", "MD5"):
        return hashlib.new(algorithm.lower())
    if algorithm == "XXHASH64":
        return _XXHash(_crt.XXHash.new_xxhash64)
    if algorithm == "XXHASH3":
        return _XXHash(_crt.XXHash.new_xxhash3_64)
    if algorithm == "XXHASH128":
        return _XXHash(_crt.XXHash.new_xxhash3_128)
    raise ValueError(f"unknown checksum algorithm {algorithm!r}")


def encode(digest: bytes) -> str:
    """A digest as S3 writes it in headers and XML: base64."""
    return base64.b64encode(digest).decode()


def checksum_of(algorithm: str, data: bytes) -> str:
    """The base64 checksum of ``data`` (for small bodies and tests)."""
    hasher = new_hasher(algorithm)
    hasher.update(data)
    return encode(hasher.digest())


def header_name(algorithm: str) -> str:
    return f"x-amz-checksum-{algorithm.lower()}"


def is_valid_value(algorithm: str, value: str) -> bool:
    """Whether ``value`` is well-formed for ``algorithm``: base64 of a digest of its size."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) == DIGEST_SIZES[algorithm]


# S3's answer to an algorithm name it does not know (x-amz-checksum-algorithm,
# x-amz-sdk-checksum-algorithm)
UNSUPPORTED_ALGORITHM = ("Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
                         "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")


def check_algorithm_name(value: str | None) -> str | None:
    """The upper-case algorithm a request names, or InvalidRequest for one S3 does not know."""
    if value is None:
        return None
    if value.upper() not in DIGEST_SIZES:
        raise AwsError("InvalidRequest", UNSUPPORTED_ALGORITHM, 400)
    return value.upper()


def _invalid_value(algorithm: str) -> AwsError:
    return AwsError("InvalidRequest", f"Value for {header_name(algorithm)} header is invalid.", 400)


def bad_digest(algorithm: str) -> AwsError:
    return AwsError("BadDigest", f"The {algorithm} you specified did not match the calculated checksum.", 400)


class ChecksumPlan:
    """What one upload claims and what S3 computes for it, decided before the body is read.

    ``algorithm`` is computed over the body; ``claimed`` is the header value (None when the
    value travels in a trailer, or when the client sent none); ``trailer`` the trailer name
    to read once the body has been consumed; ``explicit`` whether the client asked for it.
    """

    __slots__ = ("algorithm", "claimed", "trailer", "explicit")

    def __init__(self, algorithm: str, claimed: str | None, trailer: str | None, explicit: bool):
        self.algorithm, self.claimed, self.trailer, self.explicit = algorithm, claimed, trailer, explicit

    def verify(self, digest: bytes, trailers: dict) -> str:
        """Check the claimed value (header or trailer) against ``digest``; returns the base64
        value to store. Raises InvalidRequest (malformed) or BadDigest (mismatch)."""
        value = encode(digest)
        claimed = self.claimed
        if self.trailer is not None:
            claimed = (trailers or {}).get(self.trailer)
            if claimed is not None and not is_valid_value(self.algorithm, claimed):
                raise _invalid_value(self.algorithm)
        if claimed is not None and claimed.strip() != value:
            raise bad_digest(self.algorithm)
        return value


def plan_checksum(params: dict, body) -> ChecksumPlan:
    """Read the checksum headers of a PutObject / UploadPart (``params``) and the trailers its
    ``body`` announces; refuse what S3 refuses before a byte of the body is read."""
    sdk = check_algorithm_name(params.get("ChecksumAlgorithm"))
    claims = {alg: params[f"Checksum{alg}"] for alg in ALGORITHMS if params.get(f"Checksum{alg}") is not None}
    if len(claims) > 1:
        raise AwsError("InvalidRequest",
                       "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", 400)
    for algorithm, value in claims.items():
        if not is_valid_value(algorithm, value):
            raise _invalid_value(algorithm)
    trailers = [name for name in getattr(body, "declared_trailers", ()) if name.startswith("x-amz-checksum-")]
    trailer_algs = [name[len("x-amz-checksum-"):].upper() for name in trailers]
    for algorithm in trailer_algs:
        if algorithm not in DIGEST_SIZES:
            raise AwsError("InvalidRequest", "The value specified in the x-amz-trailer header is not supported", 400)
    if len(claims) + len(trailer_algs) > 1:
        raise AwsError("InvalidRequest",
                       "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", 400)
    named = next(iter(claims), None) or (trailer_algs[0] if trailer_algs else None)
    if sdk is not None:
        if named is None:
            raise AwsError("InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding "
                                             "x-amz-checksum-* or x-amz-trailer headers were found.", 400)
        if sdk != named:
            raise AwsError("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.", 400)
    if named is None:
        return ChecksumPlan(DEFAULT_ALGORITHM, None, None, explicit=False)
    return ChecksumPlan(named, claims.get(named), trailers[0] if trailer_algs else None, explicit=True)


class DigestingBody:
    """Wraps a request body: its MD5 (the ETag) and one flexible checksum, computed in the
    same pass as the bytes stream through to the blob store."""

    __slots__ = ("source", "md5", "hasher")

    def __init__(self, source, algorithm: str):
        self.source = source
        self.md5 = hashlib.md5()
        self.hasher = new_hasher(algorithm)

    async def __aiter__(self):
        md5, hasher = self.md5.update, self.hasher.update
        if isinstance(self.source, (bytes, bytearray, memoryview)):
            chunk = bytes(self.source)
            md5(chunk)
            hasher(chunk)
            yield chunk
            return
        async for chunk in self.source:
            md5(chunk)
            hasher(chunk)
            yield chunk
