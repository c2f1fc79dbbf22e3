"""Settings of a log group: PutRetentionPolicy, DeleteRetentionPolicy, AssociateKmsKey,
DisassociateKmsKey, PutLogGroupDeletionProtection and the data protection policy
(Put/Get/DeleteDataProtectionPolicy, recorded: Overcast masks nothing)."""

from __future__ import annotations

import json

from overcast.services.logs.errors import InvalidParameterException, ResourceNotFoundException
from overcast.services.logs.identifiers import EITHER_NAME_OR_ID, group_name_of
from overcast.services.logs.kms_keys import check_kms_key
from overcast.services.logs.validation import check_input, raise_problems
from overcast.storage.scope import Scope

# the values PutRetentionPolicy accepts (its documentation)
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)
NO_DATA_PROTECTION_POLICY = "No data protection policy is found for the specified log group."


def check_retention(value) -> int:
    if value not in RETENTION_DAYS or isinstance(value, bool):
        raise_problems([f"Value at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum "
                        f"value set: [{', '.join(str(d) for d in RETENTION_DAYS)}]"])
    return value


class GroupSettingOperations:
    def put_retention_policy(self, ctx, params: dict) -> dict:
        check_input("PutRetentionPolicy", params)
        days = check_retention(params["retentionInDays"])
        group = self.require_group(Scope.of(ctx), params["logGroupName"])
        self.db.execute("UPDATE log_groups SET retention_days = ? WHERE group_id = ?", (days, group.group_id))
        self.ensure_retention_sweep()
        return {}

    def delete_retention_policy(self, ctx, params: dict) -> dict:
        check_input("DeleteRetentionPolicy", params)
        group = self.require_group(Scope.of(ctx), params["logGroupName"])
        self.db.execute("UPDATE log_groups SET retention_days = NULL WHERE group_id = ?", (group.group_id,))
        return {}

    def _kms_target(self, ctx, params: dict):
        """The group AssociateKmsKey/DisassociateKmsKey name (by name or by ARN, one of them)."""
        name, resource = params.get("logGroupName"), params.get("resourceIdentifier")
        if (name is None) == (resource is None):
            raise InvalidParameterException(EITHER_NAME_OR_ID)
        scope = Scope.of(ctx)
        if resource is not None:
            if ":log-group:" not in resource:
                # the other kind of resource, a query result, is not kept by Overcast
                raise ResourceNotFoundException("The specified resource does not exist.")
            name = group_name_of(scope, resource)
        return self.require_group(scope, name)

    async def associate_kms_key(self, ctx, params: dict) -> dict:
        check_input("AssociateKmsKey", params)
        group = self._kms_target(ctx, params)
        await check_kms_key(ctx, params["kmsKeyId"], group.log_group_arn, self.clock.now())
        self.db.execute("UPDATE log_groups SET kms_key_id = ? WHERE group_id = ?", (params["kmsKeyId"], group.group_id))
        return {}

    def disassociate_kms_key(self, ctx, params: dict) -> dict:
        check_input("DisassociateKmsKey", params)
        group = self._kms_target(ctx, params)
        self.db.execute("UPDATE log_groups SET kms_key_id = NULL WHERE group_id = ?", (group.group_id,))
        return {}

    def put_log_group_deletion_protection(self, ctx, params: dict) -> dict:
        check_input("PutLogGroupDeletionProtection", params)
        scope = Scope.of(ctx)
        group = self.require_group(scope, group_name_of(scope, params["logGroupIdentifier"]))
        self.db.execute("UPDATE log_groups SET deletion_protection = ? WHERE group_id = ?",
                        (int(bool(params["deletionProtectionEnabled"])), group.group_id))
        return {}

    def put_data_protection_policy(self, ctx, params: dict) -> dict:
        check_input("PutDataProtectionPolicy", params)
        scope = Scope.of(ctx)
        group = self.require_group(scope, group_name_of(scope, params["logGroupIdentifier"]))
        document = params["policyDocument"]
        try:
            if not isinstance(json.loads(document), dict):
                raise ValueError
        except ValueError:
            raise InvalidParameterException("Invalid data protection policy document: it must be a JSON object.") \
                from None
        now = int(self.clock.now() * 1000)
        self.db.execute("UPDATE log_groups SET data_protection_policy = ?, data_protection_updated_ms = ? "
                        "WHERE group_id = ?", (document, now, group.group_id))
        return {"logGroupIdentifier": params["logGroupIdentifier"], "policyDocument": document,
                "lastUpdatedTime": now}

    def get_data_protection_policy(self, ctx, params: dict) -> dict:
        check_input("GetDataProtectionPolicy", params)
        scope = Scope.of(ctx)
        group = self.require_group(scope, group_name_of(scope, params["logGroupIdentifier"]))
        row = self.db.query_one("SELECT data_protection_policy, data_protection_updated_ms FROM log_groups "
                                "WHERE group_id = ?", (group.group_id,))
        out = {"logGroupIdentifier": params["logGroupIdentifier"]}
        if row and row[0] is not None:
            out.update(policyDocument=row[0], lastUpdatedTime=row[1])
        return out

    def delete_data_protection_policy(self, ctx, params: dict) -> dict:
        check_input("DeleteDataProtectionPolicy", params)
        scope = Scope.of(ctx)
        group = self.require_group(scope, group_name_of(scope, params["logGroupIdentifier"]))
        if group.data_protection_policy is None:
            raise ResourceNotFoundException(NO_DATA_PROTECTION_POLICY)
        self.db.execute("UPDATE log_groups SET data_protection_policy = NULL, data_protection_updated_ms = NULL "
                        "WHERE group_id = ?", (group.group_id,))
        return {}
