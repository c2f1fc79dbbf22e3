"""EventBridge: TestEventPattern."""

from __future__ import annotations


class TestPatternOperations:
    pass
