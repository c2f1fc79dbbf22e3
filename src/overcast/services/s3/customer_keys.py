"""SSE-C: objects encrypted with a key the customer sends on every request.

The three headers (``x-amz-server-side-encryption-customer-algorithm``, ``-key``, ``-key-MD5``,
and the ``x-amz-copy-source-`` trio for a copy's source) are checked as S3 checks them, with
its codes and texts: an algorithm other than AES256, a key or MD5 without an algorithm, an
algorithm without a key, an MD5 that does not match (checked before the key's length), a key
that is not 256 bits. The key is never stored: the object keeps a salted HMAC-SHA256 of it
(``attrs["sse"]["SSECustomerKeyHash"]``), against which a read's key is checked. A read
without the key, with a key of another object, or with a key on an object that has none
gets S3's answers (400 / 403 / 400).

Over plain HTTP: S3 refuses SSE-C headers on a request that is not HTTPS. Overcast serves
HTTP on localhost and accepts them there (as local S3 emulators do), since refusing would
make SSE-C untestable locally; the key does not leave the machine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from overcast.errors import AwsError

ALGORITHM = "AES256"
HASH_MEMBER = "SSECustomerKeyHash"
_KEY_BYTES = 32
_PREFIX = "Requests specifying Server Side Encryption with Customer provided keys must provide "
NOT_APPLICABLE = "The encryption parameters are not applicable to this object."


def _argument(message: str, value: str = "null") -> AwsError:
    return AwsError("InvalidArgument", message, 400,
                    fields={"ArgumentName": "x-amz-server-side-encryption", "ArgumentValue": value})


def key_required() -> AwsError:
    return AwsError("InvalidRequest", "The object was stored using a form of Server Side Encryption. The correct "
                    "parameters must be provided to retrieve the object.", 400)


def wrong_key() -> AwsError:
    return AwsError("AccessDenied", _PREFIX + "the correct secret key.", 403)


class CustomerKey:
    """A request's customer key: its bytes and the MD5 answered back."""

    __slots__ = ("key", "md5")

    def __init__(self, key: bytes, md5: str):
        self.key, self.md5 = key, md5

    def headers(self) -> dict:
        """The response members that confirm the key used."""
        return {"SSECustomerAlgorithm": ALGORITHM, "SSECustomerKeyMD5": self.md5}

    def fingerprint(self) -> str:
        """A new salted HMAC of the key (what the object keeps instead of it)."""
        salt = os.urandom(16)
        return base64.b64encode(salt + hmac.new(salt, self.key, hashlib.sha256).digest()).decode()

    def matches(self, fingerprint: str) -> bool:
        raw = base64.b64decode(fingerprint)
        salt, mac = raw[:16], raw[16:]
        return hmac.compare_digest(mac, hmac.new(salt, self.key, hashlib.sha256).digest())


def customer_key(params: dict, copy_source: bool = False, write: bool = False) -> CustomerKey | None:
    """The request's customer key (or the copy source's), checked; None without SSE-C headers."""
    prefix = "CopySourceSSECustomer" if copy_source else "SSECustomer"
    algorithm, key, md5 = params.get(prefix + "Algorithm"), params.get(prefix + "Key"), params.get(prefix + "KeyMD5")
    if algorithm is None and key is None and md5 is None:
        return None
    if algorithm is None:
        raise _argument(_PREFIX + "a valid encryption algorithm.")
    if algorithm != ALGORITHM:
        raise AwsError("InvalidEncryptionAlgorithmError", "The Encryption request you specified is not valid. "
                       "Supported value: AES256.", 400,
                       fields={"ArgumentName": "x-amz-server-side-encryption", "ArgumentValue": algorithm})
    if not key:
        raise _argument(_PREFIX + "an appropriate secret key.")
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise _argument("The secret key was invalid for the specified algorithm.") from None
    computed = base64.b64encode(hashlib.md5(raw).digest()).decode()
    if md5 is None and write:
        raise _argument(_PREFIX + "the client calculated MD5 of the secret key.")
    if md5 is not None and md5 != computed:
        raise _argument("The calculated MD5 hash of the key did not match the hash that was provided.")
    if len(raw) != _KEY_BYTES and write:
        raise _argument("The secret key was invalid for the specified algorithm.")
    # on a read S3 answers a key of another length as a wrong key: it matches no fingerprint
    return CustomerKey(raw, computed)


def write_mode(given: CustomerKey) -> dict:
    """The ``attrs["sse"]`` of an object (or upload) written with ``given``."""
    return {"SSECustomerAlgorithm": ALGORITHM, HASH_MEMBER: given.fingerprint()}


def is_customer_encrypted(sse: dict | None) -> bool:
    return bool(sse) and "SSECustomerAlgorithm" in sse


def key_for_read(sse: dict | None, given: CustomerKey | None) -> CustomerKey | None:
    """The key that opens an object encrypted in mode ``sse`` (its ``attrs["sse"]``), from the
    request's ``given`` key: what S3 answers when it is missing, wrong or not wanted."""
    if not is_customer_encrypted(sse):
        if given is not None:
            raise AwsError("InvalidRequest", NOT_APPLICABLE, 400)
        return None
    if given is None:
        raise key_required()
    fingerprint = sse.get(HASH_MEMBER)
    if fingerprint is not None and not given.matches(fingerprint):
        raise wrong_key()
    return given  # (an object written before keys were checked has no fingerprint, and plain bytes)


def key_for_part(upload_sse: dict | None, given: CustomerKey | None) -> CustomerKey | None:
    """The key of an UploadPart (UploadPartCopy's destination): the upload's, or S3's refusal."""
    if is_customer_encrypted(upload_sse) != (given is not None):
        raise AwsError("InvalidRequest", "The multipart upload initiate requested encryption. Subsequent part "
                       "requests must include the appropriate encryption parameters.", 400)
    if given is not None and not given.matches(upload_sse.get(HASH_MEMBER) or ""):
        raise AwsError("InvalidRequest", "The provided encryption parameters did not match the ones used "
                       "originally.", 400)
    return given
