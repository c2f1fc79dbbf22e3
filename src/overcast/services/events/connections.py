"""EventBridge: connections of API destinations (the apidest helper)."""

from __future__ import annotations


class ConnectionOperations:
    pass
