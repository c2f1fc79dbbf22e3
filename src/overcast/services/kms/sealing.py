"""Key material at rest: sealed (AES-256-GCM) under the KMS master key, 32 random bytes kept in
``<data-dir>/kms-master.key`` (0600, made once, the same way S3 keeps its service key). The
database never holds material in plain text; losing the file loses every key.

The associated data binds a sealed blob to its key and version, so rows cannot be swapped
between keys. It leaves out the region: a multi-Region replica stores the very same blobs.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from overcast.services.s3.at_rest import load_service_key

MASTER_KEY_FILE = "kms-master.key"
_NONCE = 12


class Sealer:
    """Seals and opens key material under the data dir's KMS master key."""

    def __init__(self, data_dir: str):
        self._aead = AESGCM(load_service_key(data_dir, MASTER_KEY_FILE))

    def seal(self, material: bytes, binding: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, material, binding.encode())

    def open(self, sealed: bytes, binding: str) -> bytes:
        return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], binding.encode())


def binding(account: str, key_id: str, version: int | str) -> str:
    """What a key version's sealed material is bound to."""
    return f"{account}/{key_id}/{version}"
