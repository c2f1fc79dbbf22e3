"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. An alias is ``alias/<name>``,
unique per account and region, and names one key of the same account and region;
``alias/aws/*`` is reserved for AWS managed keys (``managed_keys.py``)."""

from __future__ import annotations

from overcast.errors import AwsError
from overcast.services.kms.errors import (
    AlreadyExistsException,
    LimitExceededException,
    NotFoundException,
    ValidationException,
)
from overcast.services.kms.key_store import KeyRecord, alias_arn
from overcast.services.kms.managed_keys import SERVICES as MANAGED_SERVICES
from overcast.services.kms.markers import page
from overcast.services.kms.validation import check_input

PREFIX = "alias/"
RESERVED = "alias/aws/"
MAX_ALIASES_PER_KEY = 50  # AWS quota: aliases per KMS key
PREDEFINED = tuple(sorted(f"alias/aws/{service}" for service in MANAGED_SERVICES))
_PREFIX_MESSAGE = ('Alias must start with the prefix "alias/". '
                   "Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")


def _check_name(name: str) -> None:
    if not name.startswith(PREFIX) or name == PREFIX:
        raise ValidationException(_PREFIX_MESSAGE)
    if name.startswith(RESERVED):
        # KMS answers this with an error code its model does not list.
        raise AwsError("NotAuthorizedException", f"{name} is reserved for AWS managed keys.", 400)


class AliasOperations:
    """The alias operations of the KMS provider."""

    def _alias_target(self, ctx, target: str, operation: str) -> KeyRecord:
        if target.startswith(PREFIX) or ":alias/" in target:
            raise ValidationException("Aliases must refer to keys. Not aliases")
        record = self.keys.resolve(ctx, target, operation=operation)
        if record.account != ctx.account:
            raise ValidationException("An alias can only refer to a key in the same account.")
        return record

    def create_alias(self, ctx, params: dict) -> dict:
        check_input("CreateAlias", params)
        name = params["AliasName"]
        _check_name(name)
        record = self._alias_target(ctx, params["TargetKeyId"], "CreateAlias")
        if self._alias_row(ctx, name) is not None:
            raise AlreadyExistsException(f"An alias with the name {alias_arn(ctx.region, ctx.account, name)} "
                                         "already exists")
        self._check_alias_quota(record)
        now = self.clock.now()
        self.db.execute("INSERT INTO aliases (account, region, name, key_id, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                        (ctx.account, ctx.region, name, record.key_id, now, now))
        return {}

    def _check_alias_quota(self, record: KeyRecord) -> None:
        row = self.db.query_one("SELECT COUNT(*) FROM aliases WHERE account = ? AND region = ? AND key_id = ?",
                                (record.account, record.region, record.key_id))
        if row[0] >= MAX_ALIASES_PER_KEY:
            raise LimitExceededException(
                f"Too many aliases for {record.arn}: a KMS key can have at most {MAX_ALIASES_PER_KEY} aliases.")

    def update_alias(self, ctx, params: dict) -> dict:
        check_input("UpdateAlias", params)
        name = params["AliasName"]
        _check_name(name)
        row = self._alias_row(ctx, name)
        if row is None:
            raise NotFoundException(f"Alias {alias_arn(ctx.region, ctx.account, name)} is not found.")
        record = self._alias_target(ctx, params["TargetKeyId"], "UpdateAlias")
        current = self.keys.get(ctx.account, ctx.region, row[0])
        # The new key must be of the same type and usage (AWS: symmetric with symmetric...).
        if current is not None and (current.usage != record.usage or current.asymmetric != record.asymmetric
                                    or (current.spec.startswith("HMAC") != record.spec.startswith("HMAC"))):
            raise ValidationException(
                f"Alias {name} cannot be changed: the new key must have the same key type and key usage "
                f"({current.spec if current.asymmetric else 'symmetric'}, {current.usage}) as the current one.")
        self._check_alias_quota(record)
        self.db.execute("UPDATE aliases SET key_id = ?, updated = ? WHERE account = ? AND region = ? AND name = ?",
                        (record.key_id, self.clock.now(), ctx.account, ctx.region, name))
        return {}

    def delete_alias(self, ctx, params: dict) -> dict:
        check_input("DeleteAlias", params)
        name = params["AliasName"]
        _check_name(name)
        if self._alias_row(ctx, name) is None:
            raise NotFoundException(f"Alias {alias_arn(ctx.region, ctx.account, name)} is not found.")
        self.db.execute("DELETE FROM aliases WHERE account = ? AND region = ? AND name = ?",
                        (ctx.account, ctx.region, name))
        return {}

    def list_aliases(self, ctx, params: dict) -> dict:
        check_input("ListAliases", params)
        key_filter = ""
        args: tuple = (ctx.account, ctx.region)
        if params.get("KeyId") is not None:
            record = self.keys.resolve(ctx, params["KeyId"], operation="ListAliases")
            key_filter = " AND key_id = ?"
            args = (record.account, record.region, record.key_id)

        def fetch(after: str, limit: int):
            rows = self.db.query(
                f"SELECT name, key_id, created, updated FROM aliases WHERE account = ? AND region = ?{key_filter} "
                "AND name > ? ORDER BY name LIMIT ?", (*args, after, limit))
            if key_filter:
                return rows
            # The predefined alias/aws/... aliases of AWS managed keys not made yet are listed
            # too, without a TargetKeyId (ListAliases' documentation).
            taken = {row[0] for row in self.db.query(
                "SELECT name FROM aliases WHERE account = ? AND region = ? AND name LIKE 'alias/aws/%'", args)}
            waiting = [(name, None, None, None) for name in PREDEFINED if name > after and name not in taken]
            return sorted(rows + waiting)[:limit]

        rows, next_marker = page(fetch, params, key=lambda row: row[0])
        aliases = []
        for name, key_id, created, updated in rows:
            entry = {"AliasName": name, "AliasArn": alias_arn(args[1], args[0], name)}
            if key_id is not None:
                entry.update(TargetKeyId=key_id, CreationDate=created, LastUpdatedDate=updated)
            aliases.append(entry)
        out = {"Aliases": aliases, "Truncated": next_marker is not None}
        if next_marker is not None:
            out["NextMarker"] = next_marker
        return out

    def _alias_row(self, ctx, name: str):
        return self.db.query_one("SELECT key_id FROM aliases WHERE account = ? AND region = ? AND name = ?",
                                 (ctx.account, ctx.region, name))
