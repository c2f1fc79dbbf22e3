"""Create/Get/Update/Delete/ListAliases with RoutingConfig (versions)."""

from __future__ import annotations


class AliasOperations:
    def alias_target(self, function_id: int, alias: str) -> str | None:
        """The version an invocation of ``alias`` runs (weights applied), None when the
        function has no such alias."""
        return None
