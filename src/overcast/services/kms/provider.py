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

``managed_keys.managed_key(ctx, "s3")`` gives other services the AWS managed key of theirs;
``authority.py`` (``KmsAuthority``) is KMS's side of strict-mode authorization.
"""

from __future__ import annotations

from overcast.services.base import Provider as BaseProvider
from overcast.services.kms.aliases import AliasOperations
from overcast.services.kms.authority import KmsAuthority
from overcast.services.kms.crypto_ops import CryptoOperations
from overcast.services.kms.crypto_validation import check_crypto_input
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
from overcast.services.kms.validation import check_input, kms_model
from overcast.services.registry import snake_case


class Provider(KeyOperations, AliasOperations, PolicyOperations, GrantOperations, RotationOperations,
               TagOperations, ImportOperations, MultiRegionOperations, CryptoOperations, KmsAuthority, BaseProvider):
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

    def validate_request(self, ctx, params: dict) -> None:
        """Strict mode: the model's constraints are checked before authorization, as KMS orders
        them (the operations check them again in open mode)."""
        if snake_case(ctx.operation) in vars(CryptoOperations):
            check_crypto_input(ctx.operation, params)
        elif ctx.operation in kms_model().operation_names:
            check_input(ctx.operation, params)

    def reset(self) -> None:
        if self._keys is not None:
            self._keys.forget_cache()
