"""The key store: KMS keys and their material versions, as the operations of both halves of
the provider use them (``self.keys`` on the provider).

    record = self.keys.resolve(ctx, params["KeyId"], operation="Encrypt")
    material = self.keys.material(record)            # current version
    material = self.keys.material(record, version)   # an older one, after rotations

``resolve`` accepts what AWS accepts wherever a KeyId is asked: a key id, a key ARN (another
account's key too), an alias name ``alias/x`` or an alias ARN; it raises AWS's errors for a key
that does not exist or whose state refuses the operation (``key_states.py``).
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass, fields, replace

from overcast.services.kms.errors import NotFoundException
from overcast.services.kms.key_specs import SPECS, load_private
from overcast.services.kms.key_states import SAME_ACCOUNT_ONLY, check_aws_managed, check_state
from overcast.services.kms.sealing import Sealer, binding
from overcast.storage.scope import partition_of

KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/(.+)$")
ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias/.+)$")
KEY_ID = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")

_COLUMNS = ("account", "region", "key_id", "spec", "usage", "origin", "manager", "state", "description",
            "created", "current_version", "policy", "tags", "multi_region", "primary_region", "deletion_date",
            "pending_window", "state_before_deletion", "valid_to", "expiration_model", "rotation_period",
            "next_rotation")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM keys"
_RECORDS_CACHED = 10_000


@dataclass(frozen=True)
class KeyRecord:
    """One KMS key in one region (a multi-Region replica is a record of its own)."""

    account: str
    region: str
    key_id: str
    spec: str  # KeySpec
    usage: str  # KeyUsage
    origin: str  # AWS_KMS | EXTERNAL
    manager: str  # CUSTOMER | AWS
    state: str  # KeyState
    description: str
    created: float
    current_version: int  # 0 while an EXTERNAL key has no material
    policy: str
    tags: str  # JSON list of {"TagKey", "TagValue"} in the order AWS keeps them
    multi_region: bool
    primary_region: str | None  # the primary's region for multi-Region keys
    deletion_date: float | None
    pending_window: int | None
    state_before_deletion: str | None
    valid_to: float | None
    expiration_model: str | None
    rotation_period: int | None  # days; None: automatic rotation disabled
    next_rotation: float | None

    @property
    def arn(self) -> str:
        return key_arn(self.region, self.account, self.key_id)

    @property
    def asymmetric(self) -> bool:
        return SPECS[self.spec].asymmetric

    @property
    def tag_list(self) -> list[dict]:
        return json.loads(self.tags)

    @property
    def is_replica(self) -> bool:
        return self.multi_region and self.primary_region != self.region


def key_arn(region: str, account: str, key_id: str) -> str:
    return f"arn:{partition_of(region)}:kms:{region}:{account}:key/{key_id}"


def alias_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition_of(region)}:kms:{region}:{account}:{name}"


def own_alias_name(ctx, key_id: str) -> str:
    """The alias name a KeyId gives in the caller's account and region (``alias/x`` or its
    ARN), else ''."""
    if key_id.startswith("alias/"):
        return key_id
    match = ALIAS_ARN.match(key_id)
    if match and match.group(1) == ctx.region and match.group(2) == ctx.account:
        return match.group(3)
    return ""


def new_key_id(multi_region: bool) -> str:
    return f"mrk-{uuid.uuid4().hex}" if multi_region else str(uuid.uuid4())


def new_material_id() -> str:
    """A key material id as DescribeKey's CurrentKeyMaterialId shows it (64 hex digits)."""
    return secrets.token_hex(32)


class KeyStore:
    """Keys, their sealed material versions and the in-memory cache of opened material."""

    def __init__(self, db, sealer: Sealer):
        self.db = db
        self.sealer = sealer
        # (account, region, key_id, version) -> opened material (bytes or private key object):
        # opening costs an AES-GCM decryption (and key parsing for asymmetric keys) per call.
        self._opened: dict[tuple, object] = {}
        # (account, region, key_id) -> KeyRecord: every request resolves its key, and the row
        # query was the largest cost of a cryptographic operation. Every write of a key row goes
        # through this class (insert, update, delete, reset), which drops the entry first, so a
        # cached record is never older than the row. Records read inside a transaction are not
        # cached: a rollback would leave them newer than the row.
        self._records: dict[tuple, KeyRecord] = {}

    # -- finding keys -------------------------------------------------------------------------

    def get(self, account: str, region: str, key_id: str) -> KeyRecord | None:
        cache_key = (account, region, key_id)
        record = self._records.get(cache_key)
        if record is not None:
            return record
        row = self.db.query_one(f"{_SELECT} WHERE account = ? AND region = ? AND key_id = ?", cache_key)
        if row is None:
            return None
        record = _record(row)
        if not self.db.in_transaction:
            if len(self._records) >= _RECORDS_CACHED:
                self._records.clear()  # bounded: a cloud with more keys than this reads rows again
            self._records[cache_key] = record
        return record

    def _forget_record(self, key: KeyRecord) -> None:
        self._records.pop((key.account, key.region, key.key_id), None)

    def locate(self, ctx, key_id: str) -> KeyRecord:
        """The key ``key_id`` names for this caller (any state), or AWS's NotFoundException."""
        if not isinstance(key_id, str) or not key_id:
            raise NotFoundException(f"Invalid keyId {key_id}")
        match = KEY_ARN.match(key_id)
        if match:
            region, account, bare = match.groups()
            record = self.get(account, region, bare) if region == ctx.region else None
            if record is None:
                raise NotFoundException(f"Key '{key_id}' does not exist")
            return record
        match = ALIAS_ARN.match(key_id)
        if match:
            region, account, name = match.groups()
            return self._by_alias(account, region, name, key_id, region == ctx.region)
        if key_id.startswith("alias/"):
            return self._by_alias(ctx.account, ctx.region, key_id, alias_arn(ctx.region, ctx.account, key_id), True)
        if not KEY_ID.match(key_id):
            raise NotFoundException(f"Invalid keyId {key_id}")
        record = self.get(ctx.account, ctx.region, key_id)
        if record is None:
            raise NotFoundException(f"Key '{key_arn(ctx.region, ctx.account, key_id)}' does not exist")
        return record

    def _by_alias(self, account: str, region: str, name: str, arn: str, same_region: bool) -> KeyRecord:
        row = self.db.query_one("SELECT key_id FROM aliases WHERE account = ? AND region = ? AND name = ?",
                                (account, region, name)) if same_region else None
        record = self.get(account, region, row[0]) if row else None
        if record is None:
            raise NotFoundException(f"Alias {arn} is not found.")
        return record

    def resolve(self, ctx, key_id: str, *, operation: str) -> KeyRecord:
        """The key ``key_id`` names, checked usable for ``operation`` (AWS's state errors)."""
        record = self.locate(ctx, key_id)
        self.check(ctx, record, operation)
        return record

    @staticmethod
    def check(ctx, record: KeyRecord, operation: str) -> None:
        """``resolve``'s checks of a located key (for operations that check something of their
        own in between, as AWS orders it)."""
        if record.account != ctx.account and operation in SAME_ACCOUNT_ONLY:
            raise NotFoundException(f"Key '{record.arn}' does not exist")
        if record.manager == "AWS":
            check_aws_managed(ctx, record.arn, operation)
        check_state(record.arn, record.state, operation)

    def list_keys(self, account: str, region: str, after: str, limit: int) -> list[tuple[str, str]]:
        """(key id, region) of keys after ``after`` in key id order, at most ``limit``."""
        return self.db.query("SELECT key_id, region FROM keys WHERE account = ? AND region = ? AND key_id > ? "
                             "ORDER BY key_id LIMIT ?", (account, region, after, limit))

    def replicas(self, record: KeyRecord) -> list[KeyRecord]:
        """Every region's record of a multi-Region key (the primary and its replicas)."""
        rows = self.db.query(f"{_SELECT} WHERE account = ? AND key_id = ? ORDER BY region",
                             (record.account, record.key_id))
        return [_record(row) for row in rows]

    # -- material -----------------------------------------------------------------------------

    def material(self, key: KeyRecord, version: int | None = None):
        """The opened material of ``version`` of ``key`` (None: the current one): bytes for
        symmetric and HMAC keys, a private key object for asymmetric keys. NotFound-free:
        asking for a version that does not exist raises KeyError."""
        version = key.current_version if version is None else version
        cache_key = (key.account, key.region, key.key_id, version)
        opened = self._opened.get(cache_key)
        if opened is None:
            row = self.db.query_one(
                "SELECT sealed FROM key_versions WHERE account = ? AND region = ? AND key_id = ? AND version = ?",
                cache_key)
            if row is None or not row[0]:
                raise KeyError(f"{key.arn} has no material version {version}")
            raw = self.sealer.open(bytes(row[0]), binding(key.account, key.key_id, version))
            opened = load_private(raw) if key.asymmetric else raw
            self._opened[cache_key] = opened
        return opened

    def versions(self, key: KeyRecord) -> list[tuple]:
        """(version, material id, created, rotation type) of every stored version, oldest first."""
        return self.db.query("SELECT version, material_id, created, rotation_type FROM key_versions "
                             "WHERE account = ? AND region = ? AND key_id = ? ORDER BY version",
                             (key.account, key.region, key.key_id))

    def material_id(self, key: KeyRecord) -> str | None:
        row = self.db.query_one("SELECT material_id FROM key_versions WHERE account = ? AND region = ? "
                                "AND key_id = ? AND version = ?",
                                (key.account, key.region, key.key_id, key.current_version))
        return row[0] if row else None

    def add_version(self, key: KeyRecord, raw: bytes, created: float, rotation_type: str | None,
                    material_id: str | None = None, version: int | None = None, current: bool = True) -> int:
        """Store ``raw`` sealed as a new version of ``key`` (the next number unless given) and
        make it current unless ``current`` is false (imported material waiting for an on-demand
        rotation: a version above the current one); returns the version."""
        if version is None:
            row = self.db.query_one("SELECT MAX(version) FROM key_versions WHERE account = ? AND region = ? "
                                    "AND key_id = ?", (key.account, key.region, key.key_id))
            version = (row[0] or 0) + 1 if row else 1
        self.db.execute(
            "INSERT INTO key_versions (account, region, key_id, version, material_id, sealed, created, rotation_type) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (key.account, key.region, key.key_id, version, material_id or new_material_id(),
             self.sealer.seal(raw, binding(key.account, key.key_id, version)), created, rotation_type))
        if current:
            self.update(key, current_version=version)
        return version

    def set_version_rotation(self, key: KeyRecord, version: int, rotated: float, rotation_type: str) -> None:
        """Record when and how ``version`` became current (a pending imported version rotated in)."""
        self.db.execute("UPDATE key_versions SET created = ?, rotation_type = ? WHERE account = ? AND region = ? "
                        "AND key_id = ? AND version = ?",
                        (rotated, rotation_type, key.account, key.region, key.key_id, version))

    def copy_versions(self, source: KeyRecord, target: KeyRecord) -> None:
        """Give a replica the primary's material (the sealed blobs are region-free)."""
        self.db.execute(
            "INSERT INTO key_versions (account, region, key_id, version, material_id, sealed, created, rotation_type) "
            "SELECT account, ?, key_id, version, material_id, sealed, created, rotation_type FROM key_versions "
            "WHERE account = ? AND region = ? AND key_id = ? "
            "ON CONFLICT (account, region, key_id, version) DO NOTHING",
            (target.region, source.account, source.region, source.key_id))

    def forget_material(self, key: KeyRecord) -> None:
        """Erase the material of every version but keep the versions' ids (imported material
        deleted or expired: only the same material may come back)."""
        self.db.execute("UPDATE key_versions SET sealed = ? WHERE account = ? AND region = ? AND key_id = ?",
                        (b"", key.account, key.region, key.key_id))
        self._forget_opened(key)

    def restore_version(self, key: KeyRecord, version: int, raw: bytes) -> None:
        """Put re-imported material back into its version."""
        self.db.execute("UPDATE key_versions SET sealed = ? WHERE account = ? AND region = ? AND key_id = ? "
                        "AND version = ?", (self.sealer.seal(raw, binding(key.account, key.key_id, version)),
                                            key.account, key.region, key.key_id, version))

    def _forget_opened(self, key: KeyRecord) -> None:
        for cache_key in [k for k in self._opened if k[:3] == (key.account, key.region, key.key_id)]:
            del self._opened[cache_key]

    def drop_material(self, key: KeyRecord) -> None:
        """Forget every material version (DeleteImportedKeyMaterial, key deletion)."""
        self.db.execute("DELETE FROM key_versions WHERE account = ? AND region = ? AND key_id = ?",
                        (key.account, key.region, key.key_id))
        self._forget_opened(key)

    # -- writing keys -------------------------------------------------------------------------

    def insert(self, record: KeyRecord) -> None:
        values = [getattr(record, name) for name in _COLUMNS]
        values[_COLUMNS.index("multi_region")] = int(record.multi_region)
        self._forget_record(record)
        self.db.execute(f"INSERT INTO keys ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                        values)

    def update(self, key: KeyRecord, **changes) -> KeyRecord:
        """Write ``changes`` (column -> value) to ``key``'s row; returns the updated record."""
        assigns = ", ".join(f"{name} = ?" for name in changes)
        values = [int(v) if isinstance(v, bool) else v for v in changes.values()]
        self._forget_record(key)
        self.db.execute(f"UPDATE keys SET {assigns} WHERE account = ? AND region = ? AND key_id = ?",
                        (*values, key.account, key.region, key.key_id))
        return replace(key, **changes)

    def delete(self, key: KeyRecord) -> None:
        """Delete the key for good, with its material, aliases and grants."""
        self._forget_record(key)
        with self.db.transaction():
            self.drop_material(key)
            scope = (key.account, key.region, key.key_id)
            for table in ("keys", "aliases", "grants", "import_tokens"):
                self.db.execute(f"DELETE FROM {table} WHERE account = ? AND region = ? AND key_id = ?", scope)

    def forget_cache(self) -> None:
        self._opened.clear()
        self._records.clear()


def _record(row) -> KeyRecord:
    values = dict(zip(_COLUMNS, row))
    values["multi_region"] = bool(values["multi_region"])
    return KeyRecord(**values)


assert [f.name for f in fields(KeyRecord)] == list(_COLUMNS)
