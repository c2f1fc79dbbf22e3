"""AWS KMS: the provider is composed of one class per concern, each in its own module.

| module | operations |
|---|---|
| ``keys.py`` (``KeyOperations``) | CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription, ScheduleKeyDeletion, CancelKeyDeletion |
| ``aliases.py`` (``AliasOperations``) | CreateAlias, UpdateAlias, DeleteAlias, ListAliases |
| ``policies.py`` (``PolicyOperations``) | GetKeyPolicy, PutKeyPolicy, ListKeyPolicies |
| ``grants.py`` (``GrantOperations``) | CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant |
| ``rotation.py`` (``RotationOperations``) | EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations |
| ``tags.py`` (``TagOperations``) | TagResource, UntagResource, ListResourceTags |
| ``importing.py`` (``ImportOperations``) | GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial |
| ``multi_region.py`` (``MultiRegionOperations``) | ReplicateKey, UpdatePrimaryRegion |
| ``crypto_ops.py`` (``CryptoOperations``) | the cryptographic operations |

``managed_keys.managed_key(ctx, "s3")`` gives other services the AWS managed key of theirs.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.kms.aliases import AliasOperations
from overcast.services.kms.crypto_ops import CryptoOperations
from overcast.services.kms.grants import GrantOperations
from overcast.services.kms.importing import ImportOperations
from overcast.services.kms.key_store import KeyStore
from overcast.services.kms.keys import KeyOperations
from overcast.services.kms.multi_region import MultiRegionOperations
from overcast.services.kms.policies import PolicyOperations
from overcast.services.kms.rotation import RotationOperations
from overcast.services.kms.schema import MIGRATIONS
from overcast.services.kms.sealing import Sealer
from overcast.services.kms.tags import TagOperations


class Provider(KeyOperations, AliasOperations, PolicyOperations, GrantOperations, RotationOperations,
               TagOperations, ImportOperations, MultiRegionOperations, CryptoOperations, BaseProvider):
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
        """Each mixin's ``_register_timers`` registers the handlers of its durable timers."""
        for mixin in type(self).__mro__:
            hook = mixin.__dict__.get("_register_timers")
            if hook is not None:
                hook(self)

    def reset(self) -> None:
        if self._keys is not None:
            self._keys.forget_cache()
