"""Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole,
GetServiceLinkedRoleDeletionStatus.

A service-linked role lives under ``/aws-service-role/<service>/``, has the name AWS fixes for the
service (``service_linked_role_table``; ``_<suffix>`` appended where the service accepts a
CustomSuffix), trusts only its service, carries the one AWS managed policy the service's role
has, and is protected: DeleteRole, UpdateRole... answer UnmodifiableEntity; it goes away
through DeleteServiceLinkedRole, whose deletion task the status operation reports.
"""

from __future__ import annotations

import json
import uuid

from overcast.services.iam import errors
from overcast.services.iam.service_linked_role_table import BY_PRINCIPAL

SERVICE_ROLE_POLICY_PREFIX = "arn:aws:iam::aws:policy/aws-service-role/"


def role_name_for(service: str, suffix: str | None) -> str:
    """The name AWS gives the service's role (``<name>_<suffix>`` where a suffix is allowed)."""
    entry = BY_PRINCIPAL.get(service)
    if entry is not None:
        name = entry.role_name
        if suffix and not entry.custom_suffix:
            raise errors.invalid_input(f"Custom suffix is not allowed for {service}")
    else:  # a service missing from the table: AWS's usual pattern, from the principal's first label
        name = f"AWSServiceRoleFor{service.split('.', 1)[0].capitalize()}"
    return f"{name}_{suffix}" if suffix else name


def trust_policy_for(service: str) -> str:
    """The trust policy AWS writes: the service principal as a plain string."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


class ServiceLinkedRoleOperations:
    def create_service_linked_role(self, ctx, params):
        service = params["AWSServiceName"]
        if not service.endswith(".amazonaws.com"):
            raise errors.invalid_input(f"Invalid service name {service}.")
        name = role_name_for(service, params.get("CustomSuffix"))
        if self.find_role(ctx.account, name) is not None:
            raise errors.invalid_input(
                f"Service role name {name} has been taken in this account, please try a different suffix.")
        entry = BY_PRINCIPAL.get(service)
        with self.db.transaction():
            role = self._insert_role(ctx.account, name, f"/aws-service-role/{service}/", trust_policy_for(service),
                                     description=params.get("Description"))
            if entry is not None:  # the one AWS managed policy the service's role carries, and no inline policy
                self.db.execute("INSERT INTO attachments (account, kind, entity_key, policy_arn, attached) "
                                "VALUES (?, 'role', ?, ?, ?)", (ctx.account, role.key,
                                                                SERVICE_ROLE_POLICY_PREFIX + entry.policy_name,
                                                                self.clock.now()))
        return {"Role": role.shape(full=False)}

    def delete_service_linked_role(self, ctx, params):
        role = self.require_role(ctx.account, params["RoleName"])
        if not role.service_linked:
            raise errors.invalid_input(f"Role {role.name} is not a service-linked role.")
        if self.db.query_one("SELECT 1 FROM profile_roles WHERE account = ? AND role_key = ?",
                             (ctx.account, role.key)):
            raise errors.delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
        service = role.path.split("/")[2]
        task_id = f"task/aws-service-role/{service}/{role.name}/{uuid.uuid4()}"
        with self.db.transaction():
            self._drop_role(role)
            self.db.execute("INSERT INTO slr_deletions (account, task_id, role_name, status) VALUES (?, ?, ?, ?)",
                            (ctx.account, task_id, role.name, "SUCCEEDED"))
        return {"DeletionTaskId": task_id}

    def get_service_linked_role_deletion_status(self, ctx, params):
        row = self.db.query_one("SELECT status FROM slr_deletions WHERE account = ? AND task_id = ?",
                                (ctx.account, params["DeletionTaskId"]))
        if row is None:
            raise errors.no_such_entity(f"Deletion task {params['DeletionTaskId']} cannot be found.")
        return {"Status": row[0]}
