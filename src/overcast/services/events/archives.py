"""EventBridge: Create/Describe/Update/Delete/ListArchives (the archives helper)."""

from __future__ import annotations


class ArchiveOperations:
    pass
