"""The symmetric ciphertext blob: what Encrypt, GenerateDataKey and ReEncrypt hand out.

AWS's blob is self-describing (Decrypt needs no KeyId for a symmetric key), so ours is too::

    0      format (0x01)
    1      account owning the key, 12 ASCII digits (cross-account Decrypt finds the key)
    13     length of the key id, then the key id (a UUID, or ``mrk-...`` for multi-Region keys)
    ..     material version, 4 bytes big-endian (old ciphertexts decrypt after a rotation)
    ..     header check, 4 bytes (the first bytes of SHA-256 of the header before it)
    ..     nonce, 12 bytes
    ..     AES-256-GCM ciphertext, then its 16-byte tag

The header and the encryption context are the additional authenticated data, so a changed byte
anywhere, or another context, fails the tag. The header check only lets a damaged header be
told apart (InvalidCiphertextException) from a well-formed one naming a key that is not here.
The region is not in the blob: a multi-Region key's replicas share id and material, so a
ciphertext decrypts in every Region that holds the key, as on AWS.
"""

from __future__ import annotations

import functools
import hashlib
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from overcast.errors import AwsError
from overcast.services.kms.crypto_errors import invalid_ciphertext

FORMAT = 1
_NONCE = 12
_TAG = 16
_CHECK = 4
_VERSION = struct.Struct(">I")


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed blob, not yet authenticated."""

    account: str
    key_id: str
    version: int
    header: bytes
    nonce: bytes
    sealed: bytes  # ciphertext and tag


@functools.lru_cache(maxsize=1024)
def _cipher(material: bytes) -> AESGCM:
    """The AES-GCM cipher of a key's material, built once per material (hot path)."""
    return AESGCM(material)


def canonical_context(context: dict | None) -> bytes:
    """The encryption context as bytes that do not depend on the order of its pairs: pairs
    sorted by key, each member length-prefixed so no two contexts share an encoding."""
    if not context:
        return b""
    parts = []
    for key in sorted(context):
        name, value = str(key).encode(), str(context[key]).encode()
        parts += (len(name).to_bytes(4, "big"), name, len(value).to_bytes(4, "big"), value)
    return b"".join(parts)


@functools.lru_cache(maxsize=4096)
def _header(account: str, key_id: str, version: int) -> bytes:
    key = key_id.encode("ascii")
    head = bytes([FORMAT]) + account.encode("ascii") + bytes([len(key)]) + key + _VERSION.pack(version)
    return head + hashlib.sha256(head).digest()[:_CHECK]


def seal(material: bytes, account: str, key_id: str, version: int, plaintext: bytes,
         context: dict | None) -> bytes:
    """Encrypt ``plaintext`` under a symmetric key's material into a self-describing blob."""
    header = _header(account, key_id, version)
    nonce = os.urandom(_NONCE)
    sealed = _cipher(material).encrypt(nonce, plaintext, header + canonical_context(context))
    return header + nonce + sealed


def parse(blob: bytes) -> Envelope:
    """Read a blob's header; InvalidCiphertextException when it is not one of ours or damaged."""
    if len(blob) < 1 + 12 + 1 + _VERSION.size + _CHECK + _NONCE + _TAG or blob[0] != FORMAT:
        raise invalid_ciphertext()
    key_length = blob[13]
    end = 14 + key_length + _VERSION.size
    header_end = end + _CHECK
    if len(blob) < header_end + _NONCE + _TAG:
        raise invalid_ciphertext()
    if hashlib.sha256(blob[:end]).digest()[:_CHECK] != blob[end:header_end]:
        raise invalid_ciphertext()
    try:
        account = blob[1:13].decode("ascii")
        key_id = blob[14:14 + key_length].decode("ascii")
    except UnicodeDecodeError:
        raise invalid_ciphertext() from None
    (version,) = _VERSION.unpack_from(blob, 14 + key_length)
    return Envelope(account, key_id, version, bytes(blob[:header_end]), bytes(blob[header_end:header_end + _NONCE]),
                    bytes(blob[header_end + _NONCE:]))


def named_key(blob) -> tuple[str, str] | None:
    """(account, key id) a symmetric blob names, or None when it is not a well-formed one: what
    authorization needs to find Decrypt's key when the request gives no KeyId."""
    if not isinstance(blob, (bytes, bytearray)):
        return None
    try:
        envelope = parse(blob)
    except AwsError:
        return None
    return envelope.account, envelope.key_id


def open_envelope(envelope: Envelope, material: bytes, context: dict | None) -> bytes:
    """The plaintext; InvalidCiphertextException when any byte or the context differs."""
    try:
        return _cipher(material).decrypt(envelope.nonce, envelope.sealed, envelope.header + canonical_context(context))
    except (InvalidTag, ValueError):
        raise invalid_ciphertext() from None
