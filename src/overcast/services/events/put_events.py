"""EventBridge: PutEvents (the dispatch helper)."""

from __future__ import annotations


class PutEventsOperations:
    pass
