"""Checksums of multipart uploads: per-part hashers, the checksum of checksums (COMPOSITE)
and the whole-object CRC combined from the parts' CRCs (FULL_OBJECT).

AWS ("Checking object integrity" in the S3 User Guide): a multipart upload names one
algorithm at CreateMultipartUpload. COMPOSITE (CRC32, CRC32C, SHA1, SHA256) is the
algorithm applied to the concatenated binary checksums of the parts, reported as
``<base64>-<part count>``; FULL_OBJECT (CRC32, CRC32C, CRC64NVME) is the CRC of the whole
object, which the CRC algebra lets us compute from the part CRCs and sizes without reading
a byte again. CRC64NVME only exists as FULL_OBJECT.
"""

from __future__ import annotations

import base64

from overcast.errors import AwsError

from .checksums import ALGORITHMS as _SHARED_ALGORITHMS
from .checksums import new_hasher as _shared_hasher

ALGORITHMS = _SHARED_ALGORITHMS  # every x-amz-checksum-* algorithm the service model names
COMPOSITE_OK = ("CRC32", "CRC32C", "SHA1", "SHA256")
FULL_OBJECT_OK = ("CRC32", "CRC32C", "CRC64NVME")

# reflected polynomials and widths of the CRCs (for combining part CRCs)
_CRC = {"CRC32": (0xEDB88320, 32), "CRC32C": (0x82F63B78, 32), "CRC64NVME": (0x9A6C9329AC4BC9B5, 64)}


def new_hasher(algorithm: str):
    """A streaming hasher (``update(bytes)``, ``digest() -> bytes``) for ``algorithm``."""
    try:
        return _shared_hasher(algorithm)
    except ValueError:
        raise AwsError("InvalidRequest", f"Checksum algorithm {algorithm} is not supported", 400) from None


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def unb64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        return b""


def composite(algorithm: str, part_values: list[str]) -> str:
    """The checksum of the parts' checksums, as S3 reports it: ``<base64>-<N>``."""
    hasher = new_hasher(algorithm)
    for value in part_values:
        hasher.update(unb64(value))
    return f"{b64(hasher.digest())}-{len(part_values)}"


# -- combining CRCs (the method of zlib's crc32_combine, for any reflected CRC) -------------

def _multmodp(a: int, b: int, poly: int, top: int) -> int:
    """a * b modulo the CRC polynomial (reflected bit order: ``top`` is x^0)."""
    product = 0
    m = top
    while m:
        if a & m:
            product ^= b
        m >>= 1
        b = (b >> 1) ^ poly if b & 1 else b >> 1
    return product


_powers: dict[str, list[int]] = {}


def _x_pow_8n(algorithm: str, n: int) -> int:
    """x^(8n) modulo the polynomial: the operator that shifts a CRC over n zero bytes."""
    poly, width = _CRC[algorithm]
    top = 1 << (width - 1)
    table = _powers.get(algorithm)
    if table is None:  # x^(2^k) for k = 0..63
        table = [top >> 1]
        for _ in range(63):
            table.append(_multmodp(table[-1], table[-1], poly, top))
        _powers[algorithm] = table
    result, k = top, 3  # x^0; n bytes are 2^3 * n bits
    while n:
        if n & 1:
            result = _multmodp(table[k], result, poly, top)
        n >>= 1
        k += 1
    return result


def combine_crcs(algorithm: str, parts: list[tuple[str, int]]) -> str:
    """The whole-object CRC (base64) from ``[(part CRC base64, part size), ...]`` in order."""
    poly, width = _CRC[algorithm]
    top = 1 << (width - 1)
    crc = 0
    shifts: dict[int, int] = {}  # parts mostly share one size: one operator per size
    for value, size in parts:
        part_crc = int.from_bytes(unb64(value), "big")
        shift = shifts.get(size)
        if shift is None:
            shift = shifts[size] = _x_pow_8n(algorithm, size)
        crc = _multmodp(shift, crc, poly, top) ^ part_crc
    return b64(crc.to_bytes(width // 8, "big"))
