"""AddPermission, RemovePermission, GetPolicy (versions)."""

from __future__ import annotations


class PermissionOperations:
    pass
