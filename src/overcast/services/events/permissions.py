"""EventBridge: PutPermission, RemovePermission: the bus's resource policy."""

from __future__ import annotations


class PermissionOperations:
    pass
