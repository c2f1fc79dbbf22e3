"""EventBridge: durable delivery to targets (the dispatch helper)."""

from __future__ import annotations


class DispatchOperations:
    pass
