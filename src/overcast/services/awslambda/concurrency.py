"""Put/Get/DeleteFunctionConcurrency, GetAccountSettings (versions)."""

from __future__ import annotations


class ConcurrencyOperations:
    def concurrency_limit(self, fv) -> int | None:
        """The reserved concurrency of ``fv``'s function, None when it has none."""
        return None
