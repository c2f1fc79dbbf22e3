"""Invoke RequestResponse and DryRun, ``invoke_sync`` (runtime)."""

from __future__ import annotations


class InvokeOperations:
    pass
