"""AWS KMS: the provider is composed of one class per concern, each in its own module.

| module | operations |
|---|---|
| ``keys.py`` (``KeyOperations``) | CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription, ScheduleKeyDeletion, CancelKeyDeletion |
| ``crypto_ops.py`` (``CryptoOperations``) | the cryptographic operations |
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.kms.crypto_ops import CryptoOperations
from overcast.services.kms.key_store import KeyStore
from overcast.services.kms.keys import KeyOperations
from overcast.services.kms.schema import MIGRATIONS
from overcast.services.kms.sealing import Sealer


class Provider(KeyOperations, CryptoOperations, BaseProvider):
    service_name = "kms"
    migrations = MIGRATIONS

    def __init__(self, cloud):
        super().__init__(cloud)
        self._keys: KeyStore | None = None
        self.register_timers()

    @property
    def keys(self) -> KeyStore:
        """The key store (opened on first use, with the data dir's master key)."""
        if self._keys is None:
            self._keys = KeyStore(self.db, Sealer(self.cloud.storage.data_dir))
        return self._keys

    def register_timers(self) -> None:
        """Handlers of KMS's durable timers (the mixins add theirs)."""
        for mixin in type(self).__mro__:
            hook = mixin.__dict__.get("_register_timers")
            if hook is not None:
                hook(self)

    def reset(self) -> None:
        if self._keys is not None:
            self._keys.forget_cache()
