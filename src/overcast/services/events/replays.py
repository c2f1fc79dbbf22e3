"""EventBridge: Start/Describe/Cancel/ListReplays (the archives helper)."""

from __future__ import annotations


class ReplayOperations:
    pass
