"""EventBridge: API destinations (the apidest helper)."""

from __future__ import annotations


class ApiDestinationOperations:
    pass
