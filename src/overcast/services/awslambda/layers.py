"""Layer versions and their policies; a function's layers extracted for /opt (versions)."""

from __future__ import annotations


class LayerOperations:
    def layer_dirs(self, fv) -> list:
        """The extracted directories of ``fv``'s layers, in the order /opt receives them."""
        return []
